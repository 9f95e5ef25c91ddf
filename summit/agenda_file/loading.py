"""Loading an agenda file into plain data, bounded: files come from people and sometimes from
attackers, so the size, the nesting depth and the work YAML aliases multiply are capped before any
value is built, and every text is checked for characters no page or export can carry."""

import datetime as dt
import json
import re
from pathlib import Path

import yaml

FORMAT = "summit-agenda/1"
UTC = dt.timezone.utc

# Bounds for hostile files. The demo summit is 36 kB, 9 levels deep and 4,000 values.
MAX_FILE_BYTES = 1_000_000
MAX_DEPTH = 24
MAX_VALUES = 100_000
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
            return real_date(text)
        return parse_moment(text)
    except ValueError as problem:
        _refuse(node, str(problem))


def _expanded_size(root):
    """How many values and how deep the node graph is once aliases are expanded; computed over the
    graph (each shared node once), so a billion-laughs file costs no more than its own length."""
    size: dict[int, int] = {}
    depth: dict[int, int] = {}
    state: dict[int, str] = {}
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
    assert match is not None, "called for a text that has a bad character"
    return (
        f"contains the character U+{ord(match.group()):04X} at position {match.start() + 1}, which "
        "no page or export can show (a control character or broken Unicode): remove it"
    )


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
    day = real_date(match["date"])
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


def real_date(text):
    try:
        return dt.date.fromisoformat(text)
    except ValueError as problem:
        raise ValueError(f"{text!r} is not a real date ({problem})") from None


for tag, constructor in [
    ("tag:yaml.org,2002:int", _construct_int),
    ("tag:yaml.org,2002:float", _construct_float),
    ("tag:yaml.org,2002:timestamp", _construct_timestamp),
]:
    _Loader.add_constructor(tag, constructor)
