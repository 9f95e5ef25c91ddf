"""Public pages that show breakout rooms: the day page, the breakout list and detail, the exports.

They live here, not in sessions_app, because breakouts may read sessions_app and not the reverse.
Every page reads the programme through ``agenda.programme`` or the BreakoutRoom queryset
methods, so the number of queries does not grow with the programme. Responses carry an ETag of
their content and answer a matching If-None-Match with 304; anonymous readers get them from the
cache, keyed by the summit's programme version (and the room's seat version for live seat
counts), so a cached page is never stale (``sessions_app.cache``).
"""

from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from agenda import exports
from agenda.caching import programme_page, seats_page
from agenda.day_grid import build_day_grid
from agenda.day_polls import attach_polls
from agenda.filters import BreakoutRoomFilter
from agenda.programme import build_programme
from agenda.seats import MAX_BOXES, safe_next, seat_boxes, with_seat_boxes
from agenda.views.summits import get_visible_summit
from bookmarks.selectors import stars_of
from breakouts import selectors
from breakouts.models import Booking, BreakoutRoom
from sessions_app.models import Day, Host
from summit.cache import content_etag

__all__ = [
    "day",
    "day_grid",
    "breakout_list",
    "seats",
    "breakout_detail",
    "schedule_json",
    "schedule_xml",
    "schedule_ics",
]


def _facilitators():
    return Prefetch("facilitators", queryset=Host.objects.order_by("name"), to_attr="loaded_facilitators")


def _bookings():
    return Prefetch(
        "bookings",
        queryset=Booking.objects.select_related("room").order_by("label", "room__code"),
        to_attr="loaded_bookings",
    )


def _reader(request, summit):
    """A registered reader's stars and time zone (no query for anonymous readers, whose pages are
    cached for everybody)."""
    participant = selectors.participant_of(request.user, summit)
    if participant is None:
        return {"stars": None, "reader_tz": None}
    return {"stars": stars_of(participant), "reader_tz": participant.time_zone}


@require_safe
@content_etag
@with_seat_boxes
@programme_page
def day(request, summit, position):
    summit = get_visible_summit(request, summit)
    try:
        programme = build_programme(summit, user=request.user, day=position)
    except Day.DoesNotExist:
        raise Http404("No such day") from None
    this_day = programme.loaded_days[0]
    reader = _reader(request, summit)
    attach_polls(programme.parts(), user=request.user, may_answer=reader["stars"] is not None)
    days = programme.days
    index = days.index(this_day)
    context = {
        "summit": summit,
        "programme": programme,
        "day": this_day,
        "days": days,
        "previous_day": days[index - 1] if index > 0 else None,
        "next_day": days[index + 1] if index + 1 < len(days) else None,
        "preview": programme.has_drafts,
        "nav": "day",
        **reader,
    }
    return render(request, "agenda/day.html", context)


@require_safe
@content_etag
@programme_page
def day_grid(request, summit, position):
    """The day as a timetable: time slots by rooms, plenaries and online spaces."""
    summit = get_visible_summit(request, summit)
    try:
        programme = build_programme(summit, user=request.user, day=position)
    except Day.DoesNotExist:
        raise Http404("No such day") from None
    this_day = programme.loaded_days[0]
    day_url = reverse("agenda:day", kwargs={"summit": summit.slug, "position": this_day.position})
    context = {
        "summit": summit,
        "day": this_day,
        "day_url": day_url,
        "days": programme.days,
        "grid": build_day_grid(this_day, day_url),
        "preview": programme.has_drafts,
        "nav": "day",
        **_reader(request, summit),
    }
    return render(request, "agenda/day_grid.html", context)


@require_safe
@content_etag
@with_seat_boxes
@programme_page
def breakout_list(request, summit):
    summit = get_visible_summit(request, summit)
    breakout_rooms = (
        BreakoutRoom.objects.of_summit(summit)
        .visible_to(request.user)
        .in_programme_order()
        .select_related("part__session__day__summit")
        .prefetch_related(_bookings(), _facilitators())
    )
    filterset = BreakoutRoomFilter(request.GET or None, queryset=breakout_rooms, summit=summit)
    results = list(filterset.qs)
    context = {
        "summit": summit,
        "filter": filterset,
        "breakout_rooms": results,
        "total": breakout_rooms.count() if filterset.is_bound else len(results),
        "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        "preview": not summit.is_published
        or any(not (b.part.is_published and b.is_published) for b in results),
        "nav": "breakouts",
        **_reader(request, summit),
    }
    return render(request, "agenda/list.html", context)


@never_cache
@require_safe
def seats(request, summit):
    """The seat boxes of the breakout rooms named by ``?b=<slug>`` (repeated), for the script that
    keeps a page's seat counts current; ``next`` is the page the boxes' forms return to."""
    slugs = request.GET.getlist("b")[:MAX_BOXES]
    next_url = safe_next(request, reverse("agenda:overview", kwargs={"summit": summit}))
    boxes = seat_boxes(request, summit, slugs, next_url=next_url)
    body = "".join(boxes[slug] for slug in dict.fromkeys(slugs))
    return HttpResponse(f'<div class="seat-boxes">{body}</div>', content_type="text/html; charset=utf-8")


class BreakoutRoomDetailView(DetailView):
    """One breakout room: its text, where and when it meets, and the picking partial."""

    template_name = "agenda/detail.html"
    context_object_name = "breakout_room"
    slug_url_kwarg = "breakout"

    def get_queryset(self):
        self.summit = get_visible_summit(self.request, self.kwargs["summit"])
        return (
            BreakoutRoom.objects.of_summit(self.summit)
            .visible_to(self.request.user)
            .in_programme_order()
            .select_related("part__session__day__summit")
            # charter_sections: the charter app's reverse relation, shown by its template partial.
            .prefetch_related(_bookings(), _facilitators(), "charter_sections")
            .with_seat_counts()
            .with_first_choice_counts()
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        breakout_room = self.object
        context.update(
            {
                "summit": self.summit,
                "part": breakout_room.part,
                "session": breakout_room.part.session,
                "day": breakout_room.part.session.day,
                "preview": not self.summit.is_published
                or not (breakout_room.part.is_published and breakout_room.is_published),
                "nav": "breakouts",
                "picking": selectors.participant_state(self.request.user, breakout_room),
            }
        )
        participant = context["picking"].participant
        context["reader_tz"] = participant.time_zone if participant else None
        return context


breakout_detail = require_safe(seats_page(BreakoutRoomDetailView.as_view()))


# ---------------------------------------------------------------------------------------- exports


def _export(request, summit):
    summit = get_visible_summit(request, summit)
    programme = build_programme(summit, user=request.user)
    events = exports.programme_events(programme, absolute_uri=request.build_absolute_uri)
    return programme, events


def _last_change(programme):
    stamps = [programme.summit.updated_at]
    for part in programme.parts():
        stamps.append(part.updated_at)
        stamps.extend(b.updated_at for b in part.loaded_breakout_rooms)
    return max(stamps)


def _export_response(content, content_type, filename):
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    # Public programme data: schedule apps and calendar clients may read it from anywhere.
    response["Access-Control-Allow-Origin"] = "*"
    return response


def _urls(request, summit):
    return (
        request.build_absolute_uri(reverse("agenda:overview", kwargs={"summit": summit.slug})),
        request.build_absolute_uri("/"),
    )


def _schedule_export(render, content_type, extension):
    """A schedule export view: the programme's events through one of exports' renderers."""

    @require_safe
    @programme_page
    def view(request, summit):
        programme, events = _export(request, summit)
        url, base_url = _urls(request, programme.summit)
        content = render(programme, events, url=url, base_url=base_url)
        return _export_response(content, content_type, f"{programme.summit.slug}.{extension}")

    return view


schedule_json = _schedule_export(exports.render_json, "application/json; charset=utf-8", "json")
schedule_xml = _schedule_export(exports.render_xml, "application/xml; charset=utf-8", "xml")


@require_safe
@programme_page
def schedule_ics(request, summit):
    programme, events = _export(request, summit)
    url, _base = _urls(request, programme.summit)
    content = exports.render_ics(
        events,
        name=programme.summit.name,
        stamp=_last_change(programme),
        url=url,
        description=programme.summit.description,
    )
    return _export_response(content, "text/calendar; charset=utf-8", f"{programme.summit.slug}.ics")
