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
        "import charter.models\nfrom breakouts import agenda\nfrom . import models\n"
        "import importlib\nimportlib.import_module('charter.views')\n"
    )
    assert [name for _, name in imported_apps(module)] == ["charter", "breakouts", "importlib", "charter"]
