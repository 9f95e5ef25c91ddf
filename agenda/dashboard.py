"""The organisers' dashboard of one summit: what runs now and next, each breakouts part's picking
state, and the fill of every breakout room per mode. A fixed number of queries, whatever the size."""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.db.models import Count, F, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from breakouts.models import Assignment, AssignmentRun, BreakoutRoom, CheckIn, Mode, Picking
from breakouts.services.checkin import release_due_at
from sessions_app.models import SessionPart

#: A room asked by fewer first choices than this share of its seats is flagged as under-asked.
UNDER_ASKED_SHARE = 0.5
# The fill chart: row height, label column and pixels per percent of a room's seats (fits 360 px).
CHART_ROW, CHART_LABEL, CHART_SCALE = 16, 110, 1.6


def _count(queryset, **filters):
    counted = (
        queryset.filter(**filters).order_by().values("breakout_room").annotate(n=Count("pk")).values("n")
    )
    return Coalesce(Subquery(counted[:1], output_field=IntegerField()), Value(0))


def breakout_rooms_with_fill(summit):
    """Every breakout room of the summit with seats, waitlists, first choices and check-ins per mode."""
    waiting = Assignment.objects.waitlisted().filter(breakout_room=OuterRef("pk"))
    arrived = CheckIn.objects.filter(breakout_room=OuterRef("pk"))
    return (
        BreakoutRoom.objects.of_summit(summit)
        .with_seat_counts()
        .with_first_choice_counts()
        .annotate(
            onsite_waiting=_count(waiting, mode=Mode.ONSITE),
            online_waiting=_count(waiting, mode=Mode.ONLINE),
            checked_in=_count(arrived),
        )
        .order_by("part_id", "position")
    )


@dataclasses.dataclass
class ModeFill:
    mode: str
    label: str
    capacity: int
    taken: int
    waiting: int
    first_choices: int

    @property
    def percent(self):
        return round(100 * self.taken / self.capacity) if self.capacity else 0

    @property
    def taken_width(self):
        """The bar of seats taken, in chart units (100 = full)."""
        return min(self.percent, 100)

    @property
    def waiting_width(self):
        """The waitlist drawn past the bar, in chart units, at most 50."""
        if not self.waiting:
            return 0
        return min(round(100 * self.waiting / self.capacity), 50) if self.capacity else 50

    @property
    def demand(self):
        """'over' when more ranked it first than it has seats, 'under' when far fewer did."""
        if self.first_choices > self.capacity:
            return "over"
        if self.capacity and self.first_choices < UNDER_ASKED_SHARE * self.capacity:
            return "under"
        return ""


@dataclasses.dataclass
class RoomFill:
    breakout_room: BreakoutRoom
    modes: list[ModeFill]
    checked_in: int


@dataclasses.dataclass
class PartState:
    """A breakouts part on the dashboard: its picking window, the state it is in and its rooms."""

    part: SessionPart
    picking: Picking | None
    rooms: list[RoomFill]
    runs: list[AssignmentRun]
    now: dt.datetime

    @property
    def state(self):
        if self.picking is None:
            return "none"
        if self.now < self.picking.opens_at:
            return "scheduled"
        if self.now < self.picking.closes_at:
            return "open"
        return "closed"

    @property
    def is_ranked(self):
        return bool(self.picking and self.picking.method == Picking.Method.RANKED)

    @property
    def countdown(self):
        """Time left until the window opens (scheduled) or closes (open), else None."""
        if self.picking is None:
            return None
        if self.state == "scheduled":
            return self.picking.opens_at - self.now
        if self.state == "open":
            return self.picking.closes_at - self.now
        return None

    @property
    def countdown_minutes(self):
        left = self.countdown
        return None if left is None else int(left.total_seconds() // 60)

    @property
    def published_run(self):
        return next((run for run in self.runs if run.published_at), None)

    @property
    def latest_run(self):
        return self.runs[0] if self.runs else None

    @property
    def release_due_at(self):
        return release_due_at(self.picking) if self.picking else None

    @property
    def release_is_due(self):
        due = self.release_due_at
        return bool(due and self.picking and due <= self.now and self.picking.released_at is None)

    @property
    def checked_in(self):
        return sum(room.checked_in for room in self.rooms)

    @property
    def onsite_seated(self):
        return sum(fill.taken for room in self.rooms for fill in room.modes if fill.mode == Mode.ONSITE)

    @property
    def chart(self):
        """Rows of the fill chart (inline SVG): one bar per breakout room and mode, in pixels."""
        rows: list[dict] = []
        for room in self.rooms:
            for fill in room.modes:
                y = len(rows) * CHART_ROW
                rows.append(
                    {
                        "y": y,
                        "text_y": y + CHART_ROW - 4,
                        "bar_y": y + 2,
                        "label": f"{room.breakout_room.position}. {fill.label}",
                        "title": f"{room.breakout_room.title} · {fill.label}: "
                        f"{fill.taken}/{fill.capacity} (+{fill.waiting})",
                        "taken": round(fill.taken_width * CHART_SCALE),
                        "waiting_x": CHART_LABEL + round(fill.taken_width * CHART_SCALE),
                        "waiting": round(fill.waiting_width * CHART_SCALE),
                    }
                )
        return {
            "rows": rows,
            "height": len(rows) * CHART_ROW + 4,
            "label_width": CHART_LABEL,
            "track": round(100 * CHART_SCALE),
        }

    @property
    def over_asked(self):
        return [(room, fill) for room in self.rooms for fill in room.modes if fill.demand == "over"]

    @property
    def under_asked(self):
        return [(room, fill) for room in self.rooms for fill in room.modes if fill.demand == "under"]


@dataclasses.dataclass
class Dashboard:
    summit: object
    now: dt.datetime
    running: list[SessionPart]
    upcoming: list[SessionPart]
    parts: list[PartState]

    @property
    def picking_is_live(self):
        """True while a window is open or opens within the hour: the page then refreshes itself."""
        soon = dt.timedelta(hours=1)
        return any(
            p.state == "open" or (p.state == "scheduled" and p.countdown <= soon) or p.release_is_due
            for p in self.parts
        )


def _fills(breakout_room):
    modes = []
    for mode, label in Mode.choices:
        if not breakout_room.offers(mode):
            continue
        modes.append(
            ModeFill(
                mode=mode,
                label=str(label),
                capacity=getattr(breakout_room, f"{mode}_capacity"),
                taken=getattr(breakout_room, f"{mode}_taken"),
                waiting=getattr(breakout_room, f"{mode}_waiting"),
                first_choices=getattr(breakout_room, f"first_choice_{mode}"),
            )
        )
    return RoomFill(breakout_room, modes, breakout_room.checked_in)


def dashboard(summit, *, now=None):
    """Build the dashboard of a summit in three queries: parts (with their sessions, days and
    picking windows), breakout rooms with their counts, and the assignment runs without results."""
    now = now or timezone.now()
    parts = list(
        SessionPart.objects.of_summit(summit)
        .select_related("session__day", "picking")
        .order_by(
            "session__day__position",
            F("session__start").asc(nulls_last=True),
            "session__number",
            F("start").asc(nulls_last=True),
            "position",
        )
    )
    timed = [p for p in parts if p.is_timed]
    running = [p for p in timed if p.starts_at <= now < p.ends_at]
    later = sorted((p for p in timed if p.starts_at > now), key=lambda p: p.starts_at)
    upcoming = [p for p in later if p.starts_at == later[0].starts_at] if later else []

    rooms_by_part: dict[int, list[RoomFill]] = {}
    for breakout_room in breakout_rooms_with_fill(summit):
        rooms_by_part.setdefault(breakout_room.part_id, []).append(_fills(breakout_room))
    runs_by_part: dict[int, list[AssignmentRun]] = {}
    runs = AssignmentRun.objects.filter(part__session__day__summit=summit).defer("results", "report")
    for run in runs.order_by("-started_at", "-pk"):
        runs_by_part.setdefault(run.part_id, []).append(run)

    states = []
    for part in parts:
        if part.kind != SessionPart.Kind.BREAKOUTS:
            continue
        try:
            picking = part.picking
        except Picking.DoesNotExist:
            picking = None
        for room in rooms_by_part.get(part.pk, []):
            room.breakout_room.part = part  # shared instance: its __str__ needs no query
        states.append(
            PartState(part, picking, rooms_by_part.get(part.pk, []), runs_by_part.get(part.pk, []), now)
        )
    return Dashboard(summit, now, running, upcoming, states)


__all__ = ["Dashboard", "PartState", "breakout_rooms_with_fill", "dashboard"]
