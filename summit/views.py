"""Site-wide views that belong to no summit: liveness, the language choice, the benchmark ceiling."""

from django.conf import settings
from django.db import connection
from django.http import HttpResponse, HttpResponsePermanentRedirect, HttpResponseRedirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers: the app answers and so does its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok\n", content_type="text/plain")


@require_safe
def choose_language(request):
    """Set the reader's interface language and go back to where they were.

    Unlike Django's set_language this takes a GET: choosing a language changes no data, only a
    preference cookie, and keeping CSRF tokens off public pages lets a shared cache (or a CDN)
    serve them to everybody.
    """
    next_url = request.GET.get("next") or "/"
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = "/"
    response = HttpResponseRedirect(next_url)
    language = request.GET.get("language", "")
    if language in dict(settings.LANGUAGES) and check_for_language(language):
        response.set_cookie(
            settings.LANGUAGE_COOKIE_NAME,
            language,
            max_age=settings.LANGUAGE_COOKIE_AGE,
            path=settings.LANGUAGE_COOKIE_PATH,
            domain=settings.LANGUAGE_COOKIE_DOMAIN,
            secure=settings.LANGUAGE_COOKIE_SECURE,
            httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
            samesite=settings.LANGUAGE_COOKIE_SAMESITE,
        )
    return response


# 5 KB of fixed text: the benchmark's ceiling, what this stack serves when a view does no work.
_CEILING_BODY = ("Summit benchmark ceiling. " * 205)[:5120].encode()


@require_safe
def benchmark_ceiling(request):
    """Only routed when BENCHMARK_CEILING is set (scripts/bench_web.py)."""
    return HttpResponse(_CEILING_BODY, content_type="text/plain")


@require_safe
def favicon(request):
    """Browsers ask for /favicon.ico whatever the page says: send them to the icon."""
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("favicon.svg"))
