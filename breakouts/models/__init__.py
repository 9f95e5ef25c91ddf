"""Breakout rooms, the rooms they are held in, participants and their seats."""

from .audit import SeatChange
from .checkin import CheckIn
from .people import Mode, Participant, new_calendar_token
from .rooms import GROUP_KINDS, Booking, BreakoutRoom, BreakoutRoomQuerySet, OnlineSpace, Room
from .seats import Assignment, AssignmentQuerySet, AssignmentRun, Picking, Preference

__all__ = [
    "GROUP_KINDS",
    "Assignment",
    "AssignmentQuerySet",
    "AssignmentRun",
    "Booking",
    "BreakoutRoom",
    "BreakoutRoomQuerySet",
    "CheckIn",
    "Mode",
    "OnlineSpace",
    "Participant",
    "Picking",
    "Preference",
    "Room",
    "SeatChange",
    "new_calendar_token",
]
