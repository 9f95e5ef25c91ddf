"""Public programme pages."""

import functools
import hashlib
import re

from django.db import connection
from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import get_conditional_response
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from .models import Session, Summit


@never_cache
@require_safe
def healthz(request):
    """Liveness for load balancers: the app answers and so does its database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return HttpResponse("ok\n", content_type="text/plain")


_CSRF_VALUE = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


def content_etag(view):
    """ETag of the page's content, answered with 304 when the reader already has it.

    CSRF tokens are masked afresh on every render, so they are left out of the hash: a page whose
    only difference is its token is the same page (the reader's token stays valid for its cookie).
    """

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        response = view(request, *args, **kwargs)
        if request.method not in ("GET", "HEAD") or response.status_code != 200 or response.streaming:
            return response
        if hasattr(response, "render") and callable(response.render):
            response = response.render()
        digest = hashlib.sha256(_CSRF_VALUE.sub(b"", response.content)).hexdigest()[:32]
        response["ETag"] = f'"{digest}"'
        return get_conditional_response(request, etag=response["ETag"], response=response)

    return wrapper


def get_visible_summit(request, slug):
    return get_object_or_404(Summit.objects.visible_to(request.user), slug=slug)


@require_safe
def current_summit(request):
    summit = Summit.objects.visible_to(request.user).first()
    if summit is None:
        return render(request, "sessions_app/no_summit.html", status=404)
    return redirect(summit)


@require_safe
@content_etag
def overview(request, summit):
    summit = get_visible_summit(request, summit)
    days = summit.days.order_by("position").prefetch_related(
        Prefetch("sessions", queryset=Session.objects.order_by("number"))
    )
    return render(request, "sessions_app/overview.html", {"summit": summit, "days": days, "nav": "overview"})
