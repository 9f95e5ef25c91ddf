"""The agenda file's mechanics: loading, reading with error paths, dumping.

The format (docs/agenda-format.md) nests summit → days → sessions → parts. Each data app reads and
writes its own share with these tools (``<app>/agenda_file.py``); ``agenda.agenda_file`` runs the
shares in one transaction.
"""

import datetime as dt
import json
import re
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.utils.dateparse import parse_date, parse_datetime

FORMAT = "summit-agenda/1"
UTC = dt.timezone.utc


class AgendaError(Exception):
    """An agenda file that cannot be imported; ``errors`` lists each problem with its place."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def load_file(path):
    """Parse a YAML or JSON agenda file into plain data, or raise AgendaError saying where it broke."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise AgendaError([f"{path}: no such file"]) from None
    except UnicodeDecodeError as error:
        raise AgendaError([f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    if path.suffix.lower() == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as error:
            raise AgendaError([f"{path}: line {error.lineno}, column {error.colno}: {error.msg}"]) from None
    try:
        return yaml.safe_load(text)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise AgendaError([f"{path}: {where}{problem}"]) from None


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


_AgendaDumper.add_representer(str, _represent_str)


def iso(value):
    """A datetime as ISO 8601 in UTC with Z, a date as YYYY-MM-DD."""
    if isinstance(value, dt.datetime):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return value.isoformat()


def compact(mapping):
    """Drop keys whose value is empty (None for a default), so exports list only what is set."""
    return {k: v for k, v in mapping.items() if not (v is None or v in ("", [], {}))}


class Reader:
    """Reads nested agenda data, collecting every problem with its path instead of stopping."""

    def __init__(self):
        self.errors = []

    def error(self, path, message):
        self.errors.append((path, message))

    def failed(self, *paths):
        """Whether a problem was already reported at one of `paths`; checks that build on a
        value skip it then, so one mistake gives one message."""
        return any(where in paths for where, _ in self.errors)

    def mapping(self, value, path, keys):
        if not isinstance(value, dict):
            self.error(path, f"expected a mapping with keys {', '.join(keys)}, got {_kind(value)}")
            return None
        for key in value:
            if key not in keys:
                where = f"{path}.{key}" if path else str(key)
                self.error(where, f"unknown key (expected one of: {', '.join(keys)})")
        return value

    def items(self, data, key, path, *, required=False):
        """The list under `key` as (path, item) pairs."""
        value = data.get(key)
        where = f"{path}.{key}" if path else key
        if value is None:
            if required:
                self.error(where, "is required")
            return []
        if not isinstance(value, list):
            self.error(where, f"expected a list, got {_kind(value)}")
            return []
        return [(f"{where}[{i}]", item) for i, item in enumerate(value)]

    def value(
        self, data, key, path, kind="text", *, required=False, default=None, choices=None, minimum=None
    ):
        where = f"{path}.{key}" if path else key
        value = data.get(key)
        if value is None or value == "":
            if required:
                self.error(where, "is required")
            return default
        try:
            return _convert(value, kind, choices=choices, minimum=minimum)
        except ValueError as problem:
            self.error(where, str(problem))
            return default

    def names(self, data, key, path, known, what):
        """A list of references (names, codes, slugs) that must each be in `known`."""
        result = []
        for where, item in self.items(data, key, path):
            if not isinstance(item, (str, int)) or isinstance(item, bool):
                self.error(where, f"expected a {what}, got {_kind(item)}")
            elif str(item) not in known:
                self.error(where, f"no {what} {str(item)!r} in this file")
            elif str(item) in result:
                self.error(where, f"lists the {what} {str(item)!r} twice")
            else:
                result.append(str(item))
        return result

    def unique(self, entries, what):
        """entries: (path, key) pairs; every key after its first use is an error."""
        seen: dict = {}
        for where, key in entries:
            if key is None:
                continue
            if key in seen:
                self.error(where, f"{what} {key!r} is already used at {seen[key]}")
            else:
                seen[key] = where

    def check_model(self, instance, path, keys=None, exclude=()):
        """Run the model's own validation; report each field under its key in the file."""
        keys = keys or {}
        try:
            instance.full_clean(exclude=list(exclude), validate_unique=False, validate_constraints=False)
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                key = keys.get(field, field)
                where = path if field == "__all__" else f"{path}.{key}"
                if self.failed(where):
                    continue
                for message in messages:
                    self.error(where, message.rstrip("."))

    def raise_if_errors(self, source):
        if self.errors:
            raise AgendaError(f"{source}: {where}: {message}" for where, message in self.errors)


def _kind(value):
    return {
        dict: "a mapping",
        list: "a list",
        str: "text",
        bool: "true/false",
        int: "a number",
        float: "a number",
        type(None): "nothing",
    }.get(type(value), type(value).__name__)


def _convert(value, kind, *, choices=None, minimum=None):
    if kind == "text":
        if isinstance(value, (dict, list, bool)):
            raise ValueError(f"expected text, got {_kind(value)}")
        value = str(value)
        if choices and value not in choices:
            raise ValueError(f"{value!r} is not one of: {', '.join(choices)}")
        return value
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"expected a whole number, got {_kind(value)} {value!r}")
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}, got {value}")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"expected true or false, got {value!r}")
        return value
    if kind == "date":
        if isinstance(value, dt.datetime):
            raise ValueError(f"expected a date (YYYY-MM-DD), got a date and time {value}")
        if isinstance(value, dt.date):
            return value
        try:
            parsed = parse_date(value) if isinstance(value, str) else None
        except ValueError as problem:
            raise ValueError(f"{value!r} is not a real date ({problem})") from None
        if parsed is None:
            raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")
        return parsed
    if kind == "datetime":
        parsed = value if isinstance(value, dt.datetime) else None
        if isinstance(value, str):
            try:
                spaced = re.match(r"^\d{4}-\d\d-\d\d \d", value)
                parsed = parse_datetime(value.replace(" ", "T", 1) if spaced else value)
            except ValueError as problem:
                raise ValueError(f"{value!r} is not a real date and time ({problem})") from None
        if parsed is None:
            raise ValueError(f"expected a date and time like 2022-09-10T08:00:00Z, got {value!r}")
        if parsed.tzinfo is None:
            raise ValueError(f"{value} has no time zone: add Z for UTC or an offset like +02:00")
        return parsed.astimezone(UTC)
    raise AssertionError(kind)
