"""Caching of pages that is never stale: every cached page is keyed by version numbers.

A *scope* is a family of versions, one per object, that some pages depend on; each data app
registers its own (``sessions_app.cache.programme``: one per summit; ``breakouts.cache.seats``: one
per breakout room; ``breakouts.cache.participant``: one per registration) and owns the functions
that bump them. Saves and deletes bump through signals connected in the apps' ready(); bulk
writes, which send no signals, call the app's bump functions. A bump is queued and done once when
the transaction commits, so a page is never keyed by a change that rolled back. Bumping a version
makes every page built on the old one unreachable at once, on every app server sharing the cache,
without having to know which pages those were.

The cache is a side service: when it fails, pages are built uncached and bumps are logged, never
turned into an error for a change that has committed.
"""

import functools
import hashlib
import logging
import re
import time

from django.core.cache import cache
from django.db import transaction
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers

logger = logging.getLogger(__name__)

PAGE_TIMEOUT = 60 * 60 * 24
# Pages also say what is on now and whether picking is open, which changes with the clock and not
# with the data: a cached page is rebuilt at least this often (seconds).
CLOCK_STEP = 30
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"\x00csrf\x00"


def _new_version():
    # A time-based version (not a counter) survives a cache flush without ever coming back to a
    # value that an older cached page was stored under.
    return f"{time.time_ns():x}"


class Scope:
    """One version per object of a kind. ``key(*lookup)`` names the version a page reads (by what
    its URL knows, e.g. a slug); ``lookups(ids)`` turns changed object ids into those lookups."""

    def __init__(self, name, *, lookups):
        self.name = name
        self._lookups = lookups

    def key(self, *lookup):
        return ":".join(["version", self.name, *map(str, lookup)])

    def changed(self, ids):
        """Queue a bump of these objects' versions, done when the current transaction commits."""
        ids = {i for i in ids if i is not None}
        if ids:
            _queue(self, ids)

    def keys_of(self, ids):
        return [
            self.key(*(lookup if isinstance(lookup, tuple) else (lookup,))) for lookup in self._lookups(ids)
        ]


def bump_keys(keys):
    """Give these version keys new versions now (for a change that has committed)."""
    keys = list(keys)
    if not keys:
        return
    try:
        cache.set_many({key: _new_version() for key in keys}, None)
    except Exception:
        # The change itself has committed; its pages expire with the clock step at the latest.
        logger.exception("cache: could not bump %d version(s)", len(keys))


class VersionBatch:
    """Objects changed inside one transaction, bumped once when it commits: a bulk write of
    thousands of rows costs one query per scope and one cache write, not thousands."""

    def __init__(self):
        self.ids = {}
        self.done = False

    def add(self, scope, ids):
        self.ids.setdefault(scope, set()).update(ids)

    def flush(self):
        self.done = True
        keys = []
        for scope, ids in self.ids.items():
            try:
                keys += scope.keys_of(ids)
            except Exception:
                logger.exception("cache: could not find the versions of %s", scope.name)
        bump_keys(keys)


def _queue(scope, ids):
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        now = VersionBatch()
        now.add(scope, ids)
        now.flush()
        return
    batch: VersionBatch | None = getattr(connection, "summit_cache_batch", None)
    # A batch that has flushed, or whose flush is no longer pending (its transaction rolled back),
    # is finished: this transaction starts its own.
    if batch is None or batch.done or not any(f == batch.flush for _, f, _ in connection.run_on_commit):
        batch = VersionBatch()
        connection.summit_cache_batch = batch
        batch.add(scope, ids)
        # robust: a failing bump must not stop the after-commit steps queued after it (e-mails).
        transaction.on_commit(batch.flush, robust=True)
    else:
        batch.add(scope, ids)


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


def public_page(version_keys):
    """Cache a public GET view for anonymous readers under the versions it shows.

    ``version_keys(**url_kwargs)`` lists the version keys the page depends on (say, its summit's
    programme and a breakout room's seats). Responses carry an ETag of their content and answer
    If-None-Match with 304; pages for signed-in readers are marked private and vary on the cookie.
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
            return _cached(
                request,
                version_keys(**kwargs),
                "page",
                lambda: view(request, *args, **kwargs),
                personal=False,
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


def personal_page(request, *, scope, version_keys, dependencies, build):
    """A page only one person ever sees (their own schedule), cached for them alone under
    ``scope`` (a name unique to them).

    It is keyed by ``version_keys``; it also depends on the versions ``dependencies()`` lists,
    asked only when the page is built (say, the seats of the breakout rooms whose waitlists they
    are on, where others leaving moves them up). ``build()`` renders it. Pages with a pending
    one-time message are never cached.
    """
    from django.contrib.messages import get_messages

    if len(get_messages(request)):
        return build()
    return _cached(request, version_keys, scope, build, personal=True, dependencies=dependencies)


def _cached(request, version_keys, scope, build, *, personal, dependencies=None):
    """The page for this request from the cache if it was built on the current versions, else
    built now and kept. One round trip for the versions and the page together; a second only for
    a page that depends on more versions (`dependencies()`: their keys, found when it is built)."""
    page_key = (
        "page:"
        + hashlib.sha256(f"{scope}|{request.LANGUAGE_CODE}|{request.get_full_path()}".encode()).hexdigest()
    )
    try:
        found = cache.get_many([*version_keys, page_key])
        versions = _current_versions(found, version_keys)
    except Exception:
        # The cache is down: serve the page built fresh rather than an error.
        logger.warning("cache: unavailable, page built uncached", exc_info=True)
        response = _rendered(build())
        return _with_etag(request, response) if response.status_code == 200 else response
    stored = found.get(page_key)
    if stored is not None and stored[0] == versions and _dependencies_current(stored):
        return _restore(request, stored, personal=personal)
    dependency_keys = dependencies() if dependencies else []
    dependency_versions = _current_versions(cache.get_many(dependency_keys), dependency_keys)[:-1]
    response = _rendered(build())
    if response.status_code != 200 or response.streaming:
        return response
    dependency_map = dict(zip(dependency_keys, dependency_versions, strict=True))
    try:
        stored = _store(page_key, versions, response, dependency_map)
    except Exception:
        logger.warning("cache: could not keep a page", exc_info=True)
        return _with_etag(request, response)
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


# --- bumps on save and delete, connected by each app for its own models -----------------------


def bump_on_change(scope, model, id_path, m2m_fields=()):
    """Bump ``scope``'s version of the object an instance of ``model`` belongs to whenever one is
    saved or deleted (or an M2M of it changes). ``id_path`` leads from an instance to that object's
    id, e.g. "session.day.summit_id" for the programme version of a session's summit."""
    from django.db.models.signals import m2m_changed, post_save, pre_delete

    def handler(sender, instance, **kwargs):
        if not kwargs.get("raw"):
            scope.changed([_follow(instance, id_path)])

    def m2m_handler(sender, instance, action, pk_set=None, **kwargs):
        if action not in ("post_add", "post_remove", "pre_clear"):
            return
        if isinstance(instance, model):
            handler(sender, instance)
        elif pk_set:
            # Changed from the other side: both sides belong to the same object.
            handler(sender, model._default_manager.get(pk=next(iter(pk_set))))

    uid = f"cache:{scope.name}:{model._meta.label}:{id_path}"
    post_save.connect(handler, sender=model, weak=False, dispatch_uid=uid)
    # Before the delete, while the path to the object can still be followed.
    pre_delete.connect(handler, sender=model, weak=False, dispatch_uid=uid)
    for field in m2m_fields:
        m2m_changed.connect(m2m_handler, sender=getattr(model, field).through, weak=False, dispatch_uid=uid)


def _follow(instance, path):
    value = instance
    for name in path.split("."):
        value = getattr(value, name)
        if value is None:
            return None
    return value


# --- fragments: small pieces of a page, each cached under its own versions ------------------


def cached_fragments(scope, versions_of, *, build):
    """Pieces of pages (the seat box of each breakout room, say), each cached under its own
    version keys, so a page cached under slower versions can show them fresh.

    ``versions_of`` maps each piece's name to the version keys it depends on; ``build(names)``
    renders the pieces missing from the cache and returns name → text. Two cache round trips
    when all are cached; with the cache down every piece is built.
    """
    step = int(time.time() // CLOCK_STEP)
    try:
        keys = sorted({key for piece_keys in versions_of.values() for key in piece_keys})
        versions = dict(zip(keys, _current_versions(cache.get_many(keys), keys)[:-1], strict=True))
        piece_keys = {
            name: "fragment:"
            + hashlib.sha256(f"{scope}|{name}|{[versions[k] for k in deps]}|{step}".encode()).hexdigest()
            for name, deps in versions_of.items()
        }
        found = cache.get_many(list(piece_keys.values()))
    except Exception:
        logger.warning("cache: unavailable, fragments built uncached", exc_info=True)
        return build(list(versions_of))
    pieces = {name: found[key] for name, key in piece_keys.items() if key in found}
    missing = [name for name in versions_of if name not in pieces]
    if missing:
        built = build(missing)
        try:
            cache.set_many({piece_keys[name]: text for name, text in built.items()}, PAGE_TIMEOUT)
        except Exception:
            logger.warning("cache: could not keep fragments", exc_info=True)
        pieces.update(built)
    return pieces
