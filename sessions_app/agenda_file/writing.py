"""Writing the programme's share of an import in place by natural keys, only what changed."""

import datetime as dt

from summit.agenda_file import save_changed

from ..models import Day, Host, Session, SessionPart, Summit

# Positions live in unique constraints; rows are moved out of the way before renumbering.
PARKED = 10000


def _values(source, fields):
    return {field: getattr(source, field) for field in fields}


SUMMIT_FIELDS = [
    "name",
    "acronym",
    "start_date",
    "end_date",
    "venue",
    "time_zone",
    "url",
    "description",
    "is_published",
]
PART_FIELDS = [
    "position",
    "kind",
    "title",
    "lead",
    "body",
    "start",
    "end",
    "is_published",
    "slides_url",
    "recording_url",
    "recording_note",
    "notes_url",
    "notes_title",
]


def write_programme(plan, changes, *, part_shares=()):
    """Create or update the programme in place by natural keys, and remove what the file dropped;
    a removal that takes people's poll answers goes through `changes` (refused unless allowed).

    Returns the saved summit and {part code: saved part}. Runs inside the import's transaction.
    """
    new = plan["summit"]
    existing = Summit.objects.select_for_update().filter(slug=new.slug).first()
    summit = save_changed(
        existing or Summit(slug=new.slug), _values(new, SUMMIT_FIELDS), changes, f"summit {new.slug!r}"
    )

    hosts = {h.name: h for h in summit.hosts.all()}
    for name in sorted(hosts.keys() - {h.name for h in plan["hosts"]}):
        hosts.pop(name).delete()
        changes.removed.append(f"host {name!r}")
    for host in plan["hosts"]:
        hosts[host.name] = save_changed(
            hosts.get(host.name) or Host(summit=summit, name=host.name),
            {"bio": host.bio},
            changes,
            f"host {host.name!r}",
        )

    days = {d.position: d for d in summit.days.all()}
    sessions = {s.number: s for s in Session.objects.filter(day__summit=summit).select_related("day")}
    parts = {p.code: p for p in SessionPart.objects.of_summit(summit).select_related("session")}
    wanted_sessions = {s.number for d in plan["days"] for s in d.sessions_plan}
    wanted_parts = {
        p.code: (s.number, p.position) for d in plan["days"] for s in d.sessions_plan for p in s.parts_plan
    }
    for code in sorted(parts.keys() - wanted_parts.keys()):
        part = parts[code]
        where = f"part {code} ({part.title})"
        allowed = [
            share.may_remove_part(part, where, changes) for share in part_shares if share.may_remove_part
        ]
        if all(allowed):
            parts.pop(code).delete()
            changes.removed.append(f"part {code} ({part.title})")
    # Dates are unique per summit too, and may swap between days or pass from a removed day to a
    # new one: park those that move or go. Parts that move are parked the same way.
    dates = {d.position: d.date for d in plan["days"]}
    for day in days.values():
        if dates.get(day.position) != day.date:
            Day.objects.filter(pk=day.pk).update(date=dt.date(1, 1, 1) + dt.timedelta(days=day.position))
    for code, part in parts.items():
        if wanted_parts.get(code, (part.session.number, part.position)) != (
            part.session.number,
            part.position,
        ):
            part.position += PARKED
            SessionPart.objects.filter(pk=part.pk).update(position=part.position)

    saved_parts = {}
    for day_plan in plan["days"]:
        day = save_changed(
            days.get(day_plan.position) or Day(summit=summit, position=day_plan.position),
            _values(day_plan, ["date", "title", "intro"]),
            changes,
            f"day {day_plan.position}",
        )
        for session_plan in day_plan.sessions_plan:
            session = save_changed(
                sessions.get(session_plan.number) or Session(number=session_plan.number),
                {"day": day, **_values(session_plan, ["title", "summary", "start", "end"])},
                changes,
                f"session {session_plan.number}",
            )
            for part_plan in session_plan.parts_plan:
                part = save_changed(
                    parts.get(part_plan.code) or SessionPart(code=part_plan.code),
                    {"session": session, **_values(part_plan, PART_FIELDS)},
                    changes,
                    f"part {part_plan.code}",
                )
                wanted_hosts = [hosts[name] for name in part_plan.host_names]
                if {h.pk for h in part.hosts.all()} != {h.pk for h in wanted_hosts}:
                    part.hosts.set(wanted_hosts)
                    changes.changed.append(f"part {part.code} (hosts)")
                for share in part_shares:
                    if share.write:
                        share.write(part, part_plan, changes)
                saved_parts[part.code] = part
    # Sessions and days go last: the parts and sessions they held may have moved elsewhere.
    for number in sorted(sessions.keys() - wanted_sessions):
        sessions.pop(number).delete()
        changes.removed.append(f"session {number}")
    for position in sorted(days.keys() - {d.position for d in plan["days"]}):
        days.pop(position).delete()
        changes.removed.append(f"day {position}")
    return summit, saved_parts
