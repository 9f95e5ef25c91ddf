"""Dependencies point one way: charter → breakouts → sessions_app."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# An app may not import the apps listed for it.
FORBIDDEN = {"sessions_app": {"breakouts", "charter"}, "breakouts": {"charter"}}


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


@pytest.mark.parametrize("app", sorted(FORBIDDEN))
def test_app_does_not_import_the_apps_that_build_on_it(app):
    offending = [
        f"{path.relative_to(ROOT)}:{line} imports {name}"
        for path in sorted((ROOT / app).rglob("*.py"))
        for line, name in imported_apps(path)
        if name in FORBIDDEN[app]
    ]
    assert offending == []


def test_the_check_sees_imports_of_every_form(tmp_path):
    module = tmp_path / "m.py"
    module.write_text(
        "import charter.models\nfrom breakouts import agenda_file\nfrom . import models\n"
        "import importlib\nimportlib.import_module('charter.views')\n"
    )
    assert [name for _, name in imported_apps(module)] == ["charter", "breakouts", "importlib", "charter"]


# Every database rule of the three apps and the test that shows it refusing a bad row. A new
# constraint fails this test until it gets its own test here.
RULE_TESTS = {
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
    "poll_choice_label_unique": "sessions_app::test_poll_choice_label_is_unique_per_poll",
    "one_answer_per_user_and_poll": "sessions_app::test_one_answer_per_user_and_poll",
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
    "charter_section_slug_unique": "charter::test_charter_section_slug_is_unique_per_summit",
    "principle_slug_unique": "charter::test_principle_slug_is_unique_per_summit",
    "concept_term_unique": "charter::test_concept_term_is_unique_per_summit",
    "groups_and_affiliates_are_named": "charter::test_group_and_affiliate_feedback_needs_a_name",
    "feedback_status_valid": "charter::test_feedback_status_must_be_known",
}


def test_every_database_rule_has_a_test_that_breaks_it():
    from django.apps import apps

    constraints = {
        constraint.name
        for app in ("sessions_app", "breakouts", "charter")
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
