"""Reading plain agenda data into unsaved rows, with the place of every problem in the file."""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.db import models
from django.db.backends.base.operations import BaseDatabaseOperations

# PostgreSQL's integer ranges, held on every database (SQLite would take any 64-bit number).
from .loading import UTC, AgendaError, parse_moment, real_date

INTEGER_RANGES = BaseDatabaseOperations.integer_field_ranges


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
        return real_date(value)
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
            first = re.match(r"[A-Za-z0-9_.\-]*", route).group()  # type: ignore[union-attr]  # * matches always
            if first and (route == first or route[len(first)] in "/$"):
                reserved.add(first)
            elif not first and isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, route)

    walk(get_resolver().url_patterns, "")
    return reserved
