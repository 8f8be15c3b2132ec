"""tierplan check: the policy file, each check on hand-made plans, the CLI gate, the CI snippet."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tierplan.diff import diff_plans
from tierplan.errors import InfeasibleError, InputError
from tierplan.policy import (
    EXIT_POLICY,
    Increase,
    Policy,
    budget_scales,
    check_budget,
    check_increase,
    check_requirements,
    check_stale,
    evaluate,
    infeasible_violation,
    load_policy,
    parse_increase,
    parse_policy,
    policy_json,
)
from tierplan.report.fmt import money

from .conftest import ROOT, TEST_CATALOG
from .test_cli import APP, run
from .test_diff import after_doc, before_doc
from .validators import run as run_tool
from .validators import tool

TODAY = dt.date(2026, 11, 18)


# --------------------------------------------------------------------------- the policy file
@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("10%", Increase(percent=10.0)),
        (" 2.5 % ", Increase(percent=2.5)),
        (5, Increase(usd=5.0)),
        (7.5, Increase(usd=7.5)),
        ("5", Increase(usd=5.0)),
        ("$12.50", Increase(usd=12.5)),
        ("3 usd", Increase(usd=3.0)),
    ],
)
def test_parse_increase(raw: Any, want: Increase) -> None:
    assert parse_increase(raw) == want


@pytest.mark.parametrize("raw", ["ten", "10 %%", "-5", -5, True, "", "%"])
def test_parse_increase_rejects(raw: Any) -> None:
    with pytest.raises(ValueError):
        parse_increase(raw)


def test_policy_file_ok_and_flags_override(tmp_path: Path) -> None:
    p = tmp_path / "policy.yaml"
    p.write_text(
        "budget_usd: {50: 40, 200: 120}\nmax_increase: 10%\nmax_catalog_age_days: 365\n"
        "ignore:\n  stale: [meta]\n"
    )
    pol = load_policy(p)
    assert pol.budget_usd == {50: 40.0, 200: 120.0} and pol.max_increase == Increase(percent=10)
    assert pol.max_catalog_age_days == 365 and pol.ignore.stale == ["meta"]
    over = pol.merged(budget_usd=99.0, max_increase=Increase(usd=3), max_catalog_age_days=None)
    assert over.budget_usd == 99.0 and over.max_increase == Increase(usd=3)
    assert over.max_catalog_age_days == 365


def test_policy_file_unknown_keys_name_file_key_path_and_line(tmp_path: Path) -> None:
    p = tmp_path / "policy.yaml"
    p.write_text("budget_usd: 100\nignore:\n  stale: [meta]\n  providrs: [x]\nmax_increse: 5%\n")
    with pytest.raises(InputError) as e:
        load_policy(p)
    msg = str(e.value)
    assert f"{p}: ignore.providrs (line 4): unknown key 'providrs'" in msg
    assert f"{p}: max_increse (line 5): unknown key 'max_increse' (did you mean 'max_increase'?)" in msg


def test_policy_bad_values() -> None:
    with pytest.raises(InputError, match=r"pol.yaml: max_increase: 'ten' is neither"):
        parse_policy({"max_increase": "ten"}, "pol.yaml")
    with pytest.raises(InputError, match=r"budget_usd"):
        parse_policy({"budget_usd": -1}, "pol.yaml")
    with pytest.raises(InputError, match=r"max_catalog_age_days"):
        parse_policy({"max_catalog_age_days": "soon"}, "pol.yaml")


# --------------------------------------------------------------------------- the checks
def test_budget_single() -> None:
    doc = before_doc()  # phase 1: $10 -> $14 (10-49 users), phase 2: $20 -> $30 (50-100)
    assert check_budget(doc, 30.0) == []
    (v,) = check_budget(doc, 18.0)
    assert v.rule == "budget"
    assert (v.details["phase"], v.details["scale"], v.details["monthly_usd"]) == (2, 100, 30.0)
    assert v.details["first_over_at"] == 50
    assert [c["component"] for c in v.details["largest"]] == ["db", "api"]
    assert v.message == (
        "phase 2 (50–100 users) costs $30.00/month at 100 users, over the budget of $18.00/month; "
        "already $20.00 at 50 users; largest: db $20.00, api $10.00"
    )


def test_budget_per_stage() -> None:
    doc = before_doc()
    # {10: 12, 50: 25}: $12 for 1-49 users, $25 from 50: phase 1 ends at $14, phase 2 at $30
    vs = check_budget(doc, {10: 12.0, 50: 25.0})
    assert [(v.details["phase"], v.details["scale"], v.details["budget_usd"]) for v in vs] == [
        (1, 49, 12.0),
        (2, 100, 25.0),
    ]
    assert "(the budget from 50 users)" in vs[1].message
    assert check_budget(doc, {10: 15.0, 50: 30.0}) == []
    # a stage inside a phase: phase 2 is checked at 79 against $22 and at 100 against $40
    assert budget_scales(doc, Policy(budget_usd={10: 15.0, 50: 22.0, 80: 40.0})) == [49, 79, 100]


def test_increase_percent_and_usd() -> None:
    d = diff_plans(before_doc(), after_doc())
    # 10: +$0; 40: $13.08 -> $22 (+68%); 50: $20 -> $24.17 (+20.8%); 100: $30 -> $35 (+16.7%)
    assert [v.details["scale"] for v in check_increase(d, Increase(percent=10))] == [40, 50, 100]
    assert [v.details["scale"] for v in check_increase(d, Increase(percent=20))] == [40, 50]
    assert [v.details["scale"] for v in check_increase(d, Increase(usd=5))] == [40]  # +$5.00 is allowed
    (v,) = check_increase(d, Increase(usd=5))
    assert (
        v.message == "cost rises at 40 users: $13.08 -> $22.00 (+$8.92, +68.2%), more than the allowed $5.00"
    )
    assert check_increase(d, Increase(percent=100)) == []


def test_increase_from_zero() -> None:
    assert Increase(percent=1000).exceeded(0.0, 1.0)
    assert not Increase(percent=10).exceeded(0.0, 0.0)
    assert not Increase(usd=1).exceeded(10.0, 11.0) and Increase(usd=1).exceeded(10.0, 11.02)


def test_stale_entries() -> None:
    doc = before_doc()
    doc["phases"][0]["stack"][1]["service"] = "postgres"
    doc["catalog_entries"] = [
        {"key": "fly/machines/payg", "provider": "fly", "as_of": "2026-11-01", "source": "https://fly"},
        {
            "key": "neon/postgres/launch",
            "provider": "neon",
            "as_of": "2026-10-01",
            "source": "https://neon",
            "entry": {"meters": [{"metric": "storage_gb", "as_of": "2025-12-01"}]},
        },
    ]
    (v,) = check_stale(doc, 100, TODAY)
    assert v.details["key"] == "neon/postgres/launch" and v.details["as_of"] == "2025-12-01"
    assert v.details["age_days"] == (TODAY - dt.date(2025, 12, 1)).days == 352
    assert v.details["components"] == ["db"]
    assert v.message.startswith(
        "catalog entry neon/postgres/launch is 352 days old (as of 2025-12-01, max 100 days)"
    )
    assert check_stale(doc, 100, TODAY, ignore=["neon"]) == []
    assert [v.details["key"] for v in check_stale(doc, 10, TODAY)] == [
        "fly/machines/payg",
        "neon/postgres/launch",
    ]
    assert check_stale(doc, 352, TODAY) == []


def test_requirement_and_infeasible() -> None:
    doc = before_doc() | {
        "budget_usd_month": 25.0,
        "over_budget": [{"phase": 2, "from": 50, "monthly_usd_end": 30.0}],
    }
    (v,) = check_requirements(doc)
    assert v.rule == "requirement" and "requirements.budget_usd_month ($25.00)" in v.message
    e = InfeasibleError("app.yaml: no stack fits at 20 users", ["api: every option is too far"])
    v = infeasible_violation(e)
    assert v.rule == "infeasible" and "no stack fits" in v.message and "every option is too far" in v.message
    res = evaluate(None, Policy(), today=TODAY, infeasible=e)
    assert res.exit_code == EXIT_POLICY and res.summary() == "policy violated: 1 violation (infeasible 1)"


def test_evaluate_ok_and_failing() -> None:
    b, a = before_doc(), after_doc()
    d = diff_plans(b, a)
    ok = evaluate(a, Policy(budget_usd=50, max_increase="100%"), today=TODAY, diff=d)  # type: ignore[arg-type]
    assert ok.ok and ok.exit_code == 0
    assert ok.summary() == (
        "ok: Shop: 2 phases over 10–100 users, $10.00–$35.00/month; within the budget of $50.00/month; "
        "largest increase vs base at 40 users: $13.08 -> $22.00 (+$8.92, +68.2%) (allowed 100%)"
    )
    bad = evaluate(a, Policy(budget_usd=30, max_increase="10%"), today=TODAY, diff=d)  # type: ignore[arg-type]
    assert bad.exit_code == EXIT_POLICY
    assert [v.rule for v in bad.violations] == ["budget", "increase", "increase", "increase"]
    j = policy_json(bad)
    assert j["ok"] is False and j["exit_code"] == 4 and len(j["violations"]) == 4
    assert j["summary"] == "policy violated: 4 violations (budget 1, increase 3)"


# --------------------------------------------------------------------------- CLI
def _plan() -> dict[str, Any]:
    r = run("plan", APP, "--format", "json", "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def test_cli_budget_pass_and_fail() -> None:
    doc = _plan()
    top = max(ph["monthly_usd_end"] for ph in doc["phases"])
    r = run("check", APP, "--catalog", TEST_CATALOG, "--budget", f"{top + 1:.2f}")
    assert r.returncode == 0, r.stdout + r.stderr
    assert r.stdout.startswith("ok: Golden Shop") and len(r.stdout.strip().splitlines()) == 1
    budget = doc["phases"][0]["monthly_usd_end"] - 1  # the first phase ends over it
    r = run("check", APP, "--catalog", TEST_CATALOG, "--budget", f"{budget:.2f}")
    assert r.returncode == 4, r.stdout + r.stderr
    over = [ph for ph in doc["phases"] if ph["monthly_usd_end"] > budget]
    fails = [ln for ln in r.stdout.splitlines() if ln.startswith("FAIL budget:")]
    assert len(fails) == len(over) >= 1
    for ph, line in zip(over, fails, strict=True):
        end = ph["to"] if ph["to"] is not None else ph["to_sweep_end"]
        assert (
            f"phase {ph['index']} (" in line
            and f"{money(ph['monthly_usd_end'])}/month at {end:,} shops" in line
        )
        assert f"over the budget of {money(round(budget, 2))}/month" in line and "largest: " in line
    assert r.stdout.strip().splitlines()[-1].startswith("policy violated:")


def test_cli_max_increase_pass_and_fail(tmp_path: Path) -> None:
    pr = tmp_path / "pr.yaml"
    pr.write_text(APP.read_text().replace("dataset_mb: 20", "dataset_mb: 400"))
    r = run("diff", APP, pr, "--catalog", TEST_CATALOG, "--format", "json")
    assert r.returncode == 0, r.stderr
    up = json.loads(r.stdout)["summary"]["max_increase"]
    assert up is not None and up["delta_pct"] > 10
    r = run("check", pr, "--catalog", TEST_CATALOG, "--against", APP, "--max-increase", "10%")
    assert r.returncode == 4, r.stdout + r.stderr
    assert (
        f"FAIL increase: cost rises at {up['label']}: {money(up['before_usd'])} -> {money(up['after_usd'])}"
        in r.stdout
    )
    assert "more than the allowed 10%" in r.stdout
    r = run(
        "check",
        pr,
        "--catalog",
        TEST_CATALOG,
        "--against",
        APP,
        "--max-increase",
        f"{up['delta_usd'] + 1:.2f}",
    )
    assert r.returncode == 0, r.stdout + r.stderr
    assert "largest increase vs base" in r.stdout
    r = run("check", pr, "--catalog", TEST_CATALOG, "--against", APP, "--max-increase", "ten")
    assert r.returncode == 2 and "--max-increase" in r.stderr


def test_cli_stale_catalog() -> None:
    doc = _plan()
    r = run("check", APP, "--catalog", TEST_CATALOG, "--max-age-days", "1", "--format", "json")
    assert r.returncode == 4, r.stdout + r.stderr
    out = json.loads(r.stdout)
    keys = {e["key"] for e in doc["catalog_entries"]}
    assert {v["key"] for v in out["violations"] if v["rule"] == "stale"} == keys
    assert out["ok"] is False and out["exit_code"] == 4
    r = run("check", APP, "--catalog", TEST_CATALOG, "--max-age-days", "1")
    assert r.returncode == 4 and all(f"catalog entry {k} is" in r.stdout for k in keys)
    r = run("check", APP, "--catalog", TEST_CATALOG, "--max-age-days", "36500")
    assert r.returncode == 0 and f"{len(keys)} catalog entries at most 36500 days old" in r.stdout


def test_cli_policy_file_ignore_and_bad_file(tmp_path: Path) -> None:
    doc = _plan()
    providers = sorted({e["provider"] for e in doc["catalog_entries"]})
    pol = tmp_path / "policy.yaml"
    pol.write_text(f"max_catalog_age_days: 1\nignore:\n  stale: [{', '.join(providers)}]\n")
    r = run("check", APP, "--catalog", TEST_CATALOG, "--policy", pol)
    assert r.returncode == 0, r.stdout + r.stderr
    # a flag adds to the file: a budget nobody meets fails, the ignored stale entries still pass
    r = run("check", APP, "--catalog", TEST_CATALOG, "--policy", pol, "--budget", "1")
    assert r.returncode == 4 and "FAIL budget" in r.stdout and "FAIL stale" not in r.stdout
    pol.write_text("budget_usd: 100\nignore:\n  stale: [fly]\n  providers: [x]\n")
    r = run("check", APP, "--catalog", TEST_CATALOG, "--policy", pol)
    assert r.returncode == 2
    assert f"{pol}: ignore.providers (line 4): unknown key 'providers'" in r.stderr
    pol.write_text("ignore:\n  stale: [flyio]\n")
    r = run("check", APP, "--catalog", TEST_CATALOG, "--policy", pol)
    assert r.returncode == 2 and "ignore.stale[0]" in r.stderr and "did you mean 'fly'?" in r.stderr


def test_cli_unit_mismatch_and_infeasible(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(APP.read_text().replace("unit: shop", "unit: store"))
    r = run("check", APP, "--catalog", TEST_CATALOG, "--against", other)
    assert r.returncode == 2 and "scale.unit" in r.stderr and str(APP) in r.stderr
    bad = tmp_path / "far.yaml"
    bad.write_text(APP.read_text() + "  max_latency_ms: 1\n")
    assert run("plan", bad, "--catalog", TEST_CATALOG).returncode == 3
    r = run("check", bad, "--catalog", TEST_CATALOG, "--budget", "100")
    assert r.returncode == 4, r.stdout + r.stderr
    assert "FAIL infeasible:" in r.stdout and "no stack fits" in r.stdout and "max_latency_ms" in r.stdout
    assert "Traceback" not in r.stdout + r.stderr


# --------------------------------------------------------------------------- docs
def _doc_section(name: str) -> str:
    text = (ROOT / "docs" / "audit.md").read_text()
    assert text.startswith("# Audit, diff and policy checks\n")
    return text.split(f"\n## {name}\n", 1)[1].split("\n## ", 1)[0]


def test_docs_github_actions_job_passes_actionlint(tmp_path: Path) -> None:
    blocks = [b for b in re.findall(r"```yaml\n(.*?)```", _doc_section("check"), re.S) if "jobs:" in b]
    assert len(blocks) == 1
    wf = tmp_path / ".github" / "workflows" / "x.yml"
    wf.parent.mkdir(parents=True)
    wf.write_text(blocks[0])
    r = run_tool([tool("actionlint"), "-no-color", "-oneline", str(wf)], cwd=tmp_path)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "tierplan check app.yaml --against /tmp/base.yaml" in blocks[0]
    assert "tierplan diff /tmp/base.yaml app.yaml --format md" in blocks[0]


def test_docs_policy_example_is_a_valid_policy(tmp_path: Path) -> None:
    block = next(
        b for b in re.findall(r"```yaml\n(.*?)```", _doc_section("check"), re.S) if "budget_usd" in b
    )
    p = tmp_path / "policy.yaml"
    p.write_text(block)
    pol = load_policy(p)
    assert pol.budget_usd == 150 and pol.max_increase == Increase(percent=10)


def test_docs_name_every_diff_json_key() -> None:
    section = _doc_section("diff")
    d = diff_plans(before_doc(), after_doc())
    keys = set(d) | set(d["summary"]) | set(d["scales"][0]) | set(d["components"][0]) | set(d["triggers"][0])
    missing = sorted(k for k in keys if f"`{k}`" not in section and f"`{k}[]`" not in section)
    assert not missing, f"keys missing from docs/audit.md ## diff: {missing}"
