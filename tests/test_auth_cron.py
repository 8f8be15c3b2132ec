"""The auth and scheduled_job kinds: profile keys, workload figures, catalog prices (hand-computed),
account coupling, gen's variables and DEPLOY.md, and the CLI end to end."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierplan.assumptions import load_assumptions
from tierplan.catalog.loader import load_catalog
from tierplan.engine.plan import optimum_at
from tierplan.errors import InputError
from tierplan.gen.deploy import cron_expression
from tierplan.metrics import DAYS_PER_MONTH
from tierplan.pricing import evaluate
from tierplan.profile import load_profile
from tierplan.risks import risks_of
from tierplan.workload import demand_at

from .conftest import make_planner, make_profile, write_yaml
from .test_cli import run

PROFILE = Path(__file__).parent / "data" / "auth-cron.yaml"


# --------------------------------------------------------------------------- profile
def test_the_test_profile_parses() -> None:
    p = load_profile(PROFILE)
    login, nightly, sync = p.components["login"], p.components["nightly-report"], p.components["sync"]
    assert login.kind == "auth" and login.monthly_active_fraction == 0.8
    assert nightly.kind == "scheduled_job" and nightly.runs_per_day == 1 and nightly.memory_mb == 128
    assert sync.kind == "scheduled_job" and sync.cpu_seconds_per_run == 0.005


@pytest.mark.parametrize(
    ("component", "must"),
    [
        ({"kind": "scheduled_job", "cpu_seconds_per_run": 5}, "components.job.runs_per_day"),
        ({"kind": "scheduled_job", "runs_per_day": 24}, "components.job.cpu_seconds_per_run"),
        ({"kind": "scheduled_job", "runs_per_day": 2000, "cpu_seconds_per_run": 5}, "less than or equal to 1440"),
        ({"kind": "scheduled_job", "runs_per_day": 0, "cpu_seconds_per_run": 5}, "greater than 0"),
        ({"kind": "scheduled_job", "runs_per_day": 1, "cpu_seconds_per_run": 5, "cron": "x"}, "cron"),
        ({"kind": "auth", "monthly_active_fraction": 1.5}, "components.job.monthly_active_fraction"),
        ({"kind": "auth", "mau": 10}, "components.job.mau"),
    ],
)
def test_bad_new_keys_name_file_and_key(tmp_path: Path, component: dict[str, Any], must: str) -> None:
    data = {
        "name": "x",
        "commercial": False,
        "audience": {"countries": ["DE"]},
        "scale": {"stages": [10]},
        "components": {"job": component},
    }
    path = write_yaml(tmp_path / "app.yaml", data)
    with pytest.raises(InputError) as e:
        load_profile(path)
    assert str(path) in str(e.value) and must in str(e.value)
    assert e.value.exit_code == 2


# --------------------------------------------------------------------------- workload
def _demand(units: int, **components: Any) -> Any:
    prof = make_profile(
        audience={"countries": ["DE"]},
        activity={"requests_per_user_day": 10, "daily_active_fraction": 0.3},
        components=components,
    )
    return demand_at(prof, units, load_assumptions())


def test_monthly_active_users_by_hand() -> None:
    # 1,000 users, 30% daily active: 80% monthly -> 800 MAU; 10% monthly is below the 300 daily
    # active users, so the MAU stay at 300; unset -> every user (1,000)
    d = _demand(
        1000,
        a={"kind": "auth", "monthly_active_fraction": 0.8},
        b={"kind": "auth", "monthly_active_fraction": 0.1},
        c={"kind": "auth"},
    )
    assert d.components["a"].metrics["monthly_active_users"] == pytest.approx(800)
    assert d.components["b"].metrics["monthly_active_users"] == pytest.approx(300)
    assert d.components["c"].metrics["monthly_active_users"] == pytest.approx(1000)
    assert d.components["a"].metrics["daily_active_users"] == pytest.approx(300)
    fig = d.components["a"].figures["monthly_active_users"]
    assert fig.formula == "max(daily_active_users, users x monthly_active_fraction)"


def test_scheduled_job_figures_by_hand() -> None:
    # daily, 90 s, 128 MB (the default): 30.4167 runs/month (365 / 12); 2,737.5 s; each run billed
    # 2 whole minutes -> 60.83 minutes; 2,737.5 s x 0.125 GB / 3600 = 0.0951 GB-hours
    d = _demand(10, job={"kind": "scheduled_job", "runs_per_day": 1, "cpu_seconds_per_run": 90})
    m = d.components["job"].metrics
    days = 365 / 12
    assert m["job_runs_per_day"] == 1 and m["cron_triggers"] == 1
    assert m["job_runs_per_month"] == pytest.approx(days)
    assert m["job_seconds_per_month"] == pytest.approx(days * 90)  # 2,737.5
    assert m["job_billed_minutes_per_month"] == pytest.approx(days * 2)  # 60.83
    assert m["job_memory_gb_hours_per_month"] == pytest.approx(2737.5 * 0.125 / 3600)
    assert m["requests_per_month"] == pytest.approx(days) and m["requests_per_day"] == 1
    assert m["cpu_ms_per_request"] == pytest.approx(90_000) and m["memory_mb"] == 128
    # the schedule does not grow with the users
    assert _demand(100_000, job={"kind": "scheduled_job", "runs_per_day": 1, "cpu_seconds_per_run": 90}).components[
        "job"
    ].metrics == m


@given(
    per_day=st.floats(min_value=0.01, max_value=1440),
    secs=st.floats(min_value=0.001, max_value=86_400),
)
def test_billed_minutes_never_below_run_time(per_day: float, secs: float) -> None:
    d = _demand(1, job={"kind": "scheduled_job", "runs_per_day": per_day, "cpu_seconds_per_run": secs})
    m = d.components["job"].metrics
    assert m["job_billed_minutes_per_month"] * 60 >= m["job_seconds_per_month"] * (1 - 1e-12)
    assert m["job_billed_minutes_per_month"] == pytest.approx(per_day * DAYS_PER_MONTH * math.ceil(secs / 60))


# --------------------------------------------------------------------------- pricing
def _price(key: str, region: str | None = None, **metrics: float) -> float | None:
    from tierplan.pricing import Context, Option
    from tierplan.workload import Capacity, ComponentDemand

    cat = load_catalog()
    ref = next(r for r in cat.plans if r.key == key)
    kind = ref.service.hosts[0]
    reg = next(r for r in ref.provider.regions if r.id == region) if region else None
    ev = evaluate(
        Option(ref, None, reg, 10.0),
        ComponentDemand("c", kind, dict(metrics), {}, Capacity()),
        Context(headroom=0.8, commercial=True, country="DE"),
    )
    assert ev.feasible, ev.reasons
    return ev.monthly_usd


def test_tiered_mau_prices_by_hand() -> None:
    # Supabase Pro, 120,000 MAU: 100,000 included, 20,000 x $0.00325 = $65, plus the $25
    # organization plan when Auth is the only Supabase component
    assert _price("supabase/auth/pro", monthly_active_users=120_000) == pytest.approx(25 + 65)
    # Firebase Blaze, 120,000 MAU: 50,000 free, 50,000 x $0.0055 = $275, 20,000 x $0.0046 = $92
    assert _price("firebase/auth/blaze", monthly_active_users=120_000) == pytest.approx(367)
    # ... and past 10M: $0.0025 beyond 10,000,000
    big = 50_000 * 0.0055 + 900_000 * 0.0046 + 9_000_000 * 0.0032 + 1_000_000 * 0.0025
    assert _price("firebase/auth/blaze", monthly_active_users=11_000_000) == pytest.approx(big)
    # Clerk Pro, 120,000 MRU: $25 + 50,000 x $0.02 + 20,000 x $0.018 = $1,385
    assert _price("clerk/auth/pro", monthly_active_users=120_000) == pytest.approx(1385)
    # Auth0 Essentials is $35 up to 500 MAU; beyond, the band's price is unknown (never $0)
    assert _price("auth0/auth/essentials-b2c", monthly_active_users=400) == pytest.approx(35)
    assert _price("auth0/auth/essentials-b2c", monthly_active_users=600) is None


def test_scheduled_job_prices_by_hand() -> None:
    days = 365 / 12
    # every 5 minutes, 90 s a run on GitHub: 288 x 30.4167 runs x 2 minutes = 17,520 minutes,
    # 2,000 included, 15,520 x $0.006 = $93.12
    assert _price(
        "github/actions-schedule/free-private",
        job_billed_minutes_per_month=288 * days * 2,
        job_runs_per_day=288,
        job_seconds_per_run=90,
    ) == pytest.approx(93.12)
    # daily, 90 s on Render Starter: 45.6 minutes x $0.00016 = $0.0073, below the $1 minimum
    assert _price("render/cron-jobs/starter", job_seconds_per_month=days * 90, job_seconds_per_run=90) == 1
    # daily, 90 s on a Fly scheduled Machine (shared-cpu-1x 256 MB) in fra: $2.19 per 30 days in
    # iad x 1.153846154 (fra) / 43,200 minutes = $0.000058494 per minute x 45.625 minutes = $0.00267
    assert _price(
        "fly/scheduled-machines/shared-cpu-1x-256mb", "fra", job_seconds_per_month=days * 90, job_runs_per_day=1
    ) == pytest.approx(45.625 * 2.19 * 1.153846154 / 43_200, rel=1e-5)
    # hourly, 10 minutes a run on Railway Hobby: 24 x 30.4167 x 600 s = 438,000 s = 1/6 of a
    # vCPU-month ($20 / 6 = $3.33) + 0.5 GB x 121.67 h = 60.83 GB-hours / 730 x $10 = $0.83;
    # within Hobby's $5 of included usage when priced on its own -> $5 (the subscription)
    secs = 24 * days * 600
    assert secs == pytest.approx(438_000)
    usage = secs / 2_628_000 * 20 + secs * 0.5 / 3600 / 730 * 10
    assert usage == pytest.approx(20 / 6 + 10 / 12)
    assert _price(
        "railway/cron/hobby",
        job_seconds_per_month=secs,
        job_memory_gb_hours_per_month=secs * 0.5 / 3600,
        job_runs_per_day=24,
    ) == pytest.approx(5.0)


def test_github_schedule_limits_and_risk() -> None:
    prof = make_profile(
        audience={"countries": ["DE"]},
        requirements={"providers": {"allow": ["github"]}},
        components={"job": {"kind": "scheduled_job", "runs_per_day": 288, "cpu_seconds_per_run": 30}},
    )
    planner = make_planner(prof, load_catalog())
    (ev,) = planner.evaluations("job", 10)
    assert ev.feasible
    assert any("best-effort schedule" in r for r in risks_of(ev, "scheduled_job", planner.context(10), True, None))
    every_minute = make_planner(
        make_profile(
            audience={"countries": ["DE"]},
            requirements={"providers": {"allow": ["github"]}},
            components={"job": {"kind": "scheduled_job", "runs_per_day": 1440, "cpu_seconds_per_run": 30}},
        ),
        load_catalog(),
    )
    (ev,) = every_minute.evaluations("job", 10)
    assert not ev.feasible and any("job_runs_per_day" in r.message or "job runs per day" in r.message for r in ev.reasons)


# --------------------------------------------------------------------------- account coupling
def _supabase_total(with_auth: bool) -> float:
    comps: dict[str, Any] = {"db": {"kind": "postgres", "storage_mb_per_unit": 0.05, "providers": ["supabase"]}}
    if with_auth:
        comps["login"] = {"kind": "auth", "providers": ["supabase"]}
    prof = make_profile(audience={"countries": ["DE"]}, scale={"stages": [120_000]}, components=comps)
    pt = optimum_at(make_planner(prof, load_catalog()), 120_000)
    assert {e.option.plan.plan.id for e in pt.choices.values()} == {"pro"}
    return pt.monthly_usd


def test_supabase_auth_shares_the_organization_plan_with_the_database() -> None:
    """The database (5.9 GB) needs Supabase Pro; Auth at 120,000 MAU on the same Pro organization
    adds only its MAU overage ($65), not a second $25 plan fee."""
    assert _supabase_total(True) - _supabase_total(False) == pytest.approx(65)


def test_cloudflare_cron_triggers_are_an_account_pool() -> None:
    """Six 5 ms jobs each fit Workers Free alone, but the account has 5 Cron Triggers: the
    whole-stack optimum puts them on Workers Paid (one $5 account plan for all six)."""
    job = {"kind": "scheduled_job", "runs_per_day": 24, "cpu_seconds_per_run": 0.005, "providers": ["cloudflare"]}
    five = make_profile(audience={"countries": ["DE"]}, components={f"j{i}": job for i in range(5)})
    six = make_profile(audience={"countries": ["DE"]}, components={f"j{i}": job for i in range(6)})
    pt5 = optimum_at(make_planner(five, load_catalog()), 10)
    pt6 = optimum_at(make_planner(six, load_catalog()), 10)
    assert {e.option.plan.plan.id for e in pt5.choices.values()} == {"free"} and pt5.monthly_usd == 0
    assert {e.option.plan.plan.id for e in pt6.choices.values()} == {"paid"}
    assert pt6.monthly_usd == pytest.approx(5)


# --------------------------------------------------------------------------- gen
@pytest.mark.parametrize(
    ("runs_per_day", "cron"),
    [(1440, "* * * * *"), (288, "*/5 * * * *"), (96, "*/15 * * * *"), (24, "0 */1 * * *"), (4, "0 */6 * * *"),
     (1, "0 3 * * *"), (1 / 7, "0 3 * * 1"), (0.5, "0 3 */2 * *"), (7, None), (1000, None)],
)
def test_cron_expression(runs_per_day: float, cron: str | None) -> None:
    assert cron_expression(runs_per_day) == cron


def _gen(tmp_path: Path, login: str, job: str) -> tuple[str, str]:
    return _gen_dir(tmp_path, login, job)[:2]


def _gen_dir(tmp_path: Path, login: str, job: str) -> tuple[str, str, Path]:
    data = {
        "name": "Ledgerly",
        "commercial": True,
        "audience": {"countries": ["DE"]},
        "scale": {"stages": [100]},
        "components": {
            "api": {"kind": "web_service", "runtime": "node"},
            "login": {"kind": "auth", "providers": [login]},
            "report": {"kind": "scheduled_job", "runs_per_day": 96, "cpu_seconds_per_run": 0.005, "providers": [job]},
        },
    }
    out = tmp_path / f"{login}-{job}"
    r = run("gen", write_yaml(tmp_path / f"{login}-{job}.yaml", data), "-o", out)
    assert r.returncode == 0, r.stderr
    return (out / ".env.example").read_text(), (out / "DEPLOY.md").read_text(), out


def test_gen_writes_each_providers_keys_and_the_schedule(tmp_path: Path) -> None:
    env, deploy = _gen(tmp_path, "clerk", "github")
    assert "CLERK_PUBLISHABLE_KEY=" in env and "CLERK_SECRET_KEY=" in env and "CRON_SECRET=" in env
    assert "| report | github | free-private | 96 runs a day | `*/15 * * * *` |" in deploy
    assert ".github/workflows/report.yml" in deploy
    env, deploy = _gen(tmp_path, "supabase", "cloudflare")
    assert all(f"{k}=" in env for k in ("SUPABASE_URL", "SUPABASE_ANON_KEY", "SUPABASE_SERVICE_ROLE_KEY", "CRON_SECRET"))
    assert 'crons = ["*/15 * * * *"]' in deploy
    env, deploy = _gen(tmp_path, "auth0", "render")
    assert all(f"{k}=" in env for k in ("AUTH0_DOMAIN", "AUTH0_CLIENT_ID", "AUTH0_CLIENT_SECRET"))
    assert "CRON_SECRET" not in env  # Render runs the job's own code with the app's variables
    assert "type: cron" in deploy
    env, _ = _gen(tmp_path, "firebase", "railway")
    assert all(f"{k}=" in env for k in ("FIREBASE_PROJECT_ID", "FIREBASE_API_KEY", "FIREBASE_SERVICE_ACCOUNT"))


# --------------------------------------------------------------------------- CLI
def test_plan_with_auth_and_scheduled_jobs_end_to_end() -> None:
    r = run("plan", PROFILE, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    last = {item["component"]: item for item in doc["phases"][-1]["stack"]}
    assert {"login", "nightly-report", "sync"} <= set(last)
    assert last["login"]["kind"] == "auth" and last["sync"]["kind"] == "scheduled_job"
    # 120,000 users x 0.8 = 96,000 MAU: within Supabase Pro's 100,000 (or cheaper elsewhere)
    assert last["login"]["monthly_usd"] <= 25
    gh = [i for p in doc["phases"] for i in p["stack"] if i["provider"] == "github"]
    assert all(any("best-effort schedule" in r for r in i["risks"]) for i in gh)
    assert run("plan", PROFILE).returncode == 0


def test_runbook_moves_the_users_when_sign_in_changes_provider() -> None:
    """Phase 3 -> 4 of the test profile moves login from Firebase to Supabase Pro: the step moves
    the users as well as the credentials, and its rollback copies new users back."""
    r = run("runbook", PROFILE, "--from", "3", "--to", "4")
    assert r.returncode == 0, r.stderr
    assert "Switch login from Firebase Authentication (Identity Platform) to Supabase Pro" in r.stdout
    assert "Export the users from Firebase Authentication (Identity Platform) and import them into Supabase" in r.stdout
    assert "Copy the users created on Supabase since the switch back" in r.stdout
    assert "NEW_SUPABASE_URL" in r.stdout


def test_audit_prices_sign_in_and_scheduled_jobs_of_a_stack_file() -> None:
    """At 30,000 users the test profile has 24,000 MAU: within Clerk Pro's 50,000 (the $25 fee);
    the daily Render cron job pays its $1 minimum; the Cron Trigger is free."""
    r = run("audit", Path(__file__).parent / "data" / "auth-cron-stack.yaml", "--format", "json")
    assert r.returncode == 0, r.stderr
    rows = {c["component"]: c for c in json.loads(r.stdout)["components"]}
    assert rows["login"]["kind"] == "auth" and rows["login"]["monthly_usd"] == pytest.approx(25)
    assert rows["nightly-report"]["monthly_usd"] == pytest.approx(1)
    assert rows["sync"]["monthly_usd"] == 0 and all(r["fits"] for r in rows.values())


def test_a_github_schedule_is_a_valid_workflow(tmp_path: Path) -> None:
    """A job scheduled on GitHub gets its own workflow: the cron expression (quoted: it starts with
    `*`), a timeout from the run time, the secret and the app URL by name; actionlint and the
    workflow schema accept it, and DEPLOY.md asks for its secret."""
    import yaml

    from .validators import validate

    _env, deploy, out = _gen_dir(tmp_path, "clerk", "github")
    wf = out / ".github" / "workflows" / "report.yml"
    doc = yaml.safe_load(wf.read_text())
    assert doc[True]["schedule"] == [{"cron": "*/15 * * * *"}]  # PyYAML reads the key `on` as True
    job = doc["jobs"]["run"]
    assert job["timeout-minutes"] == 6 and job["environment"] == "production"
    assert "${{ secrets.CRON_SECRET }}" in job["steps"][0]["env"]["CRON_SECRET"]
    assert "$APP_URL/jobs/report" in job["steps"][0]["run"]
    for tool, r in validate(wf, out):
        assert r.returncode == 0, f"{tool}: {r.stdout}{r.stderr}"
    assert "gh secret set CRON_SECRET --env production" in deploy
