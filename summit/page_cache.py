"""Pages and pieces of pages kept in the cache under the versions they show (``summit.cache``).

Three kinds of page: a *public* page, one copy for every anonymous reader; a *shared* page, one
copy for every signed-in reader of an audience (say, participants reading in one time zone), with
*slots* where each reader's own bits go (their name, their stars, their seat), filled in from small
per-reader data when the page is served; and a *personal* page, cached for one person alone.
Each page is kept with the versions it was built on and served only while they are current.

The cache is a side service: when it fails, pages are built uncached, never turned into errors.
"""

import functools
import hashlib
import os
import re
from pathlib import Path

from django.core.cache import cache
from django.middleware.csrf import get_token
from django.utils.cache import get_conditional_response, patch_cache_control, patch_vary_headers
from django.utils.html import format_html

from summit.cache import current_versions, health, read_with_versions

PAGE_TIMEOUT = 60 * 60 * 24


def _release():
    """A digest of the code and templates pages are made from: every key of a kept page or piece
    names it, so a deploy never serves HTML that older code made (and servers running the same
    code share their pages)."""
    from django.conf import settings

    skip = {"node_modules", "tests", "staticfiles", "docs", "scripts", "demo", "__pycache__"}
    digest = hashlib.sha256()
    for folder, folders, files in os.walk(settings.BASE_DIR):
        folders[:] = sorted(f for f in folders if not f.startswith(".") and f not in skip)
        for name in sorted(files):
            if name.endswith((".py", ".html", ".txt", ".svg", ".mo")):
                digest.update(name.encode())
                digest.update(Path(folder, name).read_bytes())
    return digest.hexdigest()[:16]


RELEASE = _release()
_CSRF_VALUE = re.compile(rb'(name="csrfmiddlewaretoken" value=")[^"]*(")')
_CSRF_PLACEHOLDER = b"\x00csrf\x00"
_SLOT = re.compile(rb"<!--slot:([^>]{1,200}?)-->")


def _without_tokens(body):
    return _CSRF_VALUE.sub(rb"\1" + _CSRF_PLACEHOLDER + rb"\2", body)


def with_token(request, body):
    """``body`` (kept without CSRF tokens) with the reader's own token in each form."""
    if _CSRF_PLACEHOLDER in body:
        # One masked token per response, as a template's {% csrf_token %} gives (masking afresh
        # for each of a page's forms cost more than the rest of serving it). get_token sets the
        # reader's CSRF cookie, which the token is valid for.
        token = getattr(request, "page_csrf_token", None)
        if token is None:
            token = request.page_csrf_token = get_token(request).encode()
        return body.replace(_CSRF_PLACEHOLDER, token)
    return body


def keepable(text):
    """A rendered piece, as kept in the cache: bytes, with its CSRF tokens taken out."""
    return _without_tokens(text.encode() if isinstance(text, str) else text)


# --- slots: the pieces of a shared page that differ per reader --------------------------------


def building_shared_page(request):
    """Whether the page being built is shared by an audience (then per-reader bits go in slots)."""
    return getattr(request, "page_slots", None) is not None


def slot(request, name, variants=None):
    """Mark where a per-reader piece goes in the shared page being built, and return the marker.

    ``variants`` (name → HTML) are the forms the piece can take that are known when the page is
    built (a star that is on or off, say); they are kept with the page, and the page's filler picks
    one per reader. A slot without variants is filled from the reader's data alone."""
    request.page_slots[name] = {key: keepable(html) for key, html in (variants or {}).items()}
    return format_html("<!--slot:{}-->", name)


def _filled(body, slots, fill):
    names = [name.decode() for name in _SLOT.findall(body)]
    if not names:
        return body, b""
    values = fill(names, slots)
    body = _SLOT.sub(lambda m: values.get(m.group(1).decode(), b""), body)
    # The reader's copy differs from the shared one only in the slots: its ETag covers them.
    return body, hashlib.sha256(b"\x00".join(values.get(name, b"") for name in names)).digest()


# --- pages ------------------------------------------------------------------------------------


def public_page(version_keys):
    """Cache a public GET view for anonymous readers under the versions it shows.

    ``version_keys(**url_kwargs)`` lists the version keys the page depends on (say, its summit's
    programme and a breakout room's seats). Responses carry an ETag of their content and answer
    If-None-Match with 304; pages for signed-in readers are built for them and marked private.
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
                return with_etag(request, response)
            return cached_response(
                request,
                version_keys(**kwargs),
                "page",
                lambda: view(request, *args, **kwargs),
                personal=False,
            )

        return wrapper

    return decorator


def shared_page(request, *, version_keys, audience, build, fill):
    """The page for this reader from the copy shared by ``audience``, built by ``build()`` when it
    is missing or outdated. While it is built, ``slot()`` marks the per-reader pieces;
    ``fill(names, slots)`` gives this reader's bytes for each slot named in the page (``slots``:
    the variants kept with the page). Private to the reader: never kept by shared caches."""

    def built():
        request.page_slots = {}
        try:
            response = _rendered(build())
        finally:
            slots, request.page_slots = request.page_slots, None
        response.page_slots = slots
        return response

    return cached_response(request, version_keys, shared_scope(audience), built, personal=True, fill=fill)


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
    return cached_response(request, version_keys, scope, build, personal=True, dependencies=dependencies)


def _rendered(response):
    if hasattr(response, "render") and callable(response.render) and not response.is_rendered:
        response = response.render()
    return response


def _etag(body, extra=b""):
    # CSRF tokens are masked afresh on every render; a page that differs only in its token is
    # the same page, and the reader's own token stays valid for their cookie.
    return f'"{hashlib.sha256(_CSRF_VALUE.sub(b"", body) + extra).hexdigest()[:32]}"'


def _keepable_page(response, versions, dependencies=None):
    """What is kept of a page: the versions it was built on (read before it was built, so a
    change committed meanwhile makes it outdated at once), its headers, body, ETag, the versions
    it depends on besides, and its slots' variants."""
    headers = {k: v for k, v in response.items() if k.lower() not in ("set-cookie", "etag", "vary")}
    slots = getattr(response, "page_slots", None) or {}
    body = _without_tokens(response.content)
    return (versions, headers, body, _etag(response.content), dependencies or {}, slots)


def _restore(request, stored, *, personal=False, fill=None):
    from django.http import HttpResponse

    _versions, headers, body, etag, _dependencies, slots = stored
    if fill is not None:
        body, filled = _filled(body, slots, fill)
        if filled:
            etag = f'"{hashlib.sha256(etag.encode() + filled).hexdigest()[:32]}"'
    response = HttpResponse(with_token(request, body))
    for name, value in headers.items():
        response[name] = value
    response["ETag"] = etag
    patch_vary_headers(response, ["Cookie", "Accept-Language"])
    if personal:
        patch_cache_control(response, private=True, no_cache=True, no_store=True, max_age=0)
    else:
        patch_cache_control(response, public=True, max_age=0, must_revalidate=True)
    return get_conditional_response(request, etag=etag, response=response)


def key_of_page(request, scope):
    """The cache key of this request's page as ``scope`` sees it (``"page"``: anonymous readers,
    ``"shared|<audience>"``: an audience of signed-in readers)."""
    text = f"{RELEASE}|{scope}|{request.LANGUAGE_CODE}|{request.get_full_path()}"
    return "page:" + hashlib.sha256(text.encode()).hexdigest()


def shared_scope(audience):
    return f"shared|{audience}"


def cached_response(request, version_keys, scope, build, *, personal, dependencies=None, fill=None):
    """The page for this request from the cache if it was built on the current versions, else
    built now and kept. One round trip for the versions and the page together; a second only for
    a page that depends on more versions (`dependencies()`: their keys, found when it is built).
    When only the clock's step has moved on, one request rebuilds the page and the others serve
    the copy they find until it is kept (``_claim_rebuild``)."""
    page_key = key_of_page(request, scope)
    try:
        versions, found = read_with_versions(version_keys, [page_key])
    except Exception:
        # The cache is down: serve the page built fresh rather than an error.
        health.failed("reading a page")
        return _uncached(request, build, personal=personal, fill=fill)
    stored = found.get(page_key)
    if type(stored) is not tuple or len(stored) != 6:
        stored = None
    if stored is not None and stored[0] == versions and _dependencies_current(stored):
        return _restore(request, stored, personal=personal, fill=fill)
    if (
        stored is not None
        and _aged_by_the_clock(stored[0], versions)
        and _dependencies_current(stored)
        and not _claim_rebuild(page_key, versions)
    ):
        # Another request is rebuilding it for the clock's new step: until that copy is kept,
        # this one serves (its data is current; what it marks as "now" is one build late).
        return _restore(request, stored, personal=personal, fill=fill)
    dependency_keys = dependencies() if dependencies else []
    dependency_versions = current_versions(dependency_keys)[:-2]
    response = _rendered(build())
    if response.status_code != 200 or response.streaming:
        return response
    stored = _keepable_page(response, versions, dict(zip(dependency_keys, dependency_versions, strict=True)))
    try:
        cache.set(page_key, stored, PAGE_TIMEOUT)
    except Exception:
        health.failed("keeping a page")
    return _restore(request, stored, personal=personal, fill=fill)


def _aged_by_the_clock(built_on, versions):
    """Whether a page built on ``built_on`` differs from ``versions`` in the clock's step alone,
    by one step: every version of its data is the current one."""
    return (
        built_on is not None
        and list(built_on[:-1]) == list(versions[:-1])
        and isinstance(built_on[-1], int)
        and built_on[-1] == versions[-1] - 1
    )


#: How long one request may hold the rebuild of a page aged by the clock before others build too
#: (seconds): a request that died while building holds nobody up for longer.
REBUILD_CLAIM_TIMEOUT = 10


def _claim_rebuild(page_key, versions):
    """Claim the rebuild of a page that the clock aged: True for the first request of this step
    (on any server), which builds it; the others serve the copy they have meanwhile."""
    try:
        return bool(cache.add(f"rebuilding:{page_key}:{versions[-1]}", 1, REBUILD_CLAIM_TIMEOUT))
    except Exception:
        health.failed("claiming a rebuild")
        return True


def _uncached(request, build, *, personal, fill):
    response = _rendered(build())
    if response.status_code != 200 or response.streaming:
        return response
    restored = _restore(request, _keepable_page(response, None), personal=personal, fill=fill)
    for cookie in response.cookies.values():
        restored.cookies[cookie.key] = cookie
    return restored


def _dependencies_current(stored):
    dependencies = stored[4]
    if not dependencies:
        return True
    current = cache.get_many(list(dependencies))
    return all(current.get(key) == version for key, version in dependencies.items())


def with_etag(request, response):
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
        return with_etag(request, response)

    return wrapper


# --- fragments: small pieces of a page, each cached under its own versions ------------------


class NotKept(str):
    """A piece built for this reader that must not be kept for others (it was built on data newer
    than what named its variant)."""


def _fragment_keys(scope, versions_of):
    """Each piece's (version keys, variant), the version keys of all, and each piece's own key."""
    specs = {name: spec if isinstance(spec, tuple) else (spec, "") for name, spec in versions_of.items()}
    keys = sorted({key for piece_keys, _variant in specs.values() for key in piece_keys})
    piece_keys = {
        name: "fragment:" + hashlib.sha256(f"{RELEASE}|{scope}|{name}|{variant}".encode()).hexdigest()
        for name, (_deps, variant) in specs.items()
    }
    return specs, keys, piece_keys


def fragment_reads(scope, versions_of):
    """The cache keys ``cached_fragments(scope, versions_of)`` reads: to read them earlier, with
    others (``summit.cache.prefetch``)."""
    _specs, keys, piece_keys = _fragment_keys(scope, versions_of)
    return [*keys, *piece_keys.values()]


def cached_fragments(scope, versions_of, *, build):
    """Pieces of pages (the seat box of each breakout room, say), each cached under its own
    version keys, so a page cached under slower versions can show them fresh.

    ``versions_of`` maps each piece's name to the version keys it depends on (and, optionally,
    ``(keys, variant)``: a text naming the form the piece takes for this reader); ``build(names)``
    renders the pieces missing from the cache and returns name → text. One cache round trip when
    all are cached (each piece is kept with the versions it was built on); with the cache down
    every piece is built. Pieces are kept without CSRF tokens: put the reader's in with
    ``with_token``.
    """
    try:
        specs, keys, piece_keys = _fragment_keys(scope, versions_of)
        current, found = read_with_versions(keys, piece_keys.values())
    except Exception:
        health.failed("reading fragments")
        return {name: keepable(text) for name, text in build(list(versions_of)).items()}
    versions = dict(zip(keys, current, strict=False))
    # The epoch and the clock's step too: a piece (a box saying picking opens soon) ages.
    stamps = {name: (*(versions[k] for k in deps), *current[-2:]) for name, (deps, _variant) in specs.items()}
    pieces = {}
    for name, key in piece_keys.items():
        stored = found.get(key)
        if type(stored) is tuple and len(stored) == 2 and stored[0] == stamps[name]:
            pieces[name] = stored[1]
    missing = [name for name in versions_of if name not in pieces]
    if missing:
        built = build(missing)
        kept = {
            piece_keys[name]: (stamps[name], keepable(text))
            for name, text in built.items()
            if not isinstance(text, NotKept)
        }
        try:
            cache.set_many(kept, PAGE_TIMEOUT)
        except Exception:
            health.failed("keeping fragments")
        pieces.update({name: keepable(text) for name, text in built.items()})
    return pieces
