"""The programme of a summit: days, sessions, their parts and hosts.

This app knows nothing of seats, polls or the charter; the apps above build on it.
"""

from typing import Any

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from summit.fields import LinkField


class SummitQuerySet(models.QuerySet):
    def published(self):
        return self.filter(is_published=True)

    def visible_to(self, user):
        """Published summits, and drafts too for organisers (who preview them)."""
        if user.is_authenticated and user.is_staff:
            return self
        return self.published()


class Summit(models.Model):
    name = models.CharField(_("name"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=100, unique=True, help_text=_("Used in URLs."))
    acronym = models.SlugField(
        _("acronym"),
        max_length=60,
        help_text=_("Short lower-case code used by schedule exports, e.g. wmsummit2022."),
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    venue = models.CharField(_("venue"), max_length=200, blank=True)
    time_zone = models.CharField(
        _("local time zone"),
        max_length=64,
        default="UTC",
        help_text=_("IANA name of the venue's time zone, e.g. Europe/Berlin."),
    )
    description = models.TextField(_("description"), blank=True)
    url = LinkField(_("website"), blank=True)
    is_published = models.BooleanField(_("published"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SummitQuerySet.as_manager()

    class Meta:
        ordering = ["-start_date", "name"]
        verbose_name = _("summit")
        verbose_name_plural = _("summits")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__gte=models.F("start_date")),
                name="summit_ends_after_it_starts",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        from zoneinfo import available_timezones

        from django.core.exceptions import ValidationError

        if self.time_zone and self.time_zone not in available_timezones():
            raise ValidationError({"time_zone": _("Unknown time zone %(tz)s.") % {"tz": self.time_zone}})


class Day(models.Model):
    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="days")
    position = models.PositiveSmallIntegerField(
        _("day number"), help_text=_("1 for the first day; used in the URL /day/<n>/.")
    )
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    intro = models.TextField(_("introduction"), blank=True)

    class Meta:
        ordering = ["summit", "position"]
        verbose_name = _("day")
        verbose_name_plural = _("days")
        constraints = [
            models.UniqueConstraint(fields=["summit", "position"], name="day_position_unique"),
            models.UniqueConstraint(fields=["summit", "date"], name="day_date_unique"),
            models.CheckConstraint(condition=Q(position__gte=1), name="day_position_positive"),
        ]

    def __str__(self):
        return _("Day %(n)s (%(date)s)") % {"n": self.position, "date": self.date.isoformat()}


class Session(models.Model):
    day = models.ForeignKey(Day, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveSmallIntegerField(
        _("number"), help_text=_("Numbered across the summit, e.g. 4 for “Session 4”.")
    )
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    # Both empty for a session whose time is not known yet (shown as "time to be announced").
    start = models.DateTimeField(_("start (UTC)"), null=True, blank=True)
    end = models.DateTimeField(_("end (UTC)"), null=True, blank=True)

    class Meta:
        ordering = ["day__summit", "day__position", "number"]
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        constraints = [
            models.UniqueConstraint(fields=["day", "number"], name="session_number_unique_per_day"),
            models.CheckConstraint(
                # Spelled out: a CHECK passes on NULL, so "end > start" alone would let end be empty.
                condition=Q(start__isnull=True, end__isnull=True)
                | Q(start__isnull=False, end__isnull=False, end__gt=models.F("start")),
                name="session_timed_and_ends_after_start",
            ),
        ]

    def __str__(self):
        return _("Session %(n)s: %(title)s") % {"n": self.number, "title": self.title}

    @property
    def anchor(self):
        return f"s{self.number}"


class Host(models.Model):
    """A person who presents or moderates a part."""

    summit = models.ForeignKey(Summit, on_delete=models.CASCADE, related_name="hosts")
    name = models.CharField(_("name"), max_length=200)
    bio = models.TextField(_("short bio"), blank=True)

    class Meta:
        ordering = ["summit", "name"]
        verbose_name = _("host")
        verbose_name_plural = _("hosts")
        constraints = [
            models.UniqueConstraint(fields=["summit", "name"], name="host_name_unique_per_summit"),
        ]

    def __str__(self):
        return self.name


class SessionPartQuerySet(models.QuerySet):
    def visible_to(self, user):
        if user.is_authenticated and user.is_staff:
            return self
        return self.filter(is_published=True, session__day__summit__is_published=True)

    def of_summit(self, summit):
        return self.filter(session__day__summit=summit)


class SessionPart(models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary")
        BREAKOUTS = "breakouts", _("Breakout groups")
        OPEN_SPACE = "open_space", _("Open space")
        CLOSING = "closing", _("Closing")

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="parts")
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    code = models.CharField(
        _("code"), max_length=20, help_text=_("Short code shown on the agenda, e.g. S4.1.")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices, default=Kind.PLENARY)
    title = models.CharField(_("title"), max_length=200)
    lead = models.CharField(_("lead"), max_length=300, blank=True, help_text=_("One line under the title."))
    body = models.TextField(
        _("text"),
        blank=True,
        help_text=_(
            "Paragraphs separated by a blank line. Lines starting with “- ” form a list, "
            "“> ” a quotation, “### ” a heading."
        ),
    )
    start = models.DateTimeField(_("start (UTC)"), null=True, blank=True)
    end = models.DateTimeField(_("end (UTC)"), null=True, blank=True)
    hosts = models.ManyToManyField(Host, blank=True, related_name="parts", verbose_name=_("hosts"))
    slides_url = LinkField(_("slides link"), blank=True)
    recording_url = LinkField(_("recording link"), blank=True)
    recording_note = models.CharField(
        _("recording note"),
        max_length=200,
        blank=True,
        help_text=_("Where only the place is known, e.g. “recording available on the Summit platform”."),
    )
    notes_url = LinkField(_("notes link"), blank=True)
    notes_title = models.CharField(_("notes link text"), max_length=200, blank=True)
    # Not in the public exports: only participants registered online get it, on their agenda.
    stream_url = LinkField(
        _("stream link"), blank=True, help_text=_("Shown only to participants registered online.")
    )
    is_published = models.BooleanField(_("published"), default=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = SessionPartQuerySet.as_manager()

    class Meta:
        ordering = ["session__day__position", "session__number", "position"]
        verbose_name = _("session part")
        verbose_name_plural = _("session parts")
        constraints = [
            models.UniqueConstraint(fields=["session", "code"], name="part_code_unique_per_session"),
            models.UniqueConstraint(fields=["session", "position"], name="part_position_unique"),
            models.CheckConstraint(
                condition=Q(start__isnull=True) | Q(end__isnull=True) | Q(end__gt=models.F("start")),
                name="part_ends_after_start",
            ),
        ]

    def __str__(self):
        return f"{self.code} {self.title}"

    @property
    def anchor(self):
        return self.code.lower().replace(".", "-")

    @property
    def is_timed(self):
        return self.starts_at is not None

    @property
    def starts_at(self):
        return self.start or self.session.start

    @property
    def ends_at(self):
        return self.end or self.session.end

    @property
    def summit(self):
        return self.session.day.summit

    def clean(self):
        from django.core.exceptions import ValidationError

        errors: dict[str, Any] = {}
        session = self.session if self.session_id else None
        if session and not (session.start and session.end):
            if self.start or self.end:
                errors["start"] = _("Give the session its times before timing its parts.")
        elif session and session.start and session.end:
            if self.start and not (session.start <= self.start < session.end):
                errors["start"] = _("A part starts within its session (%(a)s–%(b)s UTC).") % {
                    "a": session.start.strftime("%H:%M"),
                    "b": session.end.strftime("%H:%M"),
                }
            if self.end and not (session.start < self.end <= session.end):
                errors["end"] = _("A part ends within its session.")
        if errors:
            raise ValidationError(errors)
