"""Dependencies point one way: agenda → charter → (breakouts, polls) → sessions_app, and every
data app → summit's bottom modules. Imports, URL names, templates, related names and groups alike."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = [
    "sessions_app",
    "breakouts",
    "polls",
    "charter",
    "mailings",
    "openspace",
    "bookmarks",
    "agenda",
    "api",
]
# What each app builds on; everything else in APPS is above it or beside it, and out of reach.
BUILDS_ON = {
    "sessions_app": set(),
    "breakouts": {"sessions_app"},
    "polls": {"sessions_app"},
    "charter": {"breakouts", "polls", "sessions_app"},
    # Outgoing mail: the announcements' audiences are the breakouts' participants; the data apps
    # send their mail through summit/jobs.py, whose outbox mailings registers.
    "mailings": {"breakouts", "sessions_app"},
    "openspace": {"breakouts", "sessions_app"},
    "bookmarks": {"breakouts", "sessions_app"},
    "agenda": {"charter", "bookmarks", "breakouts", "polls", "mailings", "openspace", "sessions_app"},
    "api": {"agenda", "bookmarks", "charter", "breakouts", "mailings", "openspace", "polls", "sessions_app"},
}
FORBIDDEN = {app: set(APPS) - BUILDS_ON[app] - {app} for app in APPS}
# summit/ wires the apps together (settings, root URLs); its other modules are the bottom
# everybody imports (the cache engine, the agenda file's mechanics), so they import no app.
SUMMIT_WIRING = {"settings.py", "urls.py", "wsgi.py", "asgi.py"}


def python_files(app):
    return sorted(p for p in (ROOT / app).rglob("*.py") if "migrations" not in p.parts)


def template_files(app):
    """The templates an app owns: its own templates/ folder, templates/<app>/ and the admin's."""
    folders = [ROOT / app / "templates", ROOT / "templates" / app, ROOT / "templates" / "admin" / app]
    return sorted(f for folder in folders if folder.exists() for f in folder.rglob("*") if f.is_file())


def imported_apps(path):
    """Top-level packages a module imports (relative imports stay inside the app)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]
        elif isinstance(node, ast.Call) and _calls_import(node):
            yield node.lineno, node.args[0].value.split(".")[0]


def _calls_import(node):
    name = getattr(node.func, "id", getattr(node.func, "attr", ""))
    first = node.args[0] if node.args else None
    return name in {"import_module", "__import__"} and isinstance(getattr(first, "value", None), str)


def string_literals(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            yield node.lineno, node.value


def named_apps(text):
    """Apps a text names by URL name ("agenda:day") or template path ("agenda/day.html")."""
    apps = "|".join(APPS)
    for match in re.finditer(rf"(?<![\w/])({apps})(:[a-z_]+\b|/[\w/.-]+\.(?:html|txt|svg|xml))", text):
        yield match.group(1), match.group(0)


@pytest.mark.parametrize("app", APPS)
def test_app_does_not_import_the_apps_that_build_on_it(app):
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in python_files(app)
        for line, name in imported_apps(path)
        if name in FORBIDDEN[app]
    ]
    assert offending == []


def test_summit_bottom_modules_import_no_app():
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / "summit").rglob("*.py"))
        if path.name not in SUMMIT_WIRING
        for line, name in imported_apps(path)
        if name in APPS
    ]
    assert offending == []


@pytest.mark.parametrize("app", APPS)
def test_app_names_no_url_or_template_of_the_apps_above(app):
    offending = [
        f"{path.relative_to(ROOT)}:{line} names {what}"
        for path in python_files(app)
        for line, text in string_literals(path)
        for name, what in named_apps(text)
        if name in FORBIDDEN[app]
    ]
    offending += [
        f"{path.relative_to(ROOT)} names {what}"
        for path in template_files(app)
        for name, what in named_apps(path.read_text(encoding="utf-8", errors="replace"))
        if name in FORBIDDEN[app]
    ]
    assert offending == []


def _upper_relation_names(app):
    """Names by which a query from `app` could follow a relation that an app above defines."""
    from django.apps import apps

    names = {}
    for model in apps.get_app_config(app).get_models():
        for relation in model._meta.related_objects:
            owner = relation.related_model._meta.app_label
            if owner in FORBIDDEN[app]:
                for name in {relation.get_accessor_name(), relation.field.related_query_name()}:
                    if name and not name.endswith("+"):
                        names[name] = f"{owner}.{relation.related_model.__name__}"
    return names


def attributes(path):
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute):
            yield node.lineno, node.attr


@pytest.mark.parametrize("app", [a for a in APPS if FORBIDDEN[a]])
def test_app_follows_no_relation_that_an_app_above_defines(app):
    """Neither in a lookup ("part__polls", prefetch_related("charter_sections")) nor as an
    attribute (part.polls)."""
    names = _upper_relation_names(app)
    offending = [
        f"{path.relative_to(ROOT)}:{line} follows {part!r} ({names[part]})"
        for path in python_files(app)
        for line, text in string_literals(path)
        if re.fullmatch(r"[a-z_]+(__[a-z_]+)*", text)
        for part in text.split("__")
        if part in names
    ]
    offending += [
        f"{path.relative_to(ROOT)}:{line} follows .{name} ({names[name]})"
        for path in python_files(app)
        for line, name in attributes(path)
        if name in names
    ]
    assert offending == []


def test_relation_check_knows_the_relations_above():
    assert _upper_relation_names("sessions_app")["polls"] == "polls.Poll"
    assert "charter_sections" in _upper_relation_names("breakouts")


@pytest.mark.parametrize("app", [a for a in APPS if a != "agenda"])
def test_only_the_top_app_names_the_organisers_group(app):
    offending = [
        f"{path.relative_to(ROOT)}:{line}"
        for path in python_files(app)
        for line, text in string_literals(path)
        if text == "Organisers"
    ]
    assert offending == []


def test_the_checks_see_every_form(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import charter.models\nfrom breakouts import agenda_file\nfrom . import models\n"
        "import importlib\nimportlib.import_module('charter.views')\n"
        "reverse('agenda:day')\nrender(request, 'agenda/day.html')\n"
    )
    assert [name for _, name in imported_apps(module)] == ["charter", "breakouts", "importlib", "charter"]
    named = [name for _, text in string_literals(module) for name, _what in named_apps(text)]
    assert named == ["agenda", "agenda"]
    assert list(named_apps('{% url "agenda:overview" summit=s %}{% include "charter/_x.html" %}')) == [
        ("agenda", "agenda:overview"),
        ("charter", "charter/_x.html"),
    ]


# Every database rule of the three apps and the test that shows it refusing a bad row. A new
# constraint fails this test until it gets its own test here.
RULE_TESTS = {
    "poll_closes_after_opening": "polls::test_a_poll_cannot_close_before_it_opens",
    "bookmark_has_one_target": "bookmarks::test_a_bookmark_names_exactly_one_target",
    "one_star_per_part": "bookmarks::test_one_star_per_participant_and_part",
    "one_star_per_breakout_room": "bookmarks::test_one_star_per_participant_and_breakout_room",
    "summit_ends_after_it_starts": "sessions_app::test_summit_cannot_end_before_it_starts",
    "day_position_unique": "sessions_app::test_two_days_of_a_summit_cannot_share_a_position",
    "day_date_unique": "sessions_app::test_two_days_of_a_summit_cannot_share_a_date",
    "day_position_positive": "sessions_app::test_day_position_zero_is_refused",
    "session_number_unique_per_day": "sessions_app::test_session_number_is_unique_per_day",
    "session_timed_and_ends_after_start": "sessions_app::test_session_cannot_end_before_it_starts",
    "host_name_unique_per_summit": "sessions_app::test_host_name_is_unique_per_summit",
    "part_code_unique_per_session": "sessions_app::test_part_code_is_unique_per_session",
    "part_position_unique": "sessions_app::test_part_position_is_unique_per_session",
    "part_ends_after_start": "sessions_app::test_part_cannot_end_before_it_starts",
    "poll_choice_label_unique": "polls::test_poll_choice_label_is_unique_per_poll",
    "one_answer_per_user_and_poll": "polls::test_one_answer_per_user_and_poll",
    "room_code_unique_per_summit": "breakouts::test_room_code_is_unique_per_summit",
    "breakout_position_unique": "breakouts::test_breakout_room_position_is_unique_per_part",
    "breakout_slug_unique_per_summit": "breakouts::test_breakout_room_slug_is_unique_per_summit",
    "booking_label_unique": "breakouts::test_a_breakout_room_cannot_hold_two_bookings_with_one_label",
    "room_booked_once_per_part": "breakouts::test_a_room_is_booked_once_per_part",
    "booking_label_valid": "breakouts::test_a_third_label_is_refused",
    "picking_closes_after_opening": "breakouts::test_picking_cannot_close_before_it_opens",
    "picking_rank_count_1_to_10": "breakouts::test_picking_rank_count_is_between_1_and_10",
    "one_registration_per_summit": "breakouts::test_a_person_registers_once_per_summit",
    "participant_mode_valid": "breakouts::test_participant_attendance_must_be_onsite_or_online",
    "one_room_per_rank": "breakouts::test_a_participant_gives_each_rank_once_per_part",
    "rank_a_room_once": "breakouts::test_a_participant_ranks_a_breakout_room_once",
    "rank_1_to_10": "breakouts::test_rank_11_is_refused",
    "one_confirmed_seat_per_part": (
        "breakouts::test_two_confirmed_seats_for_one_participant_in_a_part_are_refused"
    ),
    "one_entry_per_breakout_room": "breakouts::test_a_participant_has_one_entry_per_breakout_room",
    "assignment_mode_valid": "breakouts::test_assignment_mode_must_be_onsite_or_online",
    "confirmed_seats_have_a_room": "breakouts::test_a_confirmed_seat_without_a_room_is_refused",
    "assignment_run_published_by_needs_time": "breakouts::test_a_run_published_by_someone_says_when",
    "check_in_once_per_room": "breakouts::test_a_participant_is_checked_in_once_per_breakout_room",
    "charter_section_slug_unique": "charter::test_charter_section_slug_is_unique_per_summit",
    "principle_slug_unique": "charter::test_principle_slug_is_unique_per_summit",
    "concept_term_unique": "charter::test_concept_term_is_unique_per_summit",
    "groups_and_affiliates_are_named": "charter::test_group_and_affiliate_feedback_needs_a_name",
    "feedback_status_valid": "charter::test_feedback_status_must_be_known",
    "mail_status_valid": "mailings::test_mail_status_must_be_known",
    "announcement_breakout_room_audience_names_a_room": (
        "mailings::test_a_breakout_room_announcement_without_a_room_is_refused"
    ),
}


def test_every_database_rule_has_a_test_that_breaks_it():
    from django.apps import apps

    constraints = {
        constraint.name
        for app in ("sessions_app", "breakouts", "polls", "charter", "mailings", "bookmarks")
        for model in apps.get_app_config(app).get_models()
        for constraint in model._meta.constraints
    }
    assert constraints - RULE_TESTS.keys() == set(), "add a test for each new constraint"
    missing = []
    for rule, test in RULE_TESTS.items():
        app, name = test.split("::")
        if f"def {name}(" not in (ROOT / "tests" / app / "test_models.py").read_text():
            missing.append(f"{rule}: {test}")
    assert missing == []
