"""Components written against one provider's APIs (issue 11): options elsewhere are excluded, or,
with rewrite_hours, a move off the provider costs the rewrite, and a plan that runs the component
elsewhere says the rewrite comes first."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierplan.assumptions import load_assumptions
from tierplan.catalog.loader import load_catalog
from tierplan.engine.moves import component_migration
from tierplan.engine.planner import Planner
from tierplan.profile import load_profile

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
TIERPLAN = str(Path(sys.executable).parent / "tierplan")


def _amebo(tmp_path: Path, comp: str, written_for: dict[str, Any]) -> Path:
    data = yaml.safe_load((EXAMPLES / "amebo.yaml").read_text())
    data["components"][comp]["written_for"] = written_for
    path = tmp_path / "amebo.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def _plan_json(path: Path) -> dict[str, Any]:
    r = subprocess.run(
        [TIERPLAN, "plan", str(path), "--format", "json"],
        capture_output=True,
        text=True,
        timeout=600,
        env={"TIERPLAN_NO_CACHE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)


def _item(phase: dict[str, Any], comp: str) -> dict[str, Any]:
    return next(x for x in phase["stack"] if x["component"] == comp)


def _providers(doc: dict[str, Any], comp: str) -> list[str]:
    return [_item(ph, comp)["provider"] for ph in doc["phases"]]


def test_without_rewrite_hours_the_component_stays_on_its_provider(tmp_path: Path) -> None:
    """Amebo's realtime server is written for Durable Objects: without rewrite hours no phase
    moves it to Fly.io (today's plan does, at 10,031 users)."""
    doc = _plan_json(_amebo(tmp_path, "realtime", {"provider": "cloudflare", "uses": "Durable Objects"}))
    assert set(_providers(doc, "realtime")) == {"cloudflare"}
    plain = _plan_json(EXAMPLES / "amebo.yaml")
    assert "fly" in _providers(plain, "realtime")


def test_a_move_off_the_provider_costs_the_rewrite(tmp_path: Path) -> None:
    """With rewrite_hours 40 at the profile's $50/h, moving the realtime server from Cloudflare to
    Fly.io costs 40 h more than a plain move (the kind's 4 h): 44 h, $2,200; moving between
    two other hosts, or within Cloudflare, costs no rewrite."""
    path = _amebo(tmp_path, "realtime", {"provider": "cloudflare", "rewrite_hours": 40})
    prof = load_profile(path)
    planner = Planner(prof, load_catalog(), load_assumptions().with_overrides(prof.assumptions), str(path))
    opts = planner.options["realtime"].options
    cf = next(o for o in opts if o.provider == "cloudflare")
    fly = [o for o in opts if o.provider == "fly"]
    assert prof.migration.hourly_rate_usd == 50
    usd, hours, _, _ = component_migration(planner, "realtime", cf, fly[0], 20_000)
    assert hours == pytest.approx(4 + 40) and usd == pytest.approx(44 * 50)
    _, hours_between, _, _ = component_migration(planner, "realtime", fly[0], fly[-1], 20_000)
    assert hours_between < 40


def test_running_elsewhere_says_the_rewrite_comes_first(tmp_path: Path) -> None:
    """Amebo's API is written for Workers bindings in this variant, with 80 h to rewrite it: the
    plan runs it on Fly.io, and its risks say that means the rewrite first."""
    doc = _plan_json(_amebo(tmp_path, "api", {"provider": "cloudflare", "uses": "Workers bindings", "rewrite_hours": 80}))
    first = _item(doc["phases"][0], "api")
    assert first["provider"] == "fly"
    assert any("written against cloudflare's APIs (Workers bindings)" in r and "(80 h" in r for r in first["risks"])


def test_an_unknown_provider_is_a_clear_error(tmp_path: Path) -> None:
    path = _amebo(tmp_path, "realtime", {"provider": "cloudflair"})
    r = subprocess.run([TIERPLAN, "plan", str(path)], capture_output=True, text=True, timeout=120)
    assert r.returncode == 2
    assert "components.realtime.written_for.provider" in r.stderr and "cloudflare" in r.stderr
    assert "Traceback" not in r.stderr
