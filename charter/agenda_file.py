"""The charter's share of the agenda file: sections, principles, glossary and committee."""

from summit.agenda_file import compact, save_changed

from .models import CharterSection, CommitteeMember, Concept, Principle

CHARTER_KEYS = ["sections", "principles", "concepts", "committee"]
SECTION_KEYS = ["slug", "title", "guiding_questions", "draft_text", "breakout_rooms"]
PRINCIPLE_KEYS = ["slug", "name", "description", "parts", "breakout_rooms"]
CONCEPT_KEYS = ["term", "definition", "parts"]
MEMBER_KEYS = ["name", "role"]


def read_charter(reader, data, part_codes, breakout_slugs):
    charter = data.get("charter")
    if charter is None:
        return {"sections": [], "principles": [], "concepts": [], "committee": []}
    charter = reader.mapping(charter, "charter", CHARTER_KEYS) or {}
    plan = {"sections": [], "principles": [], "concepts": [], "committee": []}

    for where, item in reader.items(charter, "sections", "charter"):
        item = reader.mapping(item, where, SECTION_KEYS)
        if item is None:
            continue
        questions = []
        for w, q in reader.items(item, "guiding_questions", where):
            question = reader.value({"q": q}, "q", w, required=True, default="")
            # The charter page shows each question trimmed; store it so, or a re-import would differ.
            if question and not question.strip():
                reader.error(w, "is required")
            questions.append(question.strip())
        section = CharterSection(
            slug=reader.value(item, "slug", where, required=True, default=""),
            title=reader.value(item, "title", where, required=True, default=""),
            guiding_questions="\n".join(q for q in questions if q),
            draft_text=reader.value(item, "draft_text", where, default=""),
            position=len(plan["sections"]) + 1,
        )
        if any("\n" in q for q in questions):
            reader.error(f"{where}.guiding_questions", "each question is one line")
        reader.check_model(section, where, exclude=["summit"])
        section.breakout_slugs = reader.names(item, "breakout_rooms", where, breakout_slugs, "breakout room")
        plan["sections"].append((where, section))
    reader.unique([(w, s.slug) for w, s in plan["sections"]], "section slug")

    for where, item in reader.items(charter, "principles", "charter"):
        item = reader.mapping(item, where, PRINCIPLE_KEYS)
        if item is None:
            continue
        principle = Principle(
            slug=reader.value(item, "slug", where, required=True, default=""),
            name=reader.value(item, "name", where, required=True, default=""),
            description=reader.value(item, "description", where, default=""),
            position=len(plan["principles"]) + 1,
        )
        reader.check_model(principle, where, exclude=["summit"])
        principle.part_codes = reader.names(item, "parts", where, part_codes, "part")
        principle.breakout_slugs = reader.names(
            item, "breakout_rooms", where, breakout_slugs, "breakout room"
        )
        plan["principles"].append((where, principle))
    reader.unique([(w, p.slug) for w, p in plan["principles"]], "principle slug")

    for where, item in reader.items(charter, "concepts", "charter"):
        item = reader.mapping(item, where, CONCEPT_KEYS)
        if item is None:
            continue
        concept = Concept(
            term=reader.value(item, "term", where, required=True, default=""),
            definition=reader.value(item, "definition", where, required=True, default=""),
        )
        reader.check_model(concept, where, exclude=["summit"])
        concept.part_codes = reader.names(item, "parts", where, part_codes, "part")
        plan["concepts"].append((where, concept))
    reader.unique([(w, c.term) for w, c in plan["concepts"]], "concept term")

    for where, item in reader.items(charter, "committee", "charter"):
        item = reader.mapping(item, where, MEMBER_KEYS)
        if item is None:
            continue
        member = CommitteeMember(
            name=reader.value(item, "name", where, required=True, default=""),
            role=reader.value(item, "role", where, default=""),
            position=len(plan["committee"]) + 1,
        )
        reader.check_model(member, where, exclude=["summit"])
        plan["committee"].append((where, member))
    reader.unique([(w, m.name) for w, m in plan["committee"]], "committee member")
    return {key: [obj for _, obj in entries] for key, entries in plan.items()}


def _sync(queryset, key, plans, fields, create, changes, what):
    """Update rows matched by `key`, create the missing ones; return them and those the file dropped."""
    existing = {getattr(row, key): row for row in queryset}
    wanted = {getattr(plan, key) for plan in plans}
    stale = [row for k, row in existing.items() if k not in wanted]
    saved = []
    for plan in plans:
        name = getattr(plan, key)
        row = save_changed(
            existing.get(name) or create(**{key: name}),
            {field: getattr(plan, field) for field in fields},
            changes,
            f"{what} {name!r}",
        )
        saved.append((row, plan))
    return saved, stale


def _set_links(row, field, wanted, changes, what):
    """Set a many-to-many link only when it differs, so an identical import writes nothing."""
    manager = getattr(row, field)
    if {obj.pk for obj in manager.all()} != {obj.pk for obj in wanted}:
        manager.set(wanted)
        changes.changed.append(f"{what} ({field.replace('_', ' ')})")


def write_charter(plan, summit, parts, breakouts, changes):
    """Create, update or remove charter content; returns error messages for blocked removals.

    Feedback is never removed by an import: a section with feedback stays until it is moved.
    """
    problems = []
    sections, stale = _sync(
        summit.charter_sections.all(),
        "slug",
        plan["sections"],
        ["title", "guiding_questions", "draft_text", "position"],
        lambda **kw: CharterSection(summit=summit, **kw),
        changes,
        "charter section",
    )
    for section in stale:
        feedback = section.feedback.all()
        if feedback.exists():
            senders = feedback.values("email").distinct().count()
            problems.append(
                f"charter section {section.slug!r} is not in the file but holds {feedback.count()} "
                f"feedback entries from {senders} sender(s); feedback is never removed by an import: "
                "move it to another section in the admin first"
            )
        else:
            section.delete()
            changes.removed.append(f"charter section {section.slug!r}")
    for section, section_plan in sections:
        _set_links(
            section,
            "breakout_rooms",
            [breakouts[s] for s in section_plan.breakout_slugs],
            changes,
            f"charter section {section.slug!r}",
        )

    principles, stale = _sync(
        summit.principles.all(),
        "slug",
        plan["principles"],
        ["name", "description", "position"],
        lambda **kw: Principle(summit=summit, **kw),
        changes,
        "principle",
    )
    for principle in stale:
        principle.delete()
        changes.removed.append(f"principle {principle.slug!r}")
    for principle, principle_plan in principles:
        what = f"principle {principle.slug!r}"
        _set_links(principle, "parts", [parts[c] for c in principle_plan.part_codes], changes, what)
        _set_links(
            principle, "breakout_rooms", [breakouts[s] for s in principle_plan.breakout_slugs], changes, what
        )

    concepts, stale = _sync(
        summit.concepts.all(),
        "term",
        plan["concepts"],
        ["definition"],
        lambda **kw: Concept(summit=summit, **kw),
        changes,
        "concept",
    )
    for concept in stale:
        concept.delete()
        changes.removed.append(f"concept {concept.term!r}")
    for concept, concept_plan in concepts:
        _set_links(
            concept,
            "parts",
            [parts[c] for c in concept_plan.part_codes],
            changes,
            f"concept {concept.term!r}",
        )

    _, stale = _sync(
        summit.committee_members.all(),
        "name",
        plan["committee"],
        ["role", "position"],
        lambda **kw: CommitteeMember(summit=summit, **kw),
        changes,
        "committee member",
    )
    for member in stale:
        member.delete()
        changes.removed.append(f"committee member {member.name!r}")
    return problems


def export_charter(summit):
    sections = summit.charter_sections.prefetch_related("breakout_rooms__part__session")
    principles = summit.principles.prefetch_related("parts__session", "breakout_rooms__part__session")
    concepts = summit.concepts.prefetch_related("parts__session")
    return compact(
        {
            "sections": [
                compact(
                    {
                        "slug": s.slug,
                        "title": s.title,
                        "guiding_questions": s.questions,
                        "draft_text": s.draft_text,
                        "breakout_rooms": _slugs(s.breakout_rooms.all()),
                    }
                )
                for s in sections
            ],
            "principles": [
                compact(
                    {
                        "slug": p.slug,
                        "name": p.name,
                        "description": p.description,
                        "parts": _codes(p.parts.all()),
                        "breakout_rooms": _slugs(p.breakout_rooms.all()),
                    }
                )
                for p in principles
            ],
            "concepts": [
                compact({"term": c.term, "definition": c.definition, "parts": _codes(c.parts.all())})
                for c in concepts
            ],
            "committee": [compact({"name": m.name, "role": m.role}) for m in summit.committee_members.all()],
        }
    )


def _slugs(breakouts):
    in_order = sorted(breakouts, key=lambda b: (b.part.session.number, b.part.position, b.position))
    return [b.slug for b in in_order]


def _codes(parts):
    return [p.code for p in sorted(parts, key=lambda p: (p.session.number, p.position))]
