"""Public programme pages."""

from django.db import connection
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
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
