"""Who gets which room in an assignment run, read before it is published (page and CSV)."""

from ..models import Assignment, AssignmentRun, Booking, BreakoutRoom, Mode, Participant
from .services import choice_label

PREVIEW_HEADER = [
    "part",
    "breakout_room",
    "room",
    "label",
    "mode",
    "status",
    "choice",
    "display_name",
    "affiliation",
    "email",
]


def run_preview(run):
    """Every seat and waitlist place a run would give, plus the pinned seats it keeps, as rows
    sorted by breakout room, room and name. Five queries, whatever the size."""
    results = AssignmentRun.objects.filter(pk=run.pk).values_list("results", flat=True).get()
    part_id = run.part_id
    titles = dict(BreakoutRoom.objects.filter(part_id=part_id).values_list("pk", "title"))
    rooms = {b.pk: b for b in Booking.objects.filter(part_id=part_id).select_related("room")}
    pinned = list(
        Assignment.objects.confirmed()
        .filter(part_id=part_id, pinned=True)
        .values_list("participant_id", "breakout_room_id", "booking_id", "mode")
    )
    wanted = (
        {row[0] for row in results.get("seats", [])}
        | {row[0] for row in results.get("waitlist", [])}
        | {row[0] for row in pinned}
    )
    people = {
        pk: (name, affiliation, email)
        for pk, name, affiliation, email in Participant.objects.filter(pk__in=wanted).values_list(
            "pk", "display_name", "affiliation", "user__email"
        )
    }
    seated, waiting = str(Assignment.Status.CONFIRMED.label), str(Assignment.Status.WAITLISTED.label)
    rows = []

    def add(participant_id, breakout_id, booking_id, mode, status, choice):
        name, affiliation, email = people.get(participant_id, ("", "", ""))
        booking = rooms.get(booking_id)
        rows.append(
            {
                "breakout_room": titles.get(breakout_id, ""),
                "room": booking.room.code if booking else "",
                "label": booking.label if booking else "",
                "mode": str(Mode(mode).label),
                "status": status,
                "choice": choice,
                "display_name": name,
                "affiliation": affiliation,
                "email": email,
            }
        )

    for participant_id, breakout_id, booking_id, mode, rank in results.get("seats", []):
        add(participant_id, breakout_id, booking_id, mode, seated, choice_label(rank))
    for participant_id, breakout_id, booking_id, mode in pinned:
        add(
            participant_id,
            breakout_id,
            booking_id,
            mode,
            seated,
            str(Assignment._meta.get_field("pinned").verbose_name),
        )
    for participant_id, breakout_id, mode in results.get("waitlist", []):
        add(participant_id, breakout_id, None, mode, waiting, "")
    rows.sort(
        key=lambda r: (r["breakout_room"], r["status"] != seated, r["room"], r["label"], r["display_name"])
    )
    return rows


def preview_csv_rows(run, rows):
    code = run.part.code
    return [[code, *(row[key] for key in PREVIEW_HEADER[1:])] for row in rows]
