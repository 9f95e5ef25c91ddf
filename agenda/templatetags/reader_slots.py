"""The per-reader bits of programme pages. Rendered for the reader while a page is built for them
alone; while a page shared by an audience is built, each is a slot (``summit.page_cache.slot``)
that ``agenda.caching`` fills per reader."""

from django import template
from django.utils.html import escape

from agenda import cards
from summit.page_cache import building_shared_page, slot

register = template.Library()


def _include(context, name, **values):
    """``name`` rendered in the current context, as ``{% include %}`` does."""
    with context.push(**values):
        return context.template.engine.get_template(name).render(context)


@register.simple_tag(takes_context=True)
def reader_name(context):
    request = context["request"]
    if building_shared_page(request):
        return slot(request, "reader:name")
    return escape(request.user.get_username())


@register.simple_tag(takes_context=True)
def star(context, kind, target, value, anchor, title):
    """The star form of a part (``kind`` "part") or breakout room ("breakout"), ``target`` its id;
    nothing for readers who are not registered (``stars`` is None)."""
    stars = context.get("stars")
    if stars is None:
        return ""
    request = context["request"]
    starred = stars.parts if kind == "part" else stars.breakout_rooms

    def rendered(on):
        return _include(
            context, "agenda/_star.html", kind=kind, value=value, on=on, anchor=anchor, title=title
        )

    if building_shared_page(request):
        variants = {"on": rendered(True), "off": rendered(False)}
        return slot(request, f"star:{kind}:{target}", variants)
    return rendered(target in starred)


@register.simple_tag(takes_context=True)
def part_polls(context, part, level=4):
    """The polls of a part (``part.loaded_polls``, set by ``agenda.day_polls.attach_polls``)."""
    if not getattr(part, "loaded_polls", None):
        return ""
    request = context["request"]
    if building_shared_page(request):
        return slot(request, f"polls:{part.pk}:{level}")
    return _include(context, "agenda/polls/_part_polls.html", part=part, level=level)


@register.simple_tag(takes_context=True)
def picking_section(context):
    """A breakout room page's seats and the reader's Pick / Leave form."""
    request = context["request"]
    if building_shared_page(request):
        breakout_room = context["breakout_room"]
        return slot(request, f"picking:{breakout_room.slug}:{breakout_room.pk}:{breakout_room.part_id}")
    return _include(context, "agenda/_picking.html")


@register.simple_tag(takes_context=True)
def breakout_card(context, breakout_room, level, show_part=False):
    """A breakout room's card, from the cache when ``agenda.cards.prefetch`` found it."""
    return cards.render(context, breakout_room, level=level, show_part=show_part)
