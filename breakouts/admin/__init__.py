"""The admin of the breakouts' own models (one module per concern)."""

# rooms first: the ranked admin adds its action to the picking windows' admin.
from . import rooms  # isort: skip
from . import audit, people, ranked, rosters

__all__ = ["audit", "people", "ranked", "rooms", "rosters"]
