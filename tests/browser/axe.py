"""axe-core, run in the page, for WCAG 2.1 AA checks in browser tests."""

from pathlib import Path

import pytest

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
WCAG_21_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page):
    """The page's WCAG 2.1 A and AA violations, one readable line each."""
    if not AXE.exists():
        pytest.skip(f"axe-core not found at {AXE}: run `npm ci` in the project")
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("tags => axe.run(document, {runOnly: {type: 'tag', values: tags}})", WCAG_21_AA)
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])}× e.g. {v['nodes'][0]['target']})"
        for v in result["violations"]
    ]
