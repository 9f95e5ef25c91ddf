"""Loaded by pytest before Django starts (see addopts): the settings the test run needs."""

import os

# Tests use the development defaults (no SECRET_KEY needed); Django's test runner still runs
# requests with DEBUG off.
os.environ.setdefault("DEBUG", "1")
os.environ.setdefault("CACHE_URL", "locmem://tests")
