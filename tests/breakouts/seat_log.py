"""A check that the seat log and the seats agree: replaying the log gives every row as it is."""

from breakouts.models import Assignment, SeatChange


def assert_log_matches_seats(part):
    """Every assignment of the part is where the last logged change of its row put it, and every
    row the log last saw going somewhere still exists; changes never skip a state."""
    last = {}
    for change in SeatChange.objects.filter(part_id=part.pk).order_by("created_at", "pk"):
        previous = last.get(change.assignment_id)
        if previous is not None:
            assert (change.from_breakout_room_id, change.from_status) == (
                previous.to_breakout_room_id,
                previous.to_status,
            ), f"#{change.assignment_id}: logged from {change.from_label}, was {previous.to_label}"
        else:
            assert change.from_status == "", f"#{change.assignment_id} first logged from {change.from_label}"
        last[change.assignment_id] = change
    rows = {a.pk: a for a in Assignment.objects.filter(part=part)}
    for assignment_id, change in last.items():
        row = rows.get(assignment_id)
        if row is None:
            assert change.to_status == "", f"#{assignment_id} is gone, logged at {change.to_label}"
        else:
            assert (change.to_breakout_room_id, change.to_status, change.mode) == (
                row.breakout_room_id,
                row.status,
                row.mode,
            ), f"#{assignment_id} is {row.status} in {row.breakout_room_id}, logged {change.to_label}"
    assert set(rows) <= set(last), f"rows without a logged change: {sorted(set(rows) - set(last))}"
