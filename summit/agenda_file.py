"""The agenda file's mechanics: loading, reading with error paths, dumping.

The format (docs/agenda-format.md) nests summit → days → sessions → parts. Each data app reads and
writes its own share with these tools (``<app>/agenda_file.py``); ``agenda.agenda_file`` runs the
shares in one transaction.

Files come from people and sometimes from attackers, so loading is bounded: the file's size, the
nesting depth and the work that YAML aliases multiply are all capped before any value is built,
and every text is checked for characters no page or export can carry.
"""

import datetime as dt
import json
import re
from pathlib import Path

import yaml
from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

FORMAT = "summit-agenda/1"
UTC = dt.timezone.utc

# Bounds for hostile files. The demo summit is 36 kB, 9 levels deep and 4,000 values.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 24
MAX_VALUES = 100_000
# PostgreSQL's integer ranges, held on every database (SQLite would take any 64-bit number).
INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges
# C0 and C1 control characters except tab and line feed, lone surrogates and non-characters.
BAD_CHARACTER = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff]")


class AgendaError(Exception):
    """An agenda file that cannot be imported; ``errors`` lists each problem with its place."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__("\n".join(self.errors))


def load_file(path):
    """Parse a YAML or JSON agenda file into plain data, or raise AgendaError saying where it broke."""
    path = Path(path)
    try:
        with path.open("rb") as file:
            raw = file.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise AgendaError([f"{path}: no such file"]) from None
    except (IsADirectoryError, PermissionError) as error:
        raise AgendaError([f"{path}: cannot be read ({error.strerror})"]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise AgendaError(
            [f"{path}: is larger than {MAX_FILE_BYTES // 1000} kB, the most an agenda file may hold"]
        )
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise AgendaError([f"{path}: not UTF-8 text ({error.reason} at byte {error.start})"]) from None
    data = _load_json(path, text) if path.suffix.lower() == ".json" else _load_yaml(path, text)
    problems = check_plain_data(data)
    if problems:
        raise AgendaError(
            f"{path}: {where}: {message}" if where else f"{path}: {message}" for where, message in problems
        )
    return data


# --- JSON -----------------------------------------------------------------------------------------


class _JSONProblem(ValueError):
    pass


def _json_mapping(pairs):
    mapping = {}
    for key, value in pairs:
        if key in mapping:
            keys = ", ".join(dict.fromkeys(k for k, _ in pairs))
            raise _JSONProblem(f"duplicate key {key!r} in the mapping with keys {keys}: give each key once")
        mapping[key] = value
    return mapping


def _json_int(text):
    if len(text.lstrip("-")) > 18:
        raise _JSONProblem(f"the number {text[:30]}… is too large for any value of the format")
    return int(text)


def _json_constant(name):
    raise _JSONProblem(f"{name} is not a number JSON allows")


def _load_json(path, text):
    try:
        return json.loads(
            text, object_pairs_hook=_json_mapping, parse_int=_json_int, parse_constant=_json_constant
        )
    except json.JSONDecodeError as error:
        raise AgendaError([f"{path}: line {error.lineno}, column {error.colno}: {error.msg}"]) from None
    except _JSONProblem as problem:
        raise AgendaError([f"{path}: {problem}"]) from None
    except RecursionError:
        raise AgendaError([f"{path}: nested deeper than {MAX_DEPTH} levels"]) from None


# --- YAML -----------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """PyYAML's safe loader with bounds: nesting depth while composing, the number of values the
    aliases expand to before constructing, and no duplicate keys, odd numbers or odd times."""

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0

    def fetch_flow_collection_start(self, token_class):
        # Checked while scanning: the scanner's work grows with the square of the flow depth.
        if self.flow_level >= MAX_DEPTH:
            raise yaml.scanner.ScannerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", self.get_mark()
            )
        super().fetch_flow_collection_start(token_class)

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None, None, f"nested deeper than {MAX_DEPTH} levels", self.peek_event().start_mark
            )
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_mapping(self, node, deep=False):
        if isinstance(node, yaml.MappingNode):
            seen = set()
            for key_node, _ in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge" or not isinstance(key_node, yaml.ScalarNode):
                    continue
                key = self.construct_object(key_node)
                try:
                    duplicate = key in seen
                except TypeError:
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}: give each key once", key_node.start_mark
                    )
                seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _refuse(node, problem):
    raise yaml.constructor.ConstructorError(None, None, problem, node.start_mark)


def _construct_int(loader, node):
    text = loader.construct_scalar(node)
    if ":" in text:
        _refuse(
            node,
            f"{text} reads as a base-60 number in YAML 1.1: write times as a full date and time "
            '(e.g. "2022-09-10T08:00:00Z") and other text in quotes',
        )
    if not re.fullmatch(r"[-+]?(0|[1-9][0-9]*)", text):
        _refuse(node, f"{text} is not a plain whole number: write it in decimal digits, or in quotes as text")
    if len(text.lstrip("+-")) > 18:
        _refuse(node, f"the number {text[:30]}… is too large for any value of the format")
    return int(text)


def _construct_float(loader, node):
    text = loader.construct_scalar(node)
    if ":" in text:
        _refuse(node, f"{text} reads as a base-60 number in YAML 1.1: write it in quotes")
    return loader.construct_yaml_float(node)


def _construct_timestamp(loader, node):
    text = loader.construct_scalar(node)
    try:
        if re.fullmatch(r"\d{4}-\d\d-\d\d", text):
            return _real_date(text)
        return parse_moment(text)
    except ValueError as problem:
        _refuse(node, str(problem))


for tag, constructor in [
    ("tag:yaml.org,2002:int", _construct_int),
    ("tag:yaml.org,2002:float", _construct_float),
    ("tag:yaml.org,2002:timestamp", _construct_timestamp),
]:
    _Loader.add_constructor(tag, constructor)


def _expanded_size(root):
    """How many values and how deep the node graph is once aliases are expanded; computed over the
    graph (each shared node once), so a billion-laughs file costs no more than its own length."""
    size, depth, state = {}, {}, {}
    stack = [root]
    while stack:
        node = stack[-1]
        key = id(node)
        children = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [n for pair in node.value for n in pair]
        if state.get(key) is None:
            state[key] = "open"
            for child in children:
                if state.get(id(child)) == "open":
                    raise yaml.composer.ComposerError(
                        None, None, "an alias refers to a list or mapping that contains it", child.start_mark
                    )
                if id(child) not in state:
                    stack.append(child)
            continue
        stack.pop()
        if state[key] == "done":
            continue
        state[key] = "done"
        size[key] = 1 + sum(size[id(c)] for c in children)
        depth[key] = 1 + max((depth[id(c)] for c in children), default=0)
        if size[key] > MAX_VALUES:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"expands to more than {MAX_VALUES} values (aliases repeat too much)",
                node.start_mark,
            )
        if depth[key] > MAX_DEPTH:
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested deeper than {MAX_DEPTH} levels once aliases are expanded",
                node.start_mark,
            )


def _load_yaml(path, text):
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _expanded_size(node)
        return loader.construct_document(node)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}: " if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        raise AgendaError([f"{path}: {where}{problem}"]) from None
    finally:
        loader.dispose()


def check_plain_data(data):
    """(path, problem) pairs for texts with control characters or broken Unicode, and for nesting
    deeper than the format has; walks without recursion, so any data is safe to check."""
    problems = []
    stack = [(data, "", 1)]
    seen = 0
    while stack:
        value, path, depth = stack.pop()
        seen += 1
        if seen > MAX_VALUES:
            problems.append(("", f"holds more than {MAX_VALUES} values"))
            break
        if isinstance(value, (dict, list)) and depth > MAX_DEPTH:
            problems.append((path, f"nested deeper than {MAX_DEPTH} levels"))
            continue
        if isinstance(value, dict):
            items = []
            for key, item in value.items():
                where = f"{path}.{key}" if path else str(key)
                if isinstance(key, str) and BAD_CHARACTER.search(key):
                    problems.append((path, f"a key {_bad_text(key)}"))
                    continue
                items.append((item, where, depth + 1))
            stack.extend(reversed(items))
        elif isinstance(value, list):
            stack.extend(reversed([(item, f"{path}[{i}]", depth + 1) for i, item in enumerate(value)]))
        elif isinstance(value, str) and BAD_CHARACTER.search(value):
            problems.append((path, _bad_text(value)))
        elif not isinstance(value, (str, int, float, dt.date, type(None))):
            # YAML's !!binary, !!set, !!omap and !!pairs build values the format has no use for.
            problems.append((path, f"a YAML {type(value).__name__} value is not part of the format"))
    return problems


def _bad_text(text):
    match = BAD_CHARACTER.search(text)
    return (
        f"contains the character U+{ord(match.group()):04X} at position {match.start() + 1}, which "
        "no page or export can show (a control character or broken Unicode): remove it"
    )


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
        seen = {}
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
        exclude = list(exclude)
        for field in instance._meta.concrete_fields:
            if field.name in exclude or not field.editable:
                continue
            value = getattr(instance, field.attname)
            where = f"{path}.{keys.get(field.name, field.name)}"
            problem = _field_problem(field, value)
            if problem and not self.failed(where):
                self.error(where, problem)
            if problem:
                exclude.append(field.name)
        try:
            instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
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


def _field_problem(field, value):
    """What the database or the pages would make of `value` that full_clean() lets pass: numbers
    beyond PostgreSQL's range on SQLite, line breaks in one-line text, links that are not web pages."""
    if isinstance(value, int) and not isinstance(value, bool) and isinstance(field, models.IntegerField):
        low, high = INTEGER_RANGES.get(field.get_internal_type(), (None, None))
        if high is not None and value > high:
            return f"must be at most {high}, got {value}"
        if low is not None and value < low:
            return f"must be at least {low}, got {value}"
    if isinstance(value, str) and isinstance(field, models.URLField) and value:
        scheme = re.match(r"([a-z][a-z0-9+.-]*)://", value, re.I)
        if scheme and scheme.group(1).lower() not in ("http", "https"):
            return f"{value!r} is not a web address: links start with https:// or http://"
    elif isinstance(value, str) and isinstance(field, models.CharField) and "\n" in value:
        return "is one line of text: remove the line breaks"
    return None


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
        if not isinstance(value, str) or not re.fullmatch(r"\d{4}-\d\d-\d\d", value):
            raise ValueError(f"expected a date (YYYY-MM-DD), got {value!r}")
        return _real_date(value)
    if kind == "datetime":
        if isinstance(value, str):
            value = parse_moment(value)
        if not isinstance(value, dt.datetime):
            raise ValueError(f"expected a date and time like 2022-09-10T08:00:00Z, got {value!r}")
        if value.tzinfo is None:
            raise ValueError(f"{value} has no time zone: add Z for UTC or an offset like +02:00")
        try:
            return value.astimezone(UTC)
        except OverflowError:
            raise ValueError(f"{value} is outside the years 1 to 9999 once in UTC") from None
    raise AssertionError(kind)


_MOMENT = re.compile(
    r"(?P<date>\d{4}-\d\d-\d\d)[Tt ](?P<hour>\d\d):(?P<minute>\d\d)"
    r"(?::(?P<second>\d\d)(?:\.(?P<fraction>\d{1,6}))?)?"
    r"(?P<zone>Z|z|[+-]\d\d:\d\d)?"
)


def parse_moment(text):
    """A date and time as the format writes it (2022-09-10T08:00:00Z, or +02:00 for an offset);
    naive when the zone is missing, so the caller can say so. Anything else is a ValueError
    with a hint, never a guess."""
    match = _MOMENT.fullmatch(text.strip())
    if match is None:
        raise ValueError(
            f"{text!r} is not a date and time in the format's form: write it as 2022-09-10T08:00:00Z, "
            "or with an offset as 2022-09-10T10:00:00+02:00"
        )
    day = _real_date(match["date"])
    hour, minute = int(match["hour"]), int(match["minute"])
    second = int(match["second"] or 0)
    fraction = int((match["fraction"] or "0").ljust(6, "0"))
    if hour > 23 or minute > 59 or second > 59:
        raise ValueError(f"{text!r} is not a real time of day: hours run 00-23, minutes and seconds 00-59")
    zone = match["zone"]
    tzinfo = None
    if zone in ("Z", "z"):
        tzinfo = UTC
    elif zone:
        sign = -1 if zone[0] == "-" else 1
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        offset = sign * (hours * 60 + minutes)
        if minutes > 59 or not -12 * 60 <= offset <= 14 * 60:
            raise ValueError(
                f"{text!r}: {zone} is not a UTC offset any place uses; offsets run from -12:00 to +14:00"
            )
        tzinfo = dt.timezone(dt.timedelta(minutes=offset))
    return dt.datetime(day.year, day.month, day.day, hour, minute, second, fraction, tzinfo=tzinfo)


def _real_date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError as problem:
        raise ValueError(f"{text!r} is not a real date ({problem})") from None


def reserved_slugs():
    """Every first URL segment the site uses for itself, read from the URL conf: a summit with
    such a slug could never be reached."""
    from django.conf import settings
    from django.urls import URLResolver, get_resolver

    reserved = {"api", "bench", "static", "media", "favicon.ico", "robots.txt", ".well-known"}
    for setting in ("STATIC_URL", "MEDIA_URL"):
        url = (getattr(settings, setting, "") or "").strip("/")
        if url and "://" not in url:
            reserved.add(url.split("/")[0])

    def walk(patterns, prefix):
        for pattern in patterns:
            route = prefix + str(pattern.pattern).lstrip("^")
            first = re.match(r"[A-Za-z0-9_.\-]*", route).group()
            if first and (route == first or route[len(first)] in "/$"):
                reserved.add(first)
            elif not first and isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)

    walk(get_resolver().url_patterns, "")
    return reserved


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
