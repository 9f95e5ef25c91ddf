"""Writes of the open space, each one transaction raising OpenSpaceError: proposing, moderating,
showing interest and placing topics. Views, admin actions, the agenda file and tests call these."""

from ..exceptions import OpenSpaceError
from .interest import interest_is_open, set_interest
from .placement import demand_instance, place, place_by_demand, placement_report, seat_interested, unplace
from .proposals import (
    EDITABLE_FIELDS,
    accept_proposal,
    answer_facilitation,
    decline_proposal,
    merge_proposal,
    propose,
    update_proposal,
    withdraw_proposal,
)

__all__ = [
    "EDITABLE_FIELDS",
    "OpenSpaceError",
    "accept_proposal",
    "answer_facilitation",
    "decline_proposal",
    "demand_instance",
    "interest_is_open",
    "merge_proposal",
    "place",
    "place_by_demand",
    "placement_report",
    "propose",
    "seat_interested",
    "set_interest",
    "unplace",
    "update_proposal",
    "withdraw_proposal",
]
