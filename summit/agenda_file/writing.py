"""Writing an import (only what changed, with a plan of it) and dumping an export."""

import datetime as dt
import json

import yaml

from .loading import UTC


def dump(data, fmt):
    """Serialise export data the same way every time (the round trip is byte-identical)."""
    if fmt == "json":
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return yaml.dump(data, Dumper=_AgendaDumper, sort_keys=False, allow_unicode=True, width=100)


class _AgendaDumper(yaml.SafeDumper):
    pass


def _represent_str(dumper, value):
    # Quote digit-only text such as room codes "08", which other YAML readers take for numbers.
    style = "|" if "\n" in value else "'" if value.isdigit() else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


def iso(value):
    """A datetime as ISO 8601 in UTC with Z, a date as YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def compact(mapping):
    """Drop keys whose value is empty (None for a default), so exports list only what is set."""
    return {k: v for k, v in mapping.items() if not (v is None or v in ("", [], {}))}


# --- Applying a file: what changes, and whom it touches --------------------------------------------


class Changes:
    """What an import does: items created, changed and removed, the people each one touches, the
    removals it refuses, and the mails to send after commit. The shares fill it as they write."""

    def __init__(self, *, allow_removals=False):
        self.allow_removals = allow_removals
        self.created, self.changed, self.removed = [], [], []
        self.refused = []
        self.touched = []
        self.mails = []

    def __bool__(self):
        return bool(self.created or self.changed or self.removed)

    def refuse_or_allow(self, message):
        """A change that takes people's data: refused with `message` unless removals are allowed.
        Returns whether the caller may go ahead."""
        if not self.allow_removals:
            self.refused.append(
                message + "; nothing was changed (--allow-removals removes it and tells them)"
            )
            return False
        self.touched.append(message)
        return True

    def mail(self, email, subject, body):
        if email:
            self.mails.append((subject, body, email))

    def plan(self):
        """The plan as lines of text: created / changed / removed, then whom it touches."""
        lines = []
        for title, entries in (
            ("created", self.created),
            ("changed", self.changed),
            ("removed", self.removed),
        ):
            lines += [f"{title}: {entry}" for entry in entries]
        lines += [f"touches people: {entry}" for entry in self.touched]
        return lines


def people(count, what):
    return f"{count} {what}" if count == 1 else f"{count} {what}s"


def save_changed(target, values, changes, what):
    """Create `target`, or save only the fields whose value differs (and its updated_at), so an
    identical import writes no row. Records what it did in `changes`."""
    changed = []
    for name, value in values.items():
        field = target._meta.get_field(name)
        if field.is_relation:
            current, wanted = getattr(target, field.attname), value.pk if value is not None else None
        else:
            current, wanted = getattr(target, name), value
        if current != wanted:
            changed.append(name)
        setattr(target, name, value)
    if target._state.adding:
        target.save()
        changes.created.append(what)
    elif changed:
        stamps = [f.name for f in target._meta.concrete_fields if getattr(f, "auto_now", False)]
        target.save(update_fields=changed + stamps)
        changes.changed.append(f"{what} ({', '.join(changed)})")
    return target


_AgendaDumper.add_representer(str, _represent_str)
