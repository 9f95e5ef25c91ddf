"""Which versions each cached page depends on (the scopes are the data apps', the machinery is
summit.page_cache), and how a page shared by signed-in readers is made each one's own."""

import functools

from django.contrib.auth.models import AnonymousUser
from django.contrib.messages import get_messages
from django.utils.cache import patch_cache_control, patch_vary_headers
from django.utils.html import escape

from agenda import readers
from breakouts.cache import participant_key, seats_key
from sessions_app.cache import programme_key
from summit.cache import prefetch
from summit.page_cache import (
    key_of_page,
    personal_page,
    public_page,
    shared_page,
    shared_scope,
    with_etag,
)


def _programme(summit, **kwargs):
    return [programme_key(summit)]


def _programme_and_seats(summit, breakout, **kwargs):
    return [programme_key(summit), seats_key(summit, breakout)]


def _picking_section(request, reader, summit, breakout, **kwargs):
    from agenda.seats import expected_picking_reads

    return expected_picking_reads(request, reader, summit, breakout)


def _audience(request, time_zone):
    # Organisers see drafts (``visible_to``); everybody else the published programme. Times are
    # shown in the reader's own zone too, so each zone has its copy.
    return f"{'staff' if request.user.is_staff else 'member'}|{time_zone or ''}"


def _fill(request, reader):
    """This reader's bytes for each slot of a shared page (see ``agenda.templatetags.reader_slots``)."""
    from agenda.day_polls import part_polls_for
    from agenda.seats import picking_sections

    def fill(names, slots):
        values = {}
        polls, picking = [], []
        for name in names:
            kind, _, rest = name.partition(":")
            if kind == "reader":
                values[name] = escape(request.user.get_username()).encode()
            elif kind == "star" and reader.is_registered:
                what, _, pk = rest.partition(":")
                starred = reader.starred_parts if what == "part" else reader.starred_breakout_rooms
                values[name] = slots.get(name, {}).get("on" if int(pk) in starred else "off", b"")
            elif kind == "polls":
                polls.append(rest)
            elif kind == "picking":
                picking.append(rest)
        if polls:
            values.update(part_polls_for(request, reader, polls))
        if picking:
            values.update(picking_sections(request, reader, picking))
        return values

    return fill


def _reader_page(version_keys, pieces_of=None):
    """A programme page: for anonymous readers, one cached copy for all; for signed-in readers,
    one cached copy per audience with their own bits filled in; built for the reader alone only
    while a one-time message waits for them (it is shown once). ``pieces_of(request, reader,
    **url_kwargs)`` names the cache keys the page's slots will read for that reader, to read
    them with the page."""
    anonymous = public_page(version_keys)

    def decorator(view):
        cached_for_anonymous = anonymous(view)

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            if request.method not in ("GET", "HEAD") or not request.user.is_authenticated:
                return cached_for_anonymous(request, *args, **kwargs)
            if len(get_messages(request)):
                request.reader = readers.reader_of(request, kwargs["summit"])
                response = view(request, *args, **kwargs)
                patch_cache_control(response, private=True, no_cache=True)
                patch_vary_headers(response, ["Cookie"])
                return with_etag(request, response)
            page_keys = version_keys(**kwargs)
            # The reader, the page they are guessed to read and its pieces, in one round trip.
            reader_keys, guess = readers.expected_reads(request.user, kwargs["summit"])
            time_zone = guess.time_zone if guess else None
            guessed_page = key_of_page(request, shared_scope(_audience(request, time_zone)))
            pieces = pieces_of(request, guess, **kwargs) if pieces_of and guess else []
            with prefetch([*reader_keys, *page_keys, guessed_page, *pieces]):
                reader = request.reader = readers.reader_of(request, kwargs["summit"])
                return shared_page(
                    request,
                    version_keys=page_keys,
                    audience=_audience(request, reader.time_zone),
                    build=lambda: view(request, *args, **kwargs),
                    fill=_fill(request, reader),
                )

        return wrapper

    return decorator


def public_data(view):
    """An export of the programme (schedule.json, .ics, …): the same for every reader who is not
    an organiser (organisers also see drafts), so signed-in readers get the anonymous copy."""
    cached = public_page(_programme)(view)

    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_staff:
            request.user = AnonymousUser()
        return cached(request, *args, **kwargs)

    return wrapper


# A page showing its summit's programme (and no seat counts).
programme_page = _reader_page(_programme)
# The same, for a page with more of the reader in it than its slots hold (the charter page's
# feedback form carries their name and e-mail address): cached for anonymous readers only.
anonymous_programme_page = public_page(_programme)
# A breakout room's own page, which also shows its live seat counts.
seats_page = _reader_page(_programme_and_seats, pieces_of=_picking_section)


def personal_schedule_page(request, *, summit_slug, participant_id, waiting_for, build):
    """A participant's own schedule, cached for them alone: keyed by the programme and their own
    version (registration, seats, waitlist places), and by the seats of the breakout rooms whose
    waitlists they are on (``waiting_for()``: slugs), where others leaving moves them up."""

    def dependencies():
        return [seats_key(summit_slug, slug) for slug in sorted(waiting_for())]

    return personal_page(
        request,
        scope=f"participant:{participant_id}",
        version_keys=[programme_key(summit_slug), participant_key(participant_id)],
        dependencies=dependencies,
        build=build,
    )
