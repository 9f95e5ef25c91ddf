"""The summit overview, and the summit a bare / leads to."""

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_safe

from agenda.caching import programme_page
from sessions_app.models import Session, Summit


def get_visible_summit(request, slug):
    return get_object_or_404(Summit.objects.visible_to(request.user), slug=slug)


@require_safe
def current_summit(request):
    summit = Summit.objects.visible_to(request.user).first()
    if summit is None:
        return render(request, "agenda/no_summit.html", status=404)
    return redirect(summit)


@require_safe
@programme_page
def overview(request, summit):
    summit = get_visible_summit(request, summit)
    days = summit.days.order_by("position").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("number"))
    )
    return render(request, "agenda/overview.html", {"summit": summit, "days": days, "nav": "overview"})
