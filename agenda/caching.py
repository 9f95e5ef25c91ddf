"""Which versions each cached page depends on (the scopes are the data apps', the machinery is
summit.cache)."""

from breakouts.cache import participant_key, seats_key
from sessions_app.cache import programme_key
from summit.cache import personal_page, public_page


def _programme(summit, **kwargs):
    return [programme_key(summit)]


def _programme_and_seats(summit, breakout, **kwargs):
    return [programme_key(summit), seats_key(summit, breakout)]


# A page showing its summit's programme (and no seat counts).
programme_page = public_page(_programme)
# A breakout room's own page, which also shows its live seat counts.
seats_page = public_page(_programme_and_seats)


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
