"""Check-in on the day: an organiser or a room's host, on a phone, finds a person and taps once.

Plain forms, no script: the list is searched with GET and each tap is a POST that comes back to
the same list (post/redirect/get). Nobody else sees who has arrived."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from agenda.dashboard import breakout_rooms_with_fill
from breakouts import services
from breakouts.models import Assignment, CheckIn, Participant
from sessions_app.models import Summit
from summit.middleware import is_id

#: Walk-ins found by a search, beyond the room's own seats and waitlist, are listed up to this many.
WALK_INS = 20


def _rooms_for(user, summit):
    rooms = breakout_rooms_with_fill(summit).select_related("part__session")
    if user.has_perm("breakouts.add_checkin"):
        return rooms
    return rooms.filter(check_in_hosts=user)


@never_cache
@login_required
def room_list(request, summit):
    """The breakout rooms the signed-in organiser or host checks people in to."""
    summit = get_object_or_404(Summit, slug=summit)
    rooms = list(
        _rooms_for(request.user, summit).order_by("part__session__start", "part__position", "position")
    )
    if not rooms and not request.user.has_perm("breakouts.add_checkin"):
        raise PermissionDenied
    return render(request, "agenda/checkin_list.html", {"summit": summit, "rooms": rooms, "nav": "checkin"})


def _people(breakout_room, query):
    """Seated and waiting people of the room (matching `query`), then walk-ins of the summit."""
    arrived = CheckIn.objects.filter(participant=OuterRef("participant"), breakout_room=breakout_room)
    entries = (
        Assignment.objects.filter(breakout_room=breakout_room)
        .select_related("participant", "booking__room")
        .annotate(checked_in=Exists(arrived))
        .order_by("status", "participant__display_name", "pk")
    )
    if query:
        entries = entries.filter(participant__display_name__icontains=query)
    entries = list(entries)
    walk_ins = []
    if query:
        here = CheckIn.objects.filter(participant=OuterRef("pk"), breakout_room=breakout_room)
        walk_ins = list(
            Participant.objects.filter(summit_id=breakout_room.summit_id, display_name__icontains=query)
            .exclude(assignments__breakout_room=breakout_room)
            .annotate(checked_in=Exists(here))
            .order_by("display_name", "pk")[:WALK_INS]
        )
    return entries, walk_ins


@never_cache
@login_required
def room(request, summit, breakout):
    """One breakout room's check-in list: search by name, one tap to check in or undo."""
    summit = get_object_or_404(Summit, slug=summit)
    # With its counts of the whole room (seats taken, check-ins), whatever the search shows.
    rooms = breakout_rooms_with_fill(summit).select_related("part__session", "summit")
    breakout_room = get_object_or_404(rooms, slug=breakout)
    if not services.can_check_in(request.user, breakout_room):
        raise PermissionDenied
    query = (request.POST.get("q") if request.method == "POST" else request.GET.get("q", "")) or ""
    query = query.replace("\x00", "")  # PostgreSQL cannot compare text holding a NUL
    query = query.strip()[:100]
    if request.method == "POST":
        given = request.POST.get("participant", "")
        if not is_id(given):
            raise Http404  # no participant has this id
        participant = get_object_or_404(Participant, pk=given, summit=summit)
        try:
            if request.POST.get("action") == "undo":
                services.undo_check_in(participant=participant, breakout_room=breakout_room, by=request.user)
                messages.info(
                    request, _("%(name)s is no longer checked in.") % {"name": participant.display_name}
                )
            else:
                services.check_in(participant=participant, breakout_room=breakout_room, by=request.user)
                messages.success(request, _("%(name)s is checked in.") % {"name": participant.display_name})
        except services.BreakoutError as error:
            messages.error(request, str(error))
        url = reverse("agenda:checkin_room", args=[summit.slug, breakout_room.slug])
        return HttpResponseRedirect(f"{url}?{urlencode({'q': query})}" if query else url)
    entries, walk_ins = _people(breakout_room, query)
    seated = [e for e in entries if e.status == Assignment.Status.CONFIRMED]
    context = {
        "summit": summit,
        "breakout_room": breakout_room,
        "query": query,
        "seated": seated,
        "waiting": [e for e in entries if e.status == Assignment.Status.WAITLISTED],
        "walk_ins": walk_ins,
        "checked_in": breakout_room.checked_in,
        "onsite_seated": breakout_room.onsite_taken,
        "nav": "checkin",
    }
    return render(request, "agenda/checkin.html", context)
