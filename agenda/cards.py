"""Breakout room cards (on the day page and the breakout list), each kept in the cache under a
digest of everything it shows: the breakout room's fields, its bookings and rooms, its
facilitators (and its part, session and day where the card names them). A page rebuilt after a
change renders only the cards whose data changed; the others come from the cache in one round
trip. Cards are kept only for pages every reader of an audience shares (a card with a reader's
own stars in it is built for them)."""

import hashlib

from django.core.cache import cache

from summit.cache import health
from summit.page_cache import PAGE_TIMEOUT, RELEASE, building_shared_page

TEMPLATE = "agenda/_breakout_card.html"


def _fields(obj):
    if obj is None:
        return None
    return tuple(getattr(obj, field.attname) for field in obj._meta.concrete_fields)


def _digest(breakout_room, show_part):
    shown = [_fields(breakout_room), breakout_room.summit_id]
    for booking in breakout_room.loaded_bookings:
        shown += [_fields(booking), _fields(booking.room)]
    shown += [_fields(host) for host in breakout_room.loaded_facilitators]
    if show_part:
        part = breakout_room.part
        shown += [
            _fields(part),
            _fields(part.session),
            _fields(part.session.day),
            breakout_room.summit.slug,
        ]
    return hashlib.sha256(repr(shown).encode()).hexdigest()


def prefetch(request, breakout_rooms, *, level, show_part, reader_tz):
    """Find these breakout rooms' cards in the cache (``breakout_room.card``: HTML and slots, or
    None); the ``breakout_card`` tag renders the others and ``keep()`` stores them."""
    breakout_rooms = list(breakout_rooms)
    if request.user.is_authenticated and not building_shared_page(request):
        return
    audience = "shared" if building_shared_page(request) else "anonymous"
    scope = f"card|{RELEASE}|{audience}|{request.LANGUAGE_CODE}|{reader_tz or ''}|{level}|{show_part}"
    for breakout_room in breakout_rooms:
        breakout_room.card_key = (
            "card:" + hashlib.sha256(f"{scope}|{_digest(breakout_room, show_part)}".encode()).hexdigest()
        )
        breakout_room.card = None
    try:
        found = cache.get_many([b.card_key for b in breakout_rooms])
    except Exception:
        health.failed("reading cards")
        found = {}
    for breakout_room in breakout_rooms:
        breakout_room.card = found.get(breakout_room.card_key)
    request.new_cards = {}


def keep(request):
    new = getattr(request, "new_cards", None)
    if new:
        try:
            cache.set_many(new, PAGE_TIMEOUT)
        except Exception:
            health.failed("keeping cards")
    request.new_cards = None


def render(context, breakout_room, **values):
    """The card's HTML: from the cache when prefetched, else rendered (and kept by ``keep()``)."""
    request = context["request"]
    card = getattr(breakout_room, "card", None)
    if card is not None:
        html, slots = card
        if building_shared_page(request):
            request.page_slots.update(slots)
        return html
    before = set(request.page_slots) if building_shared_page(request) else set()
    with context.push(breakout_room=breakout_room, **values):
        html = context.template.engine.get_template(TEMPLATE).render(context)
    new = getattr(request, "new_cards", None)
    key = getattr(breakout_room, "card_key", None)
    if new is not None and key is not None:
        slots = {}
        if building_shared_page(request):
            slots = {name: request.page_slots[name] for name in set(request.page_slots) - before}
        new[key] = (html, slots)
    return html
