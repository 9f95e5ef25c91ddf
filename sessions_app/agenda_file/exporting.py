"""Exporting the programme's share of the agenda file."""

from summit.agenda_file import compact, iso

from .reading import PART_KEYS


def export_programme(summit, *, part_shares=()):
    """The summit, hosts and days as agenda data, with the keys `part_shares` keep in each part."""
    prefetch = [f"sessions__parts__{name}" for share in part_shares for name in share.prefetch]
    days = summit.days.prefetch_related("sessions__parts__hosts", *prefetch)

    def export_part_with_shares(part):
        return export_part(part, part_shares)

    return {
        "summit": compact(
            {
                "slug": summit.slug,
                "name": summit.name,
                "acronym": summit.acronym,
                "start_date": iso(summit.start_date),
                "end_date": iso(summit.end_date),
                "venue": summit.venue,
                "time_zone": summit.time_zone,
                "url": summit.url,
                "description": summit.description,
                "published": summit.is_published or None,
            }
        ),
        "hosts": [compact({"name": h.name, "bio": h.bio}) for h in summit.hosts.order_by("name")],
        "days": [
            compact(
                {
                    "position": day.position,
                    "date": iso(day.date),
                    "title": day.title,
                    "intro": day.intro,
                    "sessions": [
                        _export_session(s, export_part_with_shares)
                        for s in sorted(day.sessions.all(), key=lambda s: s.number)
                    ],
                }
            )
            for day in days
        ],
    }


def _export_session(session, export_part):
    return compact(
        {
            "number": session.number,
            "title": session.title,
            "summary": session.summary,
            "start": session.start and iso(session.start),
            "end": session.end and iso(session.end),
            "parts": [export_part(p) for p in sorted(session.parts.all(), key=lambda p: p.position)],
        }
    )


def export_part(part, part_shares=()):
    data = compact(
        {
            "code": part.code,
            "kind": part.kind,
            "title": part.title,
            "lead": part.lead,
            "start": part.start and iso(part.start),
            "end": part.end and iso(part.end),
            # Parts are published unless the file says otherwise.
            "published": None if part.is_published else False,
            "hosts": sorted(h.name for h in part.hosts.all()),
            "body": part.body,
            "links": compact(
                {
                    "slides": part.slides_url,
                    "recording": part.recording_url,
                    "recording_note": part.recording_note,
                    "notes": part.notes_url,
                    "notes_title": part.notes_title,
                }
            ),
        }
    )
    for share in part_shares:
        if share.export:
            data.update(compact(share.export(part)))
    keys = [*PART_KEYS, *(key for share in part_shares for key in share.keys)]
    return {key: data[key] for key in keys if key in data}
