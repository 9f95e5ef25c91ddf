"""The open space's share of the agenda file: each open-space part's proposal window, its topics
with their moderation and placement, and their interest counts (exported data, not imported).

    open_space:
    - part: S7.1
      proposals_open_at: 2030-05-01T08:00:00Z
      proposals_close_at: 2030-05-02T18:00:00Z
      topics:
      - slug: hubs-after-2022
        title: …
        status: accepted
        placement: {room: "03", breakout_room: s7-1-hubs}
        interest: {onsite: 12, online: 30}

A placed topic's breakout room is written with the part's other breakout rooms (the breakouts
share); the placement names it by slug. Participants' own data (who proposed, who marked a topic)
is never in the file, and an import never removes it: a topic that has it and is missing from the
file is an error.
"""

from django.db.models import Count, Q

from breakouts.models import BreakoutRoom, Mode, Room
from sessions_app.models import SessionPart
from summit.agenda_file import compact, iso

from .models import Interest, OpenSpace, Placement, Proposal

SPACE_KEYS = ["part", "proposals_open_at", "proposals_close_at", "interest_closes_at", "topics"]
TOPIC_KEYS = [
    "slug",
    "title",
    "description",
    "guiding_questions",
    "format",
    "facilitator",
    "status",
    "decline_reason",
    "merged_into",
    "placement",
    "interest",
]
PLACEMENT_KEYS = ["room", "breakout_room", "method"]
TOPIC_FIELDS = [
    "title",
    "description",
    "guiding_questions",
    "format",
    "facilitator_name",
    "status",
    "decline_reason",
]


def read_open_spaces(reader, data, programme, breakouts):
    """Validate the open_space list against the parts and breakout rooms read before it."""
    rooms_of = {b.slug: (b.part_code, set(b.room_codes)) for b in breakouts["breakouts"]}
    room_codes = {r.code for r in breakouts["rooms"]}
    spaces = []
    for where, item in reader.items(data, "open_space", ""):
        item = reader.mapping(item, where, SPACE_KEYS)
        if item is None:
            continue
        code = reader.value(item, "part", where, required=True, default="")
        found = programme["parts"].get(code)
        if code and found is None:
            reader.error(f"{where}.part", f"no part {code!r} in this file")
        elif found is not None and found[1].kind != SessionPart.Kind.OPEN_SPACE:
            reader.error(f"{where}.part", f"part {code!r} is not of kind open_space")
        space = OpenSpace(
            proposals_open_at=reader.value(item, "proposals_open_at", where, "datetime", required=True),
            proposals_close_at=reader.value(item, "proposals_close_at", where, "datetime", required=True),
            interest_closes_at=reader.value(item, "interest_closes_at", where, "datetime"),
        )
        if (
            space.proposals_open_at
            and space.proposals_close_at
            and space.proposals_close_at <= space.proposals_open_at
        ):
            reader.error(f"{where}.proposals_close_at", "must be after proposals_open_at")
        space.part_code = code
        space.topics = []
        for t_where, t_item in reader.items(item, "topics", where):
            topic = _read_topic(reader, t_item, t_where, code, rooms_of, room_codes)
            if topic is not None:
                space.topics.append((t_where, topic))
        reader.unique(space.topics and [(w, t.slug) for w, t in space.topics], "topic slug")
        slugs = {t.slug for _, t in space.topics}
        rooms_used = []
        for t_where, topic in space.topics:
            if topic.merged_into_slug and topic.merged_into_slug not in slugs:
                reader.error(f"{t_where}.merged_into", f"no topic {topic.merged_into_slug!r} in this part")
            if topic.merged_into_slug == topic.slug:
                reader.error(f"{t_where}.merged_into", "a topic cannot be merged into itself")
            if topic.placement_plan:
                rooms_used.append((f"{t_where}.placement.room", topic.placement_plan[0]))
        reader.unique(rooms_used, "room")
        spaces.append((where, space))
    reader.unique([(f"{w}.part", s.part_code) for w, s in spaces], "open space of part")
    return [s for _, s in spaces]


def _read_topic(reader, item, path, part_code, rooms_of, room_codes):
    item = reader.mapping(item, path, TOPIC_KEYS)
    if item is None:
        return None
    questions = item.get("guiding_questions") or []
    if not isinstance(questions, list) or not all(isinstance(q, str) for q in questions):
        reader.error(f"{path}.guiding_questions", "expected a list of questions (text)")
        questions = []
    topic = Proposal(
        slug=reader.value(item, "slug", path, required=True, default=""),
        title=reader.value(item, "title", path, required=True, default=""),
        description=reader.value(item, "description", path, required=True, default=""),
        guiding_questions="\n".join(q.strip() for q in questions),
        format=reader.value(
            item, "format", path, default=Proposal.Format.HYBRID, choices=Proposal.Format.values
        ),
        facilitator_name=reader.value(item, "facilitator", path, default=""),
        status=reader.value(
            item, "status", path, default=Proposal.Status.PROPOSED, choices=Proposal.Status.values
        ),
        decline_reason=reader.value(item, "decline_reason", path, default=""),
    )
    reader.check_model(topic, path, {"facilitator_name": "facilitator"}, exclude=["part"])
    topic.merged_into_slug = reader.value(item, "merged_into", path, default="")
    if topic.status == Proposal.Status.DECLINED and not topic.decline_reason:
        reader.error(
            f"{path}.decline_reason", "is required when the status is declined (the proposer sees it)"
        )
    if (topic.status == Proposal.Status.MERGED) != bool(topic.merged_into_slug):
        reader.error(f"{path}.merged_into", "is given exactly when the status is merged")
    topic.placement_plan = None
    if item.get("placement") is not None:
        where = f"{path}.placement"
        placement = reader.mapping(item["placement"], where, PLACEMENT_KEYS) or {}
        room = reader.value(placement, "room", where, required=True, default="")
        slug = reader.value(placement, "breakout_room", where, required=True, default="")
        method = reader.value(
            placement, "method", where, default=Placement.Method.HAND, choices=Placement.Method.values
        )
        if topic.status != Proposal.Status.ACCEPTED:
            reader.error(where, "only accepted topics are placed")
        if room and room not in room_codes:
            reader.error(f"{where}.room", f"no room {room!r} in this file")
        if slug and slug not in rooms_of:
            reader.error(f"{where}.breakout_room", f"no breakout room {slug!r} in this file")
        elif slug and rooms_of[slug][0] != part_code:
            reader.error(f"{where}.breakout_room", f"breakout room {slug!r} is not in part {part_code}")
        elif slug and room and room not in rooms_of[slug][1]:
            reader.error(f"{where}.room", f"breakout room {slug!r} is not held in room {room!r}")
        topic.placement_plan = (room, slug, method)
    return topic


def dropped_part_problems(summit_slug, part_codes):
    """Before the programme is written: an open-space part the file drops would take participants'
    proposals and interest with it (a part's deletion cascades), so name it as a problem."""
    held = Proposal.objects.filter(part__session__day__summit__slug=summit_slug).exclude(
        part__code__in=part_codes
    )
    codes = sorted(set(_with_people(held).values_list("part__code", flat=True)))
    return [
        f"part {code}: not in the file but holds participants' open-space proposals or interest"
        for code in codes
    ]


def write_open_spaces(plan, summit, parts):
    """Create or update the open spaces and their topics; returns problems that would lose
    participants' data (the import then changes nothing)."""
    problems = []
    in_file = {s.part_code for s in plan}
    for space in OpenSpace.objects.filter(part__session__day__summit=summit).select_related("part"):
        if space.part.code not in in_file:
            if _holds_people(Proposal.objects.filter(part=space.part)):
                problems.append(
                    f"open space {space.part.code}: not in the file but has participants' proposals"
                )
            else:
                Proposal.objects.filter(part=space.part).delete()
                space.delete()
    rooms = {r.code: r for r in Room.objects.filter(summit=summit)}
    breakout_rooms = {b.slug: b for b in BreakoutRoom.objects.of_summit(summit)}
    for space_plan in plan:
        part = parts[space_plan.part_code]
        space = OpenSpace.objects.filter(part=part).first() or OpenSpace(part=part)
        for field in ("proposals_open_at", "proposals_close_at", "interest_closes_at"):
            setattr(space, field, getattr(space_plan, field))
        space.save()
        existing = {p.slug: p for p in Proposal.objects.filter(part=part)}
        wanted = {t.slug for _, t in space_plan.topics}
        dropped = Proposal.objects.filter(part=part).exclude(slug__in=wanted)
        if _holds_people(dropped):
            problems.append(
                f"open space {part.code}: topics {', '.join(sorted(p.slug for p in dropped))} are not in "
                "the file but hold participants' proposals or interest"
            )
            continue
        Placement.objects.filter(part=part).delete()
        Proposal.objects.filter(part=part).update(breakout_room=None)
        dropped.delete()
        saved = {}
        for _where, topic in space_plan.topics:
            proposal = existing.get(topic.slug) or Proposal(part=part, slug=topic.slug)
            for field in TOPIC_FIELDS:
                setattr(proposal, field, getattr(topic, field))
            proposal.merged_into = None
            if topic.status == Proposal.Status.MERGED:
                # Saved first as withdrawn: the constraint wants the target, set below.
                proposal.status = Proposal.Status.WITHDRAWN
            proposal.save()
            saved[topic.slug] = proposal
        for _where, topic in space_plan.topics:
            proposal = saved[topic.slug]
            if topic.status == Proposal.Status.MERGED:
                into = saved[topic.merged_into_slug]
                _carry_interest(proposal, into)
                Proposal.objects.filter(pk=proposal.pk).update(
                    status=Proposal.Status.MERGED, merged_into=into
                )
            if topic.placement_plan:
                room_code, slug, method = topic.placement_plan
                Proposal.objects.filter(pk=proposal.pk).update(breakout_room=breakout_rooms[slug])
                Placement.objects.create(proposal=proposal, room=rooms[room_code], method=method)
    return problems


def _with_people(proposals):
    return proposals.filter(Q(proposer__isnull=False) | Q(interests__isnull=False))


def _holds_people(proposals):
    return _with_people(proposals).exists()


def _carry_interest(proposal, into):
    already = Interest.objects.filter(proposal=into).values("participant")
    Interest.objects.filter(proposal=proposal, participant__in=already).delete()
    Interest.objects.filter(proposal=proposal).update(proposal=into)


def export_open_spaces(summit):
    """The summit's open spaces as agenda data, parts in programme order, topics by slug."""
    spaces = (
        OpenSpace.objects.filter(part__session__day__summit=summit)
        .select_related("part")
        .order_by("part__session__day__position", "part__session__number", "part__position")
    )
    topics = (
        Proposal.objects.filter(part__session__day__summit=summit)
        .annotate(
            n_onsite=Count("interests", filter=Q(interests__mode=Mode.ONSITE)),
            n_online=Count("interests", filter=Q(interests__mode=Mode.ONLINE)),
        )
        .select_related("facilitator", "merged_into", "placement__room", "breakout_room")
        .order_by("slug")
    )
    by_part: dict[int, list] = {}
    for topic in topics:
        by_part.setdefault(topic.part_id, []).append(topic)
    return [
        compact(
            {
                "part": space.part.code,
                "proposals_open_at": iso(space.proposals_open_at),
                "proposals_close_at": iso(space.proposals_close_at),
                "interest_closes_at": iso(space.interest_closes_at) if space.interest_closes_at else None,
                "topics": [_export_topic(t) for t in by_part.get(space.part_id, [])],
            }
        )
        for space in spaces
    ]


def _export_topic(topic):
    placement = getattr(topic, "placement", None)
    return compact(
        {
            "slug": topic.slug,
            "title": topic.title,
            "description": topic.description,
            "guiding_questions": topic.questions,
            "format": topic.format,
            "facilitator": topic.facilitator_display,
            "status": topic.status,
            "decline_reason": topic.decline_reason,
            "merged_into": topic.merged_into.slug if topic.merged_into_id else None,
            "placement": compact(
                {
                    "room": placement.room.code,
                    "breakout_room": topic.breakout_room.slug if topic.breakout_room_id else None,
                    "method": placement.method if placement.method != Placement.Method.HAND else None,
                }
            )
            if placement and topic.breakout_room_id
            else None,
            "interest": compact({"onsite": topic.n_onsite or None, "online": topic.n_online or None}),
        }
    )
