"""A per-address limit on anonymous submissions, kept in Django's cache (shared across machines
when the cache is Redis).

Settings (all optional):

- ``CHARTER_ANONYMOUS_RATE``: ``(submissions, seconds)``, default 20 per 10 minutes. A venue's
  wifi puts many people behind one address, so the default is generous; it is there to stop
  floods, not people.
- ``RATE_LIMIT_PROXY_COUNT``: how many trusted proxies (load balancers) stand in front of the app;
  the client address is then read that many hops from the right of ``X-Forwarded-For``. 0 (the
  default) uses ``REMOTE_ADDR``, which a client cannot forge.
"""

import logging

from django.conf import settings
from django.core.cache import cache

logger = logging.getLogger(__name__)

DEFAULT_RATE = (20, 600)


def client_address(request):
    hops = getattr(settings, "RATE_LIMIT_PROXY_COUNT", 0)
    if hops:
        forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if a.strip()]
        if len(forwarded) >= hops:
            return forwarded[-hops]
    return request.META.get("REMOTE_ADDR", "")


def allow(request, scope):
    """Count one attempt for the request's address in `scope`; False once the limit is reached."""
    limit, window = getattr(settings, "CHARTER_ANONYMOUS_RATE", DEFAULT_RATE)
    key = f"charter-rate:{scope}:{client_address(request)}"
    # add() only creates the key if it is missing, so the window starts at the first attempt;
    # incr() is atomic in every cache backend Django ships.
    try:
        if cache.add(key, 1, timeout=window):
            return limit >= 1
        try:
            return cache.incr(key) <= limit
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=window)
            return True
    except Exception:
        # The cache is down: let people submit (the limit only stops floods) rather than fail them.
        logger.warning("rate limit: cache unavailable, %s allowed", scope, exc_info=True)
        return True
