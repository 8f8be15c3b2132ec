"""`tierplan calibrate` and `tierplan watch`: the profile's inputs fitted to measurements (hand-
checked against the demand model's own formulas), the file edited as a person would, and the
watch's exit code."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tierplan.api import make_planner
from tierplan.calibrate import calibrate
from tierplan.profile import parse_profile
from tierplan.profile_edit import set_values
from tierplan.yamlio import parse_yaml

from .test_cli import run

AMEBO = Path(__file__).parents[1] / "examples" / "amebo.yaml"


def _amebo() -> object:
    return make_planner(AMEBO)


def test_fitted_inputs_reproduce_the_measurements() -> None:
    """Amebo at 12,000 users predicts 1.35M requests a day (12,000 x 150 x the mean daily active
    fraction 0.75) and 11.72 GB of database (12,000 x 1 MB / 1024); measured 1.5M and 25 GB, the
    fitted profile predicts exactly those: requests_per_user_day 150 x 1.5/1.35 = 166.7 (four
    significant figures) and storage_mb_per_unit 25/11.72 = 2.133."""
    planner = _amebo()
    data, changes, skipped = calibrate(
        planner.profile.point_data, planner.assumptions, 12000,  # type: ignore[attr-defined]
        {"api": {"requests_per_day": 1.5e6}, "db": {"storage_gb": 25.0}, "errors": {"error_events_per_month": 1}},
    )
    by = {c.key: c for c in changes}
    assert by["activity.requests_per_user_day"].old == 150 and by["activity.requests_per_user_day"].new == 166.7
    assert by["activity.requests_per_user_day"].predicted == pytest.approx(1.35e6)
    assert by["components.db.storage_mb_per_unit"].new == pytest.approx(2.133)
    assert by["components.db.storage_mb_per_unit"].predicted == pytest.approx(12000 / 1024)
    assert [s.metric for s in skipped] == ["error_events_per_month"]
    fitted = make_planner(parse_profile(data))
    d = fitted.demand(12000).components
    assert d["api"].metrics["requests_per_day"] == pytest.approx(1.5e6, rel=1e-3)
    assert d["db"].metrics["storage_gb"] == pytest.approx(25.0, rel=1e-3)


def test_measurements_that_agree_change_nothing() -> None:
    planner = _amebo()
    d = planner.demand(12000).components  # type: ignore[attr-defined]
    measured = {"api": {"requests_per_day": d["api"].metrics["requests_per_day"] * 1.01}, "db": {"storage_gb": d["db"].metrics["storage_gb"]}}
    _data, changes, skipped = calibrate(planner.profile.point_data, planner.assumptions, 12000, measured)  # type: ignore[attr-defined]
    assert changes == [] and skipped == []


def test_an_input_pushed_out_of_its_range_is_left_alone() -> None:
    """Daily active users above the users themselves would need a fraction above 1."""
    planner = _amebo()
    _data, changes, skipped = calibrate(
        planner.profile.point_data, planner.assumptions, 12000, {"api": {"daily_active_users": 30000}}  # type: ignore[attr-defined]
    )
    assert changes == [] and len(skipped) == 1 and "outside" in skipped[0].why


TEXT = """name: Demo  # the app
activity:
  # how users behave
  requests_per_user_day: 40  # a guess
  peak_factor:
    low: 2
    high: 4
components:
  db:
    kind: postgres
"""


def test_the_file_is_edited_as_a_person_would() -> None:
    out = set_values(
        TEXT,
        [
            (("activity", "requests_per_user_day"), 55.5, "calibrated: was 40"),
            (("activity", "peak_factor"), 3.5, "calibrated: was 3"),
            (("activity", "daily_active_fraction"), 0.4, "calibrated: was 1 (default)"),
            (("components", "db", "storage_mb_per_unit"), 2, "calibrated: was 0"),
            (("team", "seats"), 3, "calibrated"),
        ],
    )
    assert out.splitlines()[:9] == [
        "name: Demo  # the app",
        "activity:",
        "  daily_active_fraction: 0.4  # calibrated: was 1 (default)",
        "  # how users behave",
        "  # a guess",
        "  requests_per_user_day: 55.5  # calibrated: was 40",
        "  peak_factor: 3.5  # calibrated: was 3 (the file had low: 2 high: 4)",
        "components:",
        "  db:",
    ]
    data, _ = parse_yaml(out)
    assert data["components"]["db"] == {"storage_mb_per_unit": 2, "kind": "postgres"}
    assert data["team"] == {"seats": 3}


def test_a_one_line_parent_is_refused() -> None:
    from tierplan.errors import TierplanError

    with pytest.raises(TierplanError, match="one line"):
        set_values("activity: {peak_factor: 3}\n", [(("activity", "requests_per_user_day"), 5, "x")])


def _history(tmp_path: Path, rows: str, units: str = "12000") -> Path:
    csv_path = tmp_path / "usage.csv"
    csv_path.write_text("date,component,metric,value\n" + rows)
    history = tmp_path / "h.db"
    r = run("measure", AMEBO, "--usage-csv", csv_path, "--history", history, "--units", units, "--format", "json")
    assert r.returncode == 0, r.stderr
    return history


def test_calibrate_writes_a_profile_that_diff_can_compare(tmp_path: Path) -> None:
    history = _history(tmp_path, "2026-11-22,api,requests_per_day,1500000\n2026-11-22,db,storage_gb,25\n")
    out = tmp_path / "calibrated.yaml"
    r = run("calibrate", AMEBO, "--history", history, "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "requests_per_user_day: 166.7  # calibrated" in text and "the file had {low: 100, likely: 150, high: 200}" in text
    assert "storage_mb_per_unit: 2.133  # calibrated" in text
    assert "activity.requests_per_user_day: 150 -> 166.7" in r.stderr
    # everything else is the file as it was
    changed = [a for a, b in zip(AMEBO.read_text().splitlines(), text.splitlines(), strict=True) if a != b]
    assert len(changed) == 2
    again = run("calibrate", AMEBO, "--history", history, "-o", out)
    assert again.returncode != 0 and "exists" in again.stderr  # not overwritten without --force
    j = run("calibrate", AMEBO, "--history", history, "--format", "json")
    assert [c["key"] for c in json.loads(j.stdout)["changes"]] == ["activity.requests_per_user_day", "components.db.storage_mb_per_unit"]
    d = run("diff", AMEBO, out, "--format", "json")
    assert d.returncode == 0, d.stderr
    assert json.loads(d.stdout)["scales"]


def test_calibrate_needs_the_scale(tmp_path: Path) -> None:
    csv_path = tmp_path / "usage.csv"
    csv_path.write_text("component,metric,value\ndb,storage_gb,25\n")
    history = tmp_path / "h.db"
    assert run("measure", AMEBO, "--usage-csv", csv_path, "--history", history).returncode == 0
    r = run("calibrate", AMEBO, "--history", history)
    assert r.returncode == 2 and "--units" in r.stderr and "Traceback" not in r.stderr


def test_watch_exits_4_when_a_limit_is_due(tmp_path: Path) -> None:
    """Error events growing 6,000 a week reach the plan's 80,000 seven weeks after the last
    measurement: due within 365 days (exit 4, the limit named), not within 7 (exit 0)."""
    history = _history(
        tmp_path,
        "2026-11-01,errors,error_events_per_month,20000\n"
        "2026-11-08,errors,error_events_per_month,26000\n"
        "2026-11-15,errors,error_events_per_month,32000\n"
        "2026-11-22,errors,error_events_per_month,38000\n",
    )
    due = run("watch", AMEBO, "--history", history, "--prometheus", _exposition(tmp_path), "--within-days", "365")
    assert due.returncode == 4, due.stderr
    assert "errors error_events_per_month may be reached" in due.stdout
    calm = run("watch", AMEBO, "--history", tmp_path / "calm.db", "--prometheus", _exposition(tmp_path), "--within-days", "7")
    assert calm.returncode == 0, calm.stderr


def _exposition(tmp_path: Path) -> Path:
    p = tmp_path / "metrics.txt"
    p.write_text('tierplan_usage{service="ratelimit",metric="dataset_mb"} 12\n')
    return p


def test_watch_writes_a_systemd_service_and_timer(tmp_path: Path) -> None:
    r = run("watch", AMEBO, "--history", tmp_path / "h.db", "--systemd", tmp_path / "units")
    assert r.returncode == 0, r.stderr
    service = (tmp_path / "units" / "tierplan-watch.service").read_text()
    timer = (tmp_path / "units" / "tierplan-watch.timer").read_text()
    assert "ExecStart=" in service and " watch " in service and "EnvironmentFile=" in service
    assert "OnCalendar=daily" in timer
