"""The charter page."""

from django.shortcuts import render
from django.views.decorators.http import require_safe

from sessions_app.views import get_visible_summit


@require_safe
def charter(request, summit):
    summit = get_visible_summit(request, summit)
    return render(request, "charter/charter.html", {"summit": summit, "sections": summit.charter_sections.all()})
