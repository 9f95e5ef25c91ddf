"""Public pages that show breakout rooms: the day page, the breakout list and detail, the exports.

They live here, not in sessions_app, because breakouts may read sessions_app and not the reverse.
Every page reads the programme through ``agenda.programme`` or the BreakoutRoom queryset
methods, so the number of queries does not grow with the programme. Responses carry an ETag of
their content and answer a matching If-None-Match with 304; anonymous readers get them from the
cache, keyed by the summit's programme version (and the room's seat version for live seat
counts), so a cached page is never stale (``sessions_app.cache``).
"""

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe
from django.views.generic import DetailView

from agenda import cards, exports, readers
from agenda.caching import programme_page, public_data, seats_page
from agenda.day_grid import build_day_grid
from agenda.day_polls import attach_polls
from agenda.filters import BreakoutRoomFilter
from agenda.programme import build_programme
from agenda.seats import MAX_BOXES, safe_next, seat_boxes, with_seat_boxes
from agenda.views.summits import get_visible_summit
from bookmarks.selectors import Stars
from breakouts import selectors
from breakouts.models import Booking, BreakoutRoom, Room
from sessions_app.models import Day, Host, SessionPart
from summit.page_cache import building_shared_page, content_etag

#: Breakout rooms per page of the breakout list: no page grows with the programme.
LIST_PAGE_SIZE = 50

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


def _bookings(*, with_rooms=True):
    bookings = Booking.objects.order_by("label", "room__code")
    return Prefetch(
        "bookings",
        queryset=bookings.select_related("room") if with_rooms else bookings,
        to_attr="loaded_bookings",
    )


def _reader(request, summit):
    """The reader's stars and time zone. A page shared by signed-in readers has a slot for every
    star (filled per reader) and is built for their time zone."""
    reader = getattr(request, "reader", None) or readers.reader_of(request, summit.slug)
    if building_shared_page(request):
        return {"stars": Stars(set(), set()), "reader_tz": reader.time_zone}
    if not reader.is_registered:
        return {"stars": None, "reader_tz": None}
    return {
        "stars": Stars(reader.starred_parts, reader.starred_breakout_rooms),
        "reader_tz": reader.time_zone,
    }


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
    if building_shared_page(request):
        # Only which parts have polls: each reader's answers and forms go into the polls' slots.
        attach_polls(programme.parts(), user=AnonymousUser(), may_answer=False)
    else:
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
    rooms = [b for part in programme.parts() for b in getattr(part, "loaded_breakout_rooms", ())]
    cards.prefetch(request, rooms, level=4, show_part=False, reader_tz=reader["reader_tz"])
    response = render(request, "agenda/day.html", context)
    cards.keep(request)
    return response


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
        # Parts, sessions, days and rooms are few: read once and shared, not built per row.
        .select_related(None)
        .prefetch_related(_bookings(with_rooms=False), _facilitators())
    )
    filterset = BreakoutRoomFilter(request.GET or None, queryset=breakout_rooms, summit=summit)
    matches = filterset.qs
    page = Paginator(matches, LIST_PAGE_SIZE).get_page(request.GET.get("page"))
    results = list(page.object_list)
    share_programme_objects(summit, results)
    count = page.paginator.count
    context = {
        "summit": summit,
        "filter": filterset,
        "breakout_rooms": results,
        "page_obj": page,
        "matches": count,
        "total": breakout_rooms.count() if filterset.is_bound else count,
        "is_filtered": any(request.GET.get(name) for name in filterset.filters),
        "preview": not summit.is_published
        or any(not (b.part.is_published and b.is_published) for b in results),
        "nav": "breakouts",
        **_reader(request, summit),
    }
    cards.prefetch(request, results, level=2, show_part=True, reader_tz=context["reader_tz"])
    response = render(request, "agenda/list.html", context)
    cards.keep(request)
    return response


def share_programme_objects(summit, breakout_rooms):
    """Give these breakout rooms their parts (with session and day), their summit and their
    bookings' rooms, each read once (two queries) and shared by every breakout room."""
    part_ids = {b.part_id for b in breakout_rooms}
    parts = {
        part.pk: part for part in SessionPart.objects.filter(pk__in=part_ids).select_related("session__day")
    }
    rooms = Room.objects.in_bulk({booking.room_id for b in breakout_rooms for booking in b.loaded_bookings})
    for part in parts.values():
        part.session.day.summit = summit
    for breakout_room in breakout_rooms:
        breakout_room.summit = summit
        breakout_room.part = parts[breakout_room.part_id]
        for booking in breakout_room.loaded_bookings:
            booking.room = rooms.get(booking.room_id)


@never_cache
@require_safe
def seats(request, summit):
    """The seat boxes of the breakout rooms named by ``?b=<slug>`` (repeated), for the script that
    keeps a page's seat counts current; ``next`` is the page the boxes' forms return to."""
    slugs = request.GET.getlist("b")[:MAX_BOXES]
    next_url = safe_next(request, reverse("agenda:overview", kwargs={"summit": summit}))
    boxes = seat_boxes(request, summit, slugs, next_url=next_url)
    body = b"".join(boxes[slug] for slug in dict.fromkeys(slugs))
    return HttpResponse(
        b'<div class="seat-boxes">' + body + b"</div>", content_type="text/html; charset=utf-8"
    )


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
            }
        )
        if building_shared_page(self.request):
            context["reader_tz"] = self.request.reader.time_zone
        else:
            context["picking"] = selectors.participant_state(self.request.user, breakout_room)
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
    @public_data
    def view(request, summit):
        programme, events = _export(request, summit)
        url, base_url = _urls(request, programme.summit)
        content = render(programme, events, url=url, base_url=base_url)
        return _export_response(content, content_type, f"{programme.summit.slug}.{extension}")

    return view


schedule_json = _schedule_export(exports.render_json, "application/json; charset=utf-8", "json")
schedule_xml = _schedule_export(exports.render_xml, "application/xml; charset=utf-8", "xml")


@require_safe
@public_data
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
