"""Registrants in and out: a CSV of people imported as registrations, all or nothing; the export."""

import csv
import dataclasses
import io
from typing import Any

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ..cache import registrations_changed
from ..exceptions import BreakoutError
from ..models import Mode, Participant
from .registration import time_zone_names

COLUMNS = ("name", "email", "attendance", "affiliation", "time_zone")
REQUIRED = ("name", "email", "attendance")
EXPORT_HEADER = ["name", "email", "attendance", "affiliation", "time_zone", "registered_at", "signed_in"]


class RegistrantImportError(BreakoutError):
    """A file that was not imported; ``errors`` lists every problem with its row number."""

    def __init__(self, errors):
        self.errors = list(errors)
        super().__init__(" ".join(self.errors))


@dataclasses.dataclass
class ImportResult:
    created: list  # the new Participants
    already_registered: int


@dataclasses.dataclass
class _Row:
    line: int
    name: str
    email: str
    attendance: str
    affiliation: str
    time_zone: str


def _read(text):
    """Rows of the file as dicts keyed by lower-case column names, with their row number (the
    header is row 1)."""
    text = text.lstrip("\ufeff")
    try:
        dialect = csv.Sniffer().sniff(text.split("\n", 1)[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    header = [column.strip().lower().replace(" ", "_") for column in next(reader, [])]
    missing = [column for column in REQUIRED if column not in header]
    if missing:
        raise RegistrantImportError(
            [_("Row 1: the header lacks the column(s) %(columns)s.") % {"columns": ", ".join(missing)}]
        )
    for line, values in enumerate(reader, start=2):
        if not any(value.strip() for value in values):
            continue
        yield line, {column: value.strip() for column, value in zip(header, values, strict=False)}


def _check(text):
    rows: list[_Row] = []
    errors: list[str] = []
    seen: dict[str, int] = {}
    zones = set(time_zone_names())
    try:
        raw_rows = list(_read(text))
    except csv.Error as error:
        raise RegistrantImportError(
            [_("The file is not readable as CSV: %(error)s") % {"error": error}]
        ) from None
    for line, raw in raw_rows:
        problems = []
        name, email = raw.get("name", ""), raw.get("email", "").lower()
        attendance = raw.get("attendance", "").lower().replace("-", "").replace(" ", "")
        time_zone = raw.get("time_zone", "") or "UTC"
        if not name:
            problems.append(_("the name is empty"))
        elif len(name) > 150:
            problems.append(_("the name is longer than 150 characters"))
        try:
            validate_email(email)
        except ValidationError:
            problems.append(_("“%(email)s” is not an e-mail address") % {"email": raw.get("email", "")})
        if email in seen:
            problems.append(_("%(email)s is on row %(row)d already") % {"email": email, "row": seen[email]})
        if attendance not in Mode.values:
            problems.append(
                _("attendance must be onsite or online, not “%(value)s”")
                % {"value": raw.get("attendance", "")}
            )
        if time_zone not in zones:
            problems.append(_("unknown time zone “%(tz)s”") % {"tz": time_zone})
        if len(raw.get("affiliation", "")) > 200:
            problems.append(_("the affiliation is longer than 200 characters"))
        seen.setdefault(email, line)
        if problems:
            errors.append(_("Row %(row)d: %(problems)s.") % {"row": line, "problems": "; ".join(problems)})
        else:
            rows.append(_Row(line, name, email, attendance, raw.get("affiliation", ""), time_zone))
    if not raw_rows and not errors:
        errors.append(_("The file has no registrants."))
    return rows, errors


def import_registrants(*, summit, text):
    """Register every person of a CSV file (name, email, attendance, affiliation, time_zone) for
    `summit`: all rows or none. A person without an account gets one without a password (their
    invitation lets them set it); a person registered already keeps their registration as it is."""
    rows, errors = _check(text)
    if errors:
        raise RegistrantImportError(errors)
    User = get_user_model()
    with transaction.atomic():
        users: dict[str, Any] = {}
        for account in User.objects.filter(email__in=[row.email for row in rows]).order_by("pk"):
            users.setdefault(account.email.lower(), account)
        # Addresses stored with other capitals are matched too.
        for row in rows:
            if row.email not in users:
                match = User.objects.filter(email__iexact=row.email).order_by("pk").first()
                if match is not None:
                    users[row.email] = match
        registered = set(
            Participant.objects.filter(summit=summit, user__in=list(users.values())).values_list(
                "user_id", flat=True
            )
        )
        taken = set(
            User.objects.filter(username__in=[row.email[:150] for row in rows]).values_list(
                "username", flat=True
            )
        )
        errors = []
        for row in rows:
            if row.email not in users and row.email[:150] in taken:
                errors.append(
                    _("Row %(row)d: the user name %(name)s belongs to an account with another address.")
                    % {"row": row.line, "name": row.email[:150]}
                )
        if errors:
            raise RegistrantImportError(errors)
        created, already = [], 0
        for row in rows:
            user = users.get(row.email)
            if user is None:
                user = User(username=row.email[:150], email=row.email, first_name=row.name[:150])
                user.set_unusable_password()
                user.save()
            elif user.pk in registered:
                already += 1
                continue
            created.append(
                Participant(
                    summit=summit,
                    user=user,
                    display_name=row.name,
                    affiliation=row.affiliation,
                    attendance=row.attendance,
                    time_zone=row.time_zone,
                )
            )
        Participant.objects.bulk_create(created, batch_size=1000)
        # bulk_create sends no signals: the users' pages learn of their new registrations here.
        registrations_changed([p.user_id for p in created])
    return ImportResult(created=created, already_registered=already)


def registration_rows(summit):
    """Every registration of `summit` as rows under EXPORT_HEADER, by name (a read for the export)."""
    registrations = (
        Participant.objects.filter(summit=summit)
        .order_by("display_name", "pk")
        .values_list(
            "display_name",
            "user__email",
            "attendance",
            "affiliation",
            "time_zone",
            "registered_at",
            "user__last_login",
        )
    )
    for name, email, attendance, affiliation, time_zone, registered_at, last_login in registrations:
        yield [
            name,
            email,
            attendance,
            affiliation,
            time_zone,
            registered_at.isoformat(timespec="seconds"),
            "yes" if last_login else "no",
        ]
