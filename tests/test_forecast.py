"""Trend fits and the dates limits are reached (forecast.py): exact on exact series, the true date
inside the interval on noisy ones, and the forecast report of a real plan (report/forecast.py)."""

from __future__ import annotations

import datetime as dt
import json
import math
import random
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tierplan.forecast import HORIZON_DAYS, eta, fit_series, series_for

T0 = dt.datetime(2026, 10, 1, tzinfo=dt.UTC)
AMEBO = Path(__file__).parents[1] / "examples" / "amebo.yaml"


def _series(f, days: list[float]) -> list[tuple[dt.datetime, float]]:  # type: ignore[no-untyped-def]
    return [(T0 + dt.timedelta(days=d), f(d)) for d in days]


def test_a_line_is_fitted_exactly_and_dated_exactly() -> None:
    """y = 100 + 5 t: the threshold 400 is reached on day 60 (to the minute)."""
    pts = _series(lambda d: 100 + 5 * d, [0, 7, 14, 21, 28])
    f = fit_series(pts)
    assert f is not None and f.model == "linear"
    assert f.a == pytest.approx(100) and f.b == pytest.approx(5)
    e = eta(f, 400, pts[-1][0], pts[-1][1])
    assert e.at is not None and abs((e.at - (T0 + dt.timedelta(days=60))).total_seconds()) <= 60
    # no spread: the interval closes on the date itself
    assert e.low is not None and e.high is not None
    assert abs((e.high - e.low).total_seconds()) <= 120


def test_doubling_every_ten_days_is_an_exponential() -> None:
    """y = 10 x 2^(t/10): from 160 on day 40 the threshold 1,280 is 30 days later."""
    pts = _series(lambda d: 10 * 2 ** (d / 10), [0, 10, 20, 30, 40])
    f = fit_series(pts)
    assert f is not None and f.model == "exponential"
    assert f.b == pytest.approx(math.log(2) / 10)
    e = eta(f, 1280, pts[-1][0], pts[-1][1])
    assert e.at is not None and abs((e.at - (T0 + dt.timedelta(days=70))).total_seconds()) <= 60


def test_flat_and_falling_series_never_reach_it() -> None:
    for f_ in (lambda d: 50.0, lambda d: 50 - d):
        pts = _series(f_, [0, 1, 2, 3])
        f = fit_series(pts)
        assert f is not None
        e = eta(f, 100, pts[-1][0], pts[-1][1])
        assert e.at is None and e.high is None and not e.reached


def test_reached_already_and_too_few_points() -> None:
    pts = _series(lambda d: 10 + d, [0, 1, 2])
    f = fit_series(pts)
    assert f is not None
    assert eta(f, 5, pts[-1][0], pts[-1][1]).reached
    assert fit_series(pts[:1]) is None
    two = fit_series(pts[:2])
    assert two is not None and two.s is None
    e = eta(two, 20, pts[1][0], pts[1][1])
    assert e.at is not None and e.low is None and e.high is None  # a date, no interval


def test_a_crossing_beyond_the_horizon_is_none() -> None:
    pts = _series(lambda d: 1 + 0.001 * d, [0, 10, 20, 30])
    f = fit_series(pts)
    assert f is not None
    assert eta(f, 100, pts[-1][0], pts[-1][1]).at is None  # ~99,000 days away
    assert HORIZON_DAYS == 730


def _noisy(truth, noise: float, rng: random.Random) -> list[tuple[dt.datetime, float]]:  # type: ignore[no-untyped-def]
    return _series(lambda d: truth(d) * (1 + rng.gauss(0, noise)), list(range(30)))


@pytest.mark.parametrize("exponential", [False, True])
def test_the_interval_holds_the_true_date_in_nearly_every_noisy_history(exponential: bool) -> None:
    """200 histories of thirty daily measurements of a known growth (a line, or an exponential)
    with 5% multiplicative noise, seeded: the date the noiseless curve reaches twice its last
    value lies between eta_low and eta_high in at least 85% of them (the interval is a 90% one,
    around whichever model the noisy data favour, or both)."""
    rng = random.Random(14)
    covered = tried = 0
    for _ in range(200):
        slope = rng.uniform(2, 20)

        def truth(d: float, slope: float = slope) -> float:
            return 100 * math.exp(slope / 1000 * d) if exponential else 100 + slope * d

        pts = _noisy(truth, 0.05, rng)
        f = fit_series(pts)
        assert f is not None
        threshold = 2 * truth(29)
        true_day = math.log(threshold / 100) / (slope / 1000) if exponential else (threshold - 100) / slope
        if true_day - 29 > HORIZON_DAYS:
            continue
        tried += 1
        e = eta(f, threshold, pts[-1][0], pts[-1][1])
        true_at = T0 + dt.timedelta(days=true_day)
        covered += e.low is not None and e.low <= true_at and (e.high is None or true_at <= e.high)
    assert tried >= 150
    assert covered / tried >= 0.85, (covered, tried)


@settings(max_examples=60, deadline=None)
@given(
    slope=st.floats(0.5, 20),
    noise=st.floats(0.0, 0.2),
    seed=st.integers(0, 10_000),
    threshold_factor=st.floats(0.5, 5),
)
def test_low_at_high_are_ordered(slope: float, noise: float, seed: int, threshold_factor: float) -> None:
    rng = random.Random(seed)
    pts = _noisy(lambda d: 100 + slope * d, noise, rng)
    f = fit_series(pts)
    assert f is not None
    e = eta(f, threshold_factor * pts[-1][1], pts[-1][0], pts[-1][1])
    if e.reached:
        assert e.at == e.low == e.high == pts[-1][0]
        return
    if e.low is not None and e.at is not None:
        assert e.low <= e.at
    if e.high is not None and e.at is not None:
        assert e.at <= e.high
    if e.high is not None:
        assert e.low is not None and e.low <= e.high


def test_per_day_and_per_month_figures_stand_for_each_other() -> None:
    over = [(T0, {"requests_per_day": 1000.0}), (T0 + dt.timedelta(days=1), {"requests_per_day": 1100.0})]
    name, pts = series_for(over, "requests_per_month")  # type: ignore[misc]
    assert name == "requests_per_day" and pts[0][1] == pytest.approx(1000 * 365 / 12)
    assert series_for(over, "storage_gb") is None


# --------------------------------------------------------------------------- the command
def _history(tmp_path, rows: str):  # type: ignore[no-untyped-def]
    from .test_cli import run

    csv_path = tmp_path / "usage.csv"
    csv_path.write_text("date,component,metric,value\n" + rows)
    history = tmp_path / "history.db"
    r = run("measure", AMEBO, "--usage-csv", csv_path, "--history", history, "--format", "json")
    assert r.returncode == 0, r.stderr
    return history


def test_forecast_dates_amebos_first_phase_limits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Amebo's first phase watches Better Stack's 100,000 error events a month (the plan moves at
    80,000). Measured 20,000 / 26,000 / 32,000 / 38,000 a week apart (a straight line, 6,000 a
    week), it reaches 80,000 seven weeks after the last: 2027-01-10. Ratelimit's dataset grows
    from 40 to 43 MB in two weeks: its 409.6 MB threshold is beyond 24 months."""
    from .test_cli import run

    history = _history(
        tmp_path,
        "2026-11-01,errors,error_events_per_month,20000\n"
        "2026-11-08,errors,error_events_per_month,26000\n"
        "2026-11-15,errors,error_events_per_month,32000\n"
        "2026-11-22,errors,error_events_per_month,38000\n"
        "2026-11-08,ratelimit,dataset_mb,40\n"
        "2026-11-15,ratelimit,dataset_mb,41.5\n"
        "2026-11-22,ratelimit,dataset_mb,43\n",
    )
    r = run("forecast", AMEBO, "--history", history, "--units", "12000", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["phase"] == {"index": 1, "from": 10000, "to": 23378} and doc["measurements"] == 4
    by = {(t["component"], t["metric"]): t for t in doc["triggers"]}
    errors = by[("errors", "error_events_per_month")]
    assert errors["threshold"] == 80000 and errors["limit"] == 100000 and errors["current"] == 38000
    assert errors["model"] == "linear" and errors["eta_date"] == "2027-01-10"
    assert errors["eta_low"] == errors["eta_high"] == "2027-01-10"  # an exact line: no spread
    rl = by[("ratelimit", "dataset_mb")]
    assert rl["eta_date"] is None and "24 months" in rl["note"]
    assert by[("cache", "dataset_mb")]["note"] == "not measured"
    assert doc["triggers"][0]["component"] == "errors"  # soonest first
    for fmt in ("text", "md", "html"):
        out = run("forecast", AMEBO, "--history", history, "--units", "12000", "--format", fmt)
        assert out.returncode == 0 and "2027-01-10" in out.stdout, out.stderr
    html = run("forecast", AMEBO, "--history", history, "--format", "html").stdout
    assert "<svg" in html and "chart-forecast" in html


def test_forecast_needs_a_history(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from .test_cli import run

    r = run("forecast", AMEBO, "--history", tmp_path / "none.db")
    assert r.returncode == 2 and "none.db" in r.stderr and "tierplan measure" in r.stderr and "Traceback" not in r.stderr


def test_configured_counts_are_not_forecast(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """The Cooperative ERP's first phase watches Better Stack's 10 monitors and its 3 seats as
    well as 50 GB of logs a month: counts the team configures do not drift, so only the logs are
    forecast (40 GB threshold; 10, 12, 14 GB a week apart: 13 weeks after the last)."""
    from .test_cli import run

    csv_path = tmp_path / "usage.csv"
    csv_path.write_text(
        "date,component,metric,value\n"
        "2026-11-01,logs,log_gb_per_month,10\n2026-11-08,logs,log_gb_per_month,12\n2026-11-15,logs,log_gb_per_month,14\n"
    )
    coop = Path(__file__).parents[1] / "examples" / "coop-erp.yaml"
    history = tmp_path / "h.db"
    assert run("measure", coop, "--usage-csv", csv_path, "--history", history, "--units", "60").returncode == 0
    r = run("forecast", coop, "--history", history, "--format", "json")
    assert r.returncode == 0, r.stderr
    triggers = json.loads(r.stdout)["triggers"]
    assert [(t["component"], t["metric"]) for t in triggers] == [("logs", "log_gb_per_month")]
    assert triggers[0]["eta_date"] == "2027-02-14"
