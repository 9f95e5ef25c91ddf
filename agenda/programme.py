"""The programme builder: one prefetched structure that every public format reads.

``build_programme`` loads a summit's days, and for the chosen days their sessions, parts, hosts,
breakout rooms, bookings and rooms, in a fixed number of queries whatever the programme's size.
The day page, schedule.json, schedule.xml and schedule.ics all render from what it returns.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Prefetch
from django.utils import timezone

from breakouts.models import Booking, BreakoutRoom
from sessions_app.models import Day, Host, Session, SessionPart, Summit

#: Queries made by ``build_programme``: days, sessions, parts, hosts, breakout rooms, bookings+rooms,
#: facilitators.
QUERY_COUNT = 7


@dataclasses.dataclass
class Programme:
    summit: Summit
    days: list[Day]
    #: The days whose sessions were loaded (all of them unless one day was asked for).
    loaded_days: list[Day]
    #: True when the reader sees parts the public does not (organisers previewing drafts).
    has_drafts: bool

    def parts(self):
        for day in self.loaded_days:
            for session in day.loaded_sessions:
                yield from session.loaded_parts

    def timed_parts(self):
        return [part for part in self.parts() if part.is_timed]


def _parts_queryset(user):
    bookings = Booking.objects.select_related("room").order_by("label", "room__code")
    breakout_rooms = (
        BreakoutRoom.objects.visible_to(user)
        .order_by("position")
        .prefetch_related(
            Prefetch("bookings", queryset=bookings, to_attr="loaded_bookings"),
            Prefetch("facilitators", queryset=Host.objects.order_by("name"), to_attr="loaded_facilitators"),
        )
    )
    return (
        SessionPart.objects.visible_to(user)
        .order_by("position")
        .prefetch_related(
            "hosts",
            Prefetch("breakout_rooms", queryset=breakout_rooms, to_attr="loaded_breakout_rooms"),
        )
    )


def build_programme(summit, *, user, day=None, now=None):
    """The summit's programme as ``user`` may see it; with ``day`` (a position), that day's only.

    Raises ``Day.DoesNotExist`` when ``day`` is given and the summit has no such day.
    """
    days = list(summit.days.order_by("position"))
    loaded = days if day is None else [d for d in days if d.position == day]
    if day is not None and not loaded:
        raise Day.DoesNotExist(f"{summit.slug} has no day {day}")
    sessions = (
        Session.objects.filter(day__in=loaded)
        .order_by("number")
        .prefetch_related(Prefetch("parts", queryset=_parts_queryset(user), to_attr="loaded_parts"))
    )
    by_day = {d.pk: d for d in loaded}
    for d in loaded:
        d.loaded_sessions = []
    for session in sessions:
        session.day = by_day[session.day_id]
        by_day[session.day_id].loaded_sessions.append(session)

    has_drafts = not summit.is_published
    for d in loaded:
        for session in d.loaded_sessions:
            for part in session.loaded_parts:
                has_drafts = has_drafts or not part.is_published
                for breakout_room in part.loaded_breakout_rooms:
                    has_drafts = has_drafts or not breakout_room.is_published
                    # Shared instances, so get_absolute_url() and friends never query.
                    breakout_room.summit = summit
                    breakout_room.part = part
    programme = Programme(summit=summit, days=days, loaded_days=loaded, has_drafts=has_drafts)
    mark_now_and_next(programme, now or timezone.now())
    return programme


def mark_now_and_next(programme, now):
    """Set ``status`` on each session and part: "now" while it runs, "next" for what starts next.

    "Next" is only given on the day something runs or is about to (within 12 hours), so a
    programme read weeks ahead carries no marker.
    """
    horizon = now + dt.timedelta(hours=12)
    for item in _timed_items(programme):
        item.status = ""
    upcoming = {}
    for kind, item in _timed_items(programme, with_kind=True):
        if item.starts_at <= now < item.ends_at:
            item.status = "now"
        elif now < item.starts_at <= horizon:
            first = upcoming.get(kind)
            if first is None or item.starts_at < first[0].starts_at:
                upcoming[kind] = [item]
            elif item.starts_at == first[0].starts_at:
                first.append(item)
    for items in upcoming.values():
        for item in items:
            item.status = "next"


def _timed_items(programme, with_kind=False):
    for day in programme.loaded_days:
        for session in day.loaded_sessions:
            session.starts_at, session.ends_at = session.start, session.end
            if session.start:
                yield ("session", session) if with_kind else session
            for part in session.loaded_parts:
                if part.is_timed and part.ends_at:
                    yield ("part", part) if with_kind else part
