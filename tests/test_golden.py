"""Golden files for reports and --help, against the frozen test catalog (tests/data/catalog).

Regenerate after an intended change with:  .venv/bin/pytest tests/test_golden.py --update-goldens
and review the diff in git.
"""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from .conftest import TEST_CATALOG
from .test_cli import APP, run

GOLDEN = Path(__file__).parent / "golden"

CASES = {
    "plan.json": ("plan", APP, "--format", "json", "--catalog", TEST_CATALOG),
    "plan.md": ("plan", APP, "--format", "md", "--catalog", TEST_CATALOG),
    "plan.txt": ("plan", APP, "--catalog", TEST_CATALOG),
    "plan.html": ("plan", APP, "--format", "html", "--catalog", TEST_CATALOG),
    "plan-at-150.md": ("plan", APP, "--at", 150, "--format", "md", "--catalog", TEST_CATALOG),
    "explain-at-20.txt": ("explain", APP, "--at", 20, "--catalog", TEST_CATALOG),
    "help.txt": ("--help",),
    "plan-help.txt": ("plan", "--help"),
}


def _normalise(text: str) -> str:
    return text.replace(str(APP.parent), "tests/data").replace(str(TEST_CATALOG), "tests/data/catalog")


@pytest.mark.parametrize("name", sorted(CASES))
def test_golden(name: str, update_goldens: bool) -> None:
    r = run(*CASES[name])
    assert r.returncode == 0, r.stderr
    got = _normalise(r.stdout)
    path = GOLDEN / name
    if update_goldens or not path.exists():
        path.write_text(got)
        if not update_goldens:
            pytest.fail(f"golden file {path.name} was missing and has been written; review and commit it")
        return
    want = path.read_text()
    if got != want:
        diff = "".join(
            difflib.unified_diff(want.splitlines(True), got.splitlines(True), f"golden/{name}", "actual", n=2)
        )
        pytest.fail(
            f"{name} differs from its golden file (rerun with --update-goldens if intended):\n{diff[:6000]}"
        )
