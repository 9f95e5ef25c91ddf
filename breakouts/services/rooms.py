"""Rooms booked for breakout rooms, and copies of breakout rooms and sessions."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from sessions_app import services as sessions_services
from sessions_app.cache import programme_changed

from ..cache import seating_changed
from ..exceptions import BreakoutError
from ..models import Booking, BreakoutRoom, Picking


def _save_booking(booking):
    booking.part_id = booking.breakout_room.part_id
    try:
        booking.full_clean()
    except ValidationError as error:
        raise BreakoutError(" ".join(error.messages)) from None
    booking.save()


@transaction.atomic
def set_rooms(*, breakout_room, rooms):
    """Book `rooms` for a breakout room: one room, or two for a double session (A, B in order).

    Bookings are changed in place where they can be, so seats already given stay with their room.
    """
    if not 1 <= len(rooms) <= 2 and not (not rooms and breakout_room.format == BreakoutRoom.Format.ONLINE):
        raise BreakoutError(_("A breakout room is held in one room, or two for a double session."))
    if rooms and breakout_room.assignments.filter(booking__isnull=True, status="confirmed").exists():
        raise BreakoutError(
            _("“%(title)s” has participants seated in its online space; move them before booking a room.")
            % {"title": breakout_room.title}
        )
    if len(rooms) == 2 and rooms[0].pk == rooms[1].pk:
        raise BreakoutError(_("A double session needs two different rooms."))
    labels = [Booking.Label.SINGLE] if len(rooms) == 1 else [Booking.Label.A, Booking.Label.B][: len(rooms)]
    wanted = dict(zip(labels, rooms, strict=True))
    bookings = list(breakout_room.bookings.select_for_update().select_related("room").order_by("pk"))

    # Keep a booking whose room is still wanted, under its new label; the rest may change room.
    kept = {}
    for booking in bookings:
        for label, room in wanted.items():
            if booking.room_id == room.pk:
                kept[label] = booking
    spare = [b for b in bookings if b not in kept.values()]
    for label in wanted:
        if label not in kept and spare:
            kept[label] = spare.pop(0)
    for booking in spare:
        if booking.assignments.exists():
            raise BreakoutError(
                _("Room %(room)s still has seats given out; move those participants first.")
                % {"room": booking.room.code}
            )
        booking.delete()

    # Relabel without two bookings ever sharing a label: with at most two bookings one of the
    # three labels is always free to park on.
    pending = {label: b for label, b in kept.items() if b.label != label}
    while pending:
        taken = {b.label for b in kept.values()}
        ready = [label for label in pending if label not in taken]
        if ready:
            booking = pending.pop(ready[0])
            booking.label = ready[0]
        else:
            booking = next(iter(pending.values()))
            booking.label = next(label for label in Booking.Label.values if label not in taken)
        Booking.objects.filter(pk=booking.pk).update(label=booking.label)
        programme_changed([breakout_room.summit_id])
        seating_changed([breakout_room.summit_id])

    for label, room in wanted.items():
        booking = kept.get(label) or Booking(breakout_room=breakout_room, label=label)
        if booking.pk and booking.room_id == room.pk:
            continue
        booking.room = room
        _save_booking(booking)
    return list(breakout_room.bookings.order_by("label"))


def _copy_breakout_room(breakout_room, **changes):
    copy = BreakoutRoom.objects.get(pk=breakout_room.pk)
    copy.pk = None
    copy._state.adding = True
    for name, value in changes.items():
        setattr(copy, name, value)
    copy.save()
    copy.facilitators.set(breakout_room.facilitators.all())
    return copy


def _free_slug(summit_id, slug):
    similar = BreakoutRoom.objects.filter(summit=summit_id, slug__startswith=slug)
    taken = set(similar.values_list("slug", flat=True))
    candidate, n = f"{slug}-copy", 2
    while candidate in taken:
        candidate, n = f"{slug}-copy-{n}", n + 1
    return candidate


@transaction.atomic
def duplicate_breakout_room(*, breakout_room):
    """Copy a breakout room into the same part as a draft, without rooms (they are booked there
    already)."""
    last = breakout_room.part.breakout_rooms.aggregate(n=Max("position"))["n"]
    return _copy_breakout_room(
        breakout_room,
        position=last + 1,
        slug=_free_slug(breakout_room.summit_id, breakout_room.slug),
        title=_("%(title)s (copy)") % {"title": breakout_room.title},
        is_published=False,
    )


@transaction.atomic
def duplicate_session(*, session):
    """Copy a session with its parts, their breakout rooms, room bookings and picking windows."""
    copy, pairs = sessions_services.duplicate_session(session=session)
    for original, part_copy in pairs:
        picking = Picking.objects.filter(part=original).first()
        if picking:
            picking.pk = None
            picking.part = part_copy
            picking._state.adding = True
            picking.save()
        for breakout in original.breakout_rooms.prefetch_related("bookings"):
            breakout_copy = _copy_breakout_room(
                breakout, part=part_copy, slug=_free_slug(breakout.summit_id, breakout.slug)
            )
            for booking in breakout.bookings.all():
                Booking.objects.create(
                    breakout_room=breakout_copy, room_id=booking.room_id, label=booking.label
                )
    return copy
