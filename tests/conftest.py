"""Fixtures for the whole suite."""

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def empty_cache():
    """Each test starts with an empty cache: no page, version or rate-limit count from another test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    """Hashing passwords at full strength would dominate the suite's time."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def cache_bumps_at_once(request, monkeypatch):
    """Tests run inside a transaction that never commits, so versions would never be bumped:
    bump them at once instead (transactional tests keep the real after-commit behaviour)."""
    marker = request.node.get_closest_marker("django_db")
    if marker and (marker.kwargs.get("transaction") or (len(marker.args) > 0 and marker.args[0])):
        return
    if "transactional_db" in request.fixturenames or "live_server" in request.fixturenames:
        return
    from django.db.backends.base.base import BaseDatabaseWrapper

    from summit.cache import VersionBatch

    on_commit = BaseDatabaseWrapper.on_commit

    def bump_at_once(connection, func, robust=False):
        if isinstance(getattr(func, "__self__", None), VersionBatch):
            func()
        else:
            on_commit(connection, func, robust)

    monkeypatch.setattr(BaseDatabaseWrapper, "on_commit", bump_at_once)


@pytest.fixture
def steady_clock(monkeypatch):
    """Pages are also rebuilt every CLOCK_STEP seconds: keep the test inside one step (a test that
    counts the queries of a cached read would otherwise fail when a step begins between reads)."""
    from summit import cache as versions

    monkeypatch.setattr(versions, "CLOCK_STEP", 10**9)
