"""Public programme pages."""

from django.conf import settings
from django.db import connection
from django.db.models import Prefetch
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import check_for_language
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .cache import public_page
from .models import Session, Summit


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers: the app answers and so does its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok\n", content_type="text/plain")


def get_visible_summit(request, slug):
    return get_object_or_404(Summit.objects.visible_to(request.user), slug=slug)


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


@require_safe
def current_summit(request):
    summit = Summit.objects.visible_to(request.user).first()
    if summit is None:
        return render(request, "sessions_app/no_summit.html", status=404)
    return redirect(summit)


@require_safe
@public_page()
def overview(request, summit):
    summit = get_visible_summit(request, summit)
    days = summit.days.order_by("position").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("number"))
    )
    return render(request, "sessions_app/overview.html", {"summit": summit, "days": days, "nav": "overview"})


# 5 KB of fixed text: the benchmark's ceiling, what this stack serves when a view does no work.
_CEILING_BODY = ("Summit benchmark ceiling. " * 205)[:5120].encode()


@require_safe
def benchmark_ceiling(request):
    """Only routed when BENCHMARK_CEILING is set (scripts/bench_web.py)."""
    return HttpResponse(_CEILING_BODY, content_type="text/plain")
