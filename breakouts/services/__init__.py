"""Writes about breakout rooms and seats that touch several rows, each one transaction raising
BreakoutError. Views, admin actions, commands and the API all call these."""

from ..exceptions import BreakoutError
from .capacity import places_of, seats_problems, set_seats
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

__all__ = [
    "AttendanceChange",
    "BreakoutError",
    "attendance_is_open",
    "change_attendance",
    "duplicate_breakout_room",
    "duplicate_session",
    "fill_free_seats",
    "leave",
    "move",
    "pick",
    "places_of",
    "register",
    "reset_calendar_token",
    "send_promotion_emails",
    "seats_problems",
    "set_rooms",
    "set_seats",
    "time_zone_names",
    "update_registration",
]
