"""Idempotent writes are run again when the database connection is lost mid-request.

A connection can be cut at any instant (a failover, a PgBouncer restart, pg_terminate_backend):
before a write commits, while it commits, or after, while the view reads what to answer. Left
alone, each of these answers 500, also for a change that has committed. The views named in
``settings.IDEMPOTENT_WRITE_VIEWS`` (picks and leaves: asked again, they answer the state the
first request left) are run again on a fresh connection instead, so their answer is the truth
whichever instant the cut met.
"""

import logging
import time

from django.conf import settings
from django.db import InterfaceError, OperationalError, connections

logger = logging.getLogger(__name__)

# Runs after the first; a database that is gone for longer answers 500 as before.
RETRIES = 2


class RetryIdempotentWrites:
    """Last in MIDDLEWARE, so that every other middleware has seen the request (CSRF included)
    before the view runs, and runs only once."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.views = frozenset(getattr(settings, "IDEMPOTENT_WRITE_VIEWS", ()))

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        if request.method in ("GET", "HEAD", "OPTIONS") or match is None or match.view_name not in self.views:
            return None
        for attempt in range(RETRIES + 1):
            try:
                return view_func(request, *view_args, **view_kwargs)
            except (OperationalError, InterfaceError) as error:
                opened = connections.all(initialized_only=True)
                if attempt == RETRIES or any(connection.in_atomic_block for connection in opened):
                    raise
                logger.warning(
                    "database: %s during %s, running it again: %s",
                    type(error).__name__,
                    match.view_name,
                    error,
                )
                for connection in opened:
                    connection.close()
                time.sleep(0.05 * (attempt + 1))
        return None
