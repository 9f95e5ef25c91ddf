"""Breakout rooms, the rooms they are held in, participants and their seats."""

from .people import Mode, Participant, new_calendar_token
from .rooms import GROUP_KINDS, Booking, BreakoutRoom, BreakoutRoomQuerySet, Room
from .seats import Assignment, AssignmentQuerySet, AssignmentRun, Picking, Preference

__all__ = [
    "GROUP_KINDS",
    "Assignment",
    "AssignmentQuerySet",
    "AssignmentRun",
    "Booking",
    "BreakoutRoom",
    "BreakoutRoomQuerySet",
    "Mode",
    "Participant",
    "Picking",
    "Preference",
    "Room",
    "new_calendar_token",
]
