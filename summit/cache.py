"""Versions that make cached pages never stale: every cached page is keyed by version numbers.

A *scope* is a family of versions, one per object, that some pages depend on; each data app
registers its own (``sessions_app.cache.programme``: one per summit; ``breakouts.cache.seats``: one
per breakout room; ``breakouts.cache.participant``: one per registration) and owns the functions
that bump them. Saves and deletes bump through signals connected in the apps' ready(); bulk
writes, which send no signals, call the app's bump functions. A bump is queued and done once when
the transaction commits, so a page is never keyed by a change that rolled back. Bumping a version
makes every page built on the old one unreachable at once, on every app server sharing the cache,
without having to know which pages those were. ``summit.page_cache`` keeps the pages.

The cache is a side service: when it fails, pages are built uncached (``health`` logs that once
per burst, not once per request), and bumps that could not be written are kept and written again
as soon as the cache answers, so no server goes on serving a page built before a change.
"""

import contextlib
import contextvars
import logging
import threading
import time

from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger(__name__)

# Pages also say what is on now and whether picking is open, which changes with the clock and not
# with the data: a cached page is rebuilt at least this often (seconds).
CLOCK_STEP = 30
# Every version read also reads this one: bumping it outdates every cached page at once (done when
# more bumps were lost in an outage than are kept one by one).
EPOCH_KEY = "version:epoch"
#: Lost bumps kept one by one; past this, the epoch is bumped instead.
MAX_UNBUMPED = 10_000
#: While the cache keeps failing, one log record per this many seconds.
LOG_EVERY = 30


class CacheHealth:
    """Whether this process could reach the cache lately, and the bumps it could not write.

    ``failed()`` logs the first failure of a burst with its traceback, then one summary per
    ``LOG_EVERY`` seconds. ``answered()`` is called after every successful cache call: when the
    cache comes back, the bumps kept during the outage are written (or the epoch bumped)."""

    def __init__(self):
        self._lock = threading.Lock()
        self.down_since = None
        self._logged_at = 0.0
        self._suppressed = 0
        self._unbumped: set[str] = set()
        self._overflow = False

    def failed(self, what, *, keys=()):
        now = time.monotonic()
        with self._lock:
            first = self.down_since is None
            if first:
                self.down_since = now
            down_for = now - (self.down_since or now)
            if keys:
                self._unbumped.update(keys)
                if len(self._unbumped) > MAX_UNBUMPED:
                    self._unbumped.clear()
                    self._overflow = True
            due = first or now - self._logged_at >= LOG_EVERY
            if due:
                self._logged_at = now
                suppressed, self._suppressed = self._suppressed, 0
            else:
                self._suppressed += 1
        if first:
            logger.warning("cache: unavailable (%s); serving uncached", what, exc_info=True)
        elif due:
            logger.warning(
                "cache: still unavailable for %.0f s (%s; %d more failures not logged)",
                down_for,
                what,
                suppressed,
            )

    def pending(self):
        return self.down_since is not None or bool(self._unbumped) or self._overflow

    def answered(self):
        if not self.pending():
            return
        with self._lock:
            was_down, self.down_since = self.down_since, None
            keys, self._unbumped = self._unbumped, set()
            overflow, self._overflow = self._overflow, False
        if overflow:
            keys = {EPOCH_KEY}
        if keys:
            try:
                cache.set_many({key: _new_version() for key in keys}, None)
            except Exception:
                self.failed("writing the bumps kept in the outage", keys=keys)
                return
        if was_down is not None:
            logger.warning(
                "cache: available again after %.0f s; %d version(s) bumped again",
                time.monotonic() - was_down,
                len(keys),
            )


health = CacheHealth()


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
        # The change itself has committed: the bump is written again when the cache answers.
        health.failed(f"bumping {len(keys)} version(s)", keys=keys)
        return
    health.answered()


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


# What ``prefetch()`` read for the reads of the block it surrounds: (keys asked, entries found).
_prefetched: contextvars.ContextVar[tuple[frozenset, dict] | None] = contextvars.ContextVar(
    "prefetched", default=None
)


@contextlib.contextmanager
def prefetch(keys):
    """Read ``keys`` now, in one round trip, for the ``read_with_versions`` calls inside the
    block: a call asking only keys read here makes no round trip of its own (a request that will
    read its reader and then its page, say, reads both at once). Asked once, at the start of
    one request, so nothing read here is older than the request."""
    keys = list(dict.fromkeys([*keys, EPOCH_KEY]))
    try:
        found = cache.get_many(keys)
    except Exception:
        # The reads inside fail on their own, and degrade as they do.
        found = None
    token = _prefetched.set((frozenset(keys), found) if found is not None else None)
    try:
        yield
    finally:
        _prefetched.reset(token)


def read_with_versions(keys, other_keys=()):
    """In one cache round trip: ``current_versions(keys)`` and the cache's entries under
    ``other_keys`` (say, the page kept under those versions), as (versions, found); no round trip
    of its own when ``prefetch()`` has read them all."""
    asked = [*keys, EPOCH_KEY, *other_keys]
    prefetched = _prefetched.get()
    if prefetched is not None and prefetched[0].issuperset(asked):
        found = {key: prefetched[1][key] for key in asked if key in prefetched[1]}
    else:
        found = cache.get_many(asked)
    return current_versions(keys, found), found


def current_versions(keys, found=None):
    """The versions under ``keys`` (from ``found``, a get_many result of them and EPOCH_KEY, else
    read now; any missing are created), and the epoch and the clock's step, to key a page by."""
    keys = [*keys, EPOCH_KEY]
    if found is None:
        found = cache.get_many(keys)
    if health.pending():
        # The cache answers again: first write the bumps this process could not write, so no
        # page is served on a version from before them.
        health.answered()
        found = cache.get_many(keys)
    missing = [key for key in keys if found.get(key) is None]
    if missing:
        # add() so two servers that both miss agree on one version.
        for key in missing:
            cache.add(key, _new_version(), None)
        found = {**found, **cache.get_many(missing)}
    return [found.get(key) for key in keys] + [int(time.time() // CLOCK_STEP)]


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
