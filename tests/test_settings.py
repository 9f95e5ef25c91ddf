"""Settings read from the environment; production refuses unsafe defaults. Each case runs in a
fresh interpreter, because settings are read once per process."""

import secrets
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50), "ALLOWED_HOSTS": "summit.example.org"}


def run(code_or_args, **env):
    args = ["-c", code_or_args] if isinstance(code_or_args, str) else code_or_args
    environment = {"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "summit.settings", **env}
    return subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=environment, capture_output=True, text=True, timeout=60
    )


def setting(expression, **env):
    result = run(
        f"import django; django.setup(); from django.conf import settings; print({expression})", **env
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_check_deploy_with_production_settings_prints_no_warning(tmp_path):
    result = run(
        ["manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        **PRODUCTION,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "WARNING" not in result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = run("import django; django.setup()", DEBUG="0", ALLOWED_HOSTS="summit.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_development_starts_without_secret_key():
    assert setting("bool(settings.SECRET_KEY)", DEBUG="1") == "True"


def test_debug_is_off_unless_asked_for():
    assert setting("settings.DEBUG", SECRET_KEY="x" * 50) == "False"


def test_postgres_url_selects_postgresql():
    engine = setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME']",
        DEBUG="1",
        DATABASE_URL="postgres://summit:pw@db.example.org:5432/summit",
    )
    assert engine == "django.db.backends.postgresql summit"


def test_default_database_is_an_sqlite_file_in_the_project_folder():
    name = setting("settings.DATABASES['default']['NAME']", DEBUG="1")
    assert name == str(ROOT / "db.sqlite3")


def test_sqlite_takes_the_write_lock_when_a_transaction_starts():
    options = setting("settings.DATABASES['default']['OPTIONS']", DEBUG="1")
    assert "'transaction_mode': 'IMMEDIATE'" in options and "journal_mode=WAL" in options


def test_cache_is_local_memory_in_development_and_redis_by_url():
    assert setting("settings.CACHES['default']['BACKEND']", DEBUG="1").endswith("LocMemCache")
    redis = setting("settings.CACHES['default']['BACKEND']", DEBUG="1", CACHE_URL="redis://cache:6379/0")
    assert redis == "summit.redis_cache.RedisCache"


def test_production_cache_is_shared_by_the_workers_of_a_machine_by_default():
    # Page versions live in the cache: a per-process cache would let workers serve stale pages.
    assert setting("settings.CACHES['default']['BACKEND']", **PRODUCTION).endswith("FileBasedCache")


def test_mail_goes_to_the_console_unless_an_smtp_host_is_set():
    assert setting("settings.EMAIL_BACKEND", DEBUG="1").endswith("console.EmailBackend")
    assert setting("settings.EMAIL_BACKEND", DEBUG="1", EMAIL_HOST="smtp.example.org").endswith(
        "smtp.EmailBackend"
    )


def test_allowed_hosts_and_csrf_origins_are_lists_from_the_environment():
    value = setting(
        "settings.ALLOWED_HOSTS, settings.CSRF_TRUSTED_ORIGINS",
        **PRODUCTION,
        CSRF_TRUSTED_ORIGINS="https://summit.example.org, https://www.example.org",
    )
    assert value == "['summit.example.org'] ['https://summit.example.org', 'https://www.example.org']"


def test_a_bad_boolean_is_refused():
    result = run("import django; django.setup()", DEBUG="maybe")
    assert result.returncode != 0 and "DEBUG must be a boolean" in result.stderr


def test_default_production_cache_is_private_to_its_database(tmp_path):
    def cache_of(database_url):
        value = setting(
            "settings.CACHES['default']['LOCATION'], settings.CACHES['default']['KEY_PREFIX']",
            **PRODUCTION,
            DATABASE_URL=database_url,
        )
        location, prefix = value.split()
        return location, prefix

    one = cache_of("postgres://summit@127.0.0.1:5432/summit_one")
    two = cache_of("postgres://summit@127.0.0.1:5432/summit_two")
    other_host = cache_of("postgres://summit@db.example.org:5432/summit_one")
    sqlite = cache_of(f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert len({one[0], two[0], other_host[0], sqlite[0]}) == 4  # four folders
    assert len({one[1], two[1], other_host[1], sqlite[1]}) == 4  # and four key prefixes
    assert one == cache_of("postgres://summit@127.0.0.1:5432/summit_one")  # stable across restarts
    assert one[0].rsplit("/", 1)[1].startswith("summit-cache-") and one[1].startswith("summit-")


def test_two_sites_on_one_machine_do_not_serve_each_others_pages(tmp_path):
    code = (
        "import django; django.setup(); from django.core.cache import cache; import sys;"
        "cache.get('page') is None and cache.set('page', sys.argv[1]); print(cache.get('page'))"
    )
    # TMPDIR keeps the two file caches in this test's folder.
    one = {**PRODUCTION, "TMPDIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'one.sqlite3'}"}
    two = {**PRODUCTION, "TMPDIR": str(tmp_path), "DATABASE_URL": f"sqlite:///{tmp_path / 'two.sqlite3'}"}
    results = [run(["-c", code, name], **env) for name, env in [("one", one), ("two", two), ("again", one)]]
    assert [r.stdout.strip() for r in results] == ["one", "two", "one"], [r.stderr for r in results]


def test_explicit_cache_key_prefix_wins():
    prefix = setting(
        "settings.CACHES['default']['KEY_PREFIX']",
        DEBUG="1",
        CACHE_URL="redis://cache:6379/0",
        CACHE_KEY_PREFIX="x",
    )
    assert prefix == "x"
