"""Public breakout-room pages."""

from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_safe

from sessions_app.views import get_visible_summit

from .models import BreakoutRoom


@require_safe
def breakout_list(request, summit):
    summit = get_visible_summit(request, summit)
    breakout_rooms = BreakoutRoom.objects.of_summit(summit).visible_to(request.user).in_programme_order()
    return render(request, "breakouts/list.html", {"summit": summit, "breakout_rooms": breakout_rooms})


@require_safe
def breakout_detail(request, summit, breakout):
    summit = get_visible_summit(request, summit)
    breakout_room = get_object_or_404(
        BreakoutRoom.objects.of_summit(summit).visible_to(request.user).in_programme_order(), slug=breakout
    )
    return render(request, "breakouts/detail.html", {"summit": summit, "breakout_room": breakout_room})
