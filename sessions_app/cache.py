"""Caching of public pages that is never stale: every cached page is keyed by version numbers.

A summit's *programme version* changes whenever anything its public pages show is saved or
deleted; a breakout room's *seat version* changes whenever one of its seats is taken or freed.
Signals connected in each app's ready() catch saves and deletes; bulk writes, which send no
signals, call programme_changed() / seats_changed(). Bumping a version makes every page built on
the old one unreachable at once, on every app server sharing the cache, without having to know
which pages those were.

Only anonymous readers get cached pages: signed-in people see their own state (seats, drafts,
their name in the navigation) and are always served a fresh, private page.
"""

import functools
import hashlib
import re
import time

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

PAGE_TIMEOUT = 60 * 60 * 24
# Pages also say what is on now and whether picking is open, which changes with the clock and not
# with the data: a cached page is rebuilt at least this often (seconds).
CLOCK_STEP = 30
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"\x00csrf\x00"


def _programme_key(summit_slug):
    return f"summit:{summit_slug}:programme"


def _seats_key(summit_slug, breakout_slug):
    return f"summit:{summit_slug}:breakout:{breakout_slug}:seats"


def _participant_key(participant_id):
    return f"participant:{participant_id}:version"


def _new_version():
    # A time-based version (not a counter) survives a cache flush without ever coming back to a
    # value that an older cached page was stored under.
    return f"{time.time_ns():x}"


class _Batch:
    """Rows changed inside one transaction, bumped once when it commits: a bulk write of
    thousands of rows costs one query and one cache write, not thousands."""

    def __init__(self):
        self.summits, self.breakout_rooms, self.participants = set(), set(), set()
        self.done = False

    def flush(self):
        from .models import Summit

        self.done = True
        if self.summits:
            for slug in Summit.objects.filter(pk__in=self.summits).values_list("slug", flat=True):
                cache.set(_programme_key(slug), _new_version(), None)
        if self.breakout_rooms and _seat_pages is not None:
            pairs = _seat_pages(self.breakout_rooms)
            cache.set_many({_seats_key(*pair): _new_version() for pair in pairs}, None)
        if self.participants:
            cache.set_many({_participant_key(i): _new_version() for i in self.participants}, None)


def _waits_for_commit(connection):
    return connection.in_atomic_block


def _queue(kind, ids):
    ids = {i for i in ids if i is not None}
    if not ids:
        return
    connection = transaction.get_connection()
    if not _waits_for_commit(connection):
        batch = _Batch()
        getattr(batch, kind).update(ids)
        batch.flush()
        return
    batch = getattr(connection, "summit_cache_batch", None)
    # A batch that has flushed, or whose flush is no longer pending (its transaction rolled back),
    # is finished: this transaction starts its own.
    if batch is None or batch.done or not any(f == batch.flush for _, f, _ in connection.run_on_commit):
        batch = connection.summit_cache_batch = _Batch()
        transaction.on_commit(batch.flush)
    getattr(batch, kind).update(ids)


# Set by the app that owns seats: breakout room ids → (summit slug, breakout room slug) pairs.
_seat_pages = None


def forget_old_slug(sender, instance, raw=False, **kwargs):
    """A summit whose slug changes leaves pages cached under the old slug: retire them too."""
    if raw or instance.pk is None:
        return
    old = type(instance)._default_manager.filter(pk=instance.pk).values_list("slug", flat=True).first()
    if old and old != instance.slug:
        transaction.on_commit(lambda: cache.set(_programme_key(old), _new_version(), None))


def programme_changed(summit_ids):
    """Queue a programme bump for these summits (for bulk writes that send no signals)."""
    _queue("summits", summit_ids)


def seats_changed(breakout_room_ids):
    """Queue a seat bump for these breakout rooms (for bulk writes that send no signals)."""
    _queue("breakout_rooms", breakout_room_ids)


def participant_changed(participant_ids):
    """Queue a bump of these participants' own pages (for bulk writes that send no signals)."""
    _queue("participants", participant_ids)


def _current_versions(found, keys):
    """The versions under `keys` (from a get_many result, creating any that are missing), and
    the clock's step."""
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        # add() so two servers that both miss agree on one version.
        for key in missing:
            cache.add(key, _new_version(), None)
        found = {**found, **cache.get_many(missing)}
    return [found.get(key) for key in keys] + [int(time.time() // CLOCK_STEP)]


def public_page(seats_kwarg=None):
    """Cache a public GET view for anonymous readers under the summit's versions.

    `seats_kwarg` names the URL argument holding the slug of the breakout room whose seat version
    also keys the page (for pages that show live seat counts).
    Responses carry an ETag of their content and answer If-None-Match with 304; pages for
    signed-in readers are marked private and vary on the cookie.
    """

    def decorator(view):
        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD"):
                return view(request, *args, **kwargs)
            if request.user.is_authenticated:
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
                return _with_etag(request, response)
            version_keys = [_programme_key(kwargs["summit"])]
            if seats_kwarg:
                version_keys.append(_seats_key(kwargs["summit"], kwargs[seats_kwarg]))
            return _cached(
                request, version_keys, "page", lambda: view(request, *args, **kwargs), personal=False
            )

        return wrapper

    return decorator


def _rendered(response):
    if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
        response = response.render()
    return response


def _etag(body):
    # CSRF tokens are masked afresh on every render; a page that differs only in its token is
    # the same page, and the reader's own token stays valid for their cookie.
    return f'"{hashlib.sha256(_CSRF_VALUE.sub(b"", body)).hexdigest()[:32]}"'


def _store(key, versions, response, dependencies=None):
    """Keep the page with the versions it was built on (read before it was built, so a change
    committed meanwhile makes it outdated at once)."""
    body = _CSRF_VALUE.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", response.content)
    headers = {k: v for k, v in response.items() if k.lower() not in ("set-cookie", "etag", "vary")}
    has_form = _CSRF_PLACEHOLDER in body
    stored = (versions, headers, body, has_form, _etag(response.content), dependencies or {})
    cache.set(key, stored, PAGE_TIMEOUT)
    return stored


def _restore(request, stored, *, personal=False):
    from django.http import HttpResponse

    _versions, headers, body, has_form, etag, _dependencies = stored
    if has_form:
        # Each reader gets a token for their own CSRF cookie (get_token sets that cookie).
        body = body.replace(_CSRF_PLACEHOLDER, get_token(request).encode())
    response = HttpResponse(body)
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    if personal:
        patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return get_conditional_response(request, etag=etag, response=response)


def personal_page(request, *, summit_slug, participant_id, waiting_for, build):
    """A page only one participant ever sees (their agenda), cached for them alone.

    It is keyed by the summit's programme version and the participant's own version (their
    registration, seats and waitlist places); it also depends on the seat versions of the breakout
    rooms whose waitlists they are on (`waiting_for()`: slugs, asked only when the page is built,
    since their own version changes whenever that list does), where others leaving moves them
    up. `build()` renders it. Pages with a pending one-time message are never cached.
    """
    from django.contrib.messages import get_messages

    if len(get_messages(request)):
        return build()
    version_keys = [_programme_key(summit_slug), _participant_key(participant_id)]

    def dependencies():
        return [_seats_key(summit_slug, slug) for slug in sorted(waiting_for())]

    scope = f"participant:{participant_id}"
    return _cached(request, version_keys, scope, build, personal=True, dependencies=dependencies)


def _cached(request, version_keys, scope, build, *, personal, dependencies=None):
    """The page for this request from the cache if it was built on the current versions, else
    built now and kept. One round trip for the versions and the page together; a second only for
    a page that depends on more versions (`dependencies()`: their keys, found when it is built)."""
    page_key = (
        "page:"
        + hashlib.sha256(f"{scope}|{request.LANGUAGE_CODE}|{request.get_full_path()}".encode()).hexdigest()
    )
    found = cache.get_many([*version_keys, page_key])
    versions = _current_versions(found, version_keys)
    stored = found.get(page_key)
    if stored is not None and stored[0] == versions and _dependencies_current(stored):
        return _restore(request, stored, personal=personal)
    dependency_keys = dependencies() if dependencies else []
    dependency_versions = _current_versions(cache.get_many(dependency_keys), dependency_keys)[:-1]
    response = _rendered(build())
    if response.status_code != 200 or response.streaming:
        return response
    dependency_map = dict(zip(dependency_keys, dependency_versions, strict=True))
    stored = _store(page_key, versions, response, dependency_map)
    return _restore(request, stored, personal=personal)


def _dependencies_current(stored):
    dependencies = stored[5]
    if not dependencies:
        return True
    current = cache.get_many(list(dependencies))
    return all(current.get(key) == version for key, version in dependencies.items())


def _with_etag(request, response):
    """Answer with 304 when the reader already has this exact page."""
    response = _rendered(response)
    if response.status_code != 200 or response.streaming:
        return response
    response["ETag"] = _etag(response.content)
    return get_conditional_response(request, etag=response["ETag"], response=response)


def content_etag(view):
    """ETag of the page's content, answered with 304 when the reader already has it."""

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD"):
            return response
        return _with_etag(request, response)

    return wrapper


# --- invalidation, connected in each app's AppConfig.ready() ---------------------------------------


def _follow(instance, path):
    value = instance
    for name in path.split("."):
        value = getattr(value, name)
        if value is None:
            return None
    return value


def invalidate_participant_on_change(model):
    """Bump a participant's own pages when their registration is saved."""
    from django.db.models.signals import post_save

    def handler(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            participant_changed([instance.pk])

    uid = f"participant-cache:{model._meta.label}"
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid)


def invalidate_programme_on_change(model, summit_id_path, m2m_fields=()):
    """Bump the programme version of the summit an instance of `model` belongs to, whenever one
    is saved or deleted (or an M2M of it changes). `summit_id_path` leads from an instance to its
    summit's id, e.g. "session.day.summit_id"."""
    from django.db.models.signals import m2m_changed, post_save, pre_delete

    def handler(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            programme_changed([_follow(instance, summit_id_path)])

    def m2m_handler(sender, instance, action, pk_set=None, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if isinstance(instance, model):
            handler(sender, instance)
        elif pk_set:
            # Changed from the other side: both sides belong to the same summit.
            handler(sender, model._default_manager.get(pk=next(iter(pk_set))))

    uid = f"programme-cache:{model._meta.label}"
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid)
    pre_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid)
    for field in m2m_fields:
        m2m_changed.connect(m2m_handler, sender=getattr(model, field).through, weak=False, dispatch_uid=uid)


def invalidate_seats_on_change(model, *, seat_pages):
    """Bump the seat version of an instance's breakout room, and its participant's own pages,
    when one is saved or deleted.

    `seat_pages(ids)` gives the (summit slug, breakout room slug) of breakout room ids.
    """
    from django.db.models.signals import post_delete, post_save

    global _seat_pages
    _seat_pages = seat_pages

    def handler(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            seats_changed([instance.breakout_room_id])
            participant_changed([instance.participant_id])

    uid = f"seats-cache:{model._meta.label}"
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid)
    post_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid)
