"""Renderers of a programme (``agenda.programme``) into schedule formats real clients read.

- ``programme_events`` flattens a programme into ``Event`` rows: one per timed plenary (or other
  non-breakouts) part, and one per breakout room in each room it is held in. Untimed sessions are
  left out: a calendar or a schedule app cannot place them.
- ``render_json`` writes the C3VOC schedule.json (version 1), ``render_xml`` the frab
  schedule.xml, ``render_ics`` an RFC 5545 calendar from any list of ``Event`` (the public
  schedule.ics and every participant's private feed).
"""

from .events import Event, programme_events
from .icalendar import render_ics
from .schedule_json import render_json
from .schedule_xml import render_xml

__all__ = ["Event", "programme_events", "render_ics", "render_json", "render_xml"]
