"""What an app above the programme keeps in a part's mapping of the agenda file."""

import dataclasses
from collections.abc import Callable


@dataclasses.dataclass(frozen=True)
class PartShare:
    """Keys of a part's mapping that another app reads, writes and exports.

    The programme's share (sessions_app.agenda_file) accepts these keys in a part, in this order
    after its own, and calls the hooks given: ``read(reader, item, path, part)`` validates and
    keeps the plan on the unsaved part; ``write(part, part_plan, changes)`` runs once the part is
    saved; ``export(part)`` gives the keys' data; ``may_remove_part(part, where, changes)`` says
    whether a part the file dropped may go (refusing through ``changes`` what takes people's data).
    ``kinds`` limits the keys to parts of those kinds; ``prefetch`` names, relative to a part, what
    ``export`` reads.
    """

    keys: tuple[str, ...]
    kinds: tuple[str, ...] | None = None
    read: Callable | None = None
    write: Callable | None = None
    export: Callable | None = None
    may_remove_part: Callable | None = None
    prefetch: tuple[str, ...] = ()
