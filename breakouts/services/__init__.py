"""Writes about breakout rooms and seats that touch several rows, each one transaction raising
BreakoutError. Views, admin actions, commands and the API all call these."""

from ..exceptions import BreakoutError
from .capacity import places_of, seats_problems, set_seats
from .checkin import (
    can_check_in,
    check_in,
    due_releases,
    release_all_due,
    release_no_shows,
    undo_check_in,
)
from .holding import BreakoutRoomNotFound, NotRegistered
from .live import Place, leave_place, pick_place
from .mail import send_promotion_emails
from .picking import fill_free_seats, leave, move, pick
from .registration import (
    AttendanceChange,
    attendance_is_open,
    change_attendance,
    register,
    reset_calendar_token,
    time_zone_names,
    update_registration,
)
from .rooms import duplicate_breakout_room, duplicate_session, set_rooms
from .windows import close_and_run, close_now, open_now, schedule

__all__ = [
    "AttendanceChange",
    "BreakoutError",
    "BreakoutRoomNotFound",
    "NotRegistered",
    "Place",
    "attendance_is_open",
    "can_check_in",
    "change_attendance",
    "check_in",
    "close_and_run",
    "close_now",
    "due_releases",
    "duplicate_breakout_room",
    "duplicate_session",
    "fill_free_seats",
    "leave",
    "leave_place",
    "move",
    "open_now",
    "pick",
    "pick_place",
    "places_of",
    "register",
    "release_all_due",
    "release_no_shows",
    "reset_calendar_token",
    "schedule",
    "send_promotion_emails",
    "seats_problems",
    "set_rooms",
    "set_seats",
    "time_zone_names",
    "undo_check_in",
    "update_registration",
]
