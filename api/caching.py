"""Public reads answered from the same versioned cache as the pages (summit.cache): keyed by the
summit's programme version, and by the seat versions of the breakout rooms an answer shows, so a
cached answer is never stale. Answers carry an ETag and answer If-None-Match with 304."""

from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from breakouts.cache import seats_key
from breakouts.models import BreakoutRoom
from sessions_app.cache import programme_key
from summit.page_cache import cached_response
from summit.page_cache import with_etag as etag_of


def rendered(response):
    """A DRF Response rendered as JSON now (it is kept in the cache as bytes)."""
    if isinstance(response, Response) and not response.is_rendered:
        response.accepted_renderer = JSONRenderer()
        response.accepted_media_type = "application/json"
        response.renderer_context = {}
        response.render()
    return response


def programme_answer(request, summit_slug, build):
    """An answer that shows the summit's programme and no seat counts."""
    return cached_response(
        request._request, [programme_key(summit_slug)], "api", lambda: rendered(build()), personal=False
    )


def seats_answer(request, summit_slug, build, *, breakout_slugs=None):
    """An answer that also shows live seat counts: of the breakout rooms `breakout_slugs()` names
    (all of the summit's when None), asked only when the answer is built."""

    def dependencies():
        slugs = breakout_slugs() if breakout_slugs else _all_breakout_slugs(summit_slug)
        return [seats_key(summit_slug, slug) for slug in sorted(slugs)]

    return cached_response(
        request._request,
        [programme_key(summit_slug)],
        "api",
        lambda: rendered(build()),
        personal=False,
        dependencies=dependencies,
    )


def _all_breakout_slugs(summit_slug):
    return BreakoutRoom.objects.filter(summit__slug=summit_slug).values_list("slug", flat=True)


def with_etag(request, response):
    """An uncached answer with an ETag of its content (304 when the reader has it)."""
    return etag_of(request._request, rendered(response))
