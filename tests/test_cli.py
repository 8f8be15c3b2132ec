"""The CLI through the real entry point (the installed `tierplan` console script)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import TEST_CATALOG

TIERPLAN = str(Path(sys.executable).parent / "tierplan")
APP = Path(__file__).parent / "data" / "app.yaml"


def run(*args: object, stdin: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "COLUMNS": "120"}
    return subprocess.run(
        [TIERPLAN, *map(str, args)],
        capture_output=True,
        text=True,
        input=stdin,
        env=env,
        timeout=120,
        cwd=cwd,
    )


def test_plan_json_contract() -> None:
    r = run("plan", APP, "--format", "json", "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    for k in ("app", "unit", "catalog_as_of", "phases", "points"):
        assert k in doc
    for i, ph in enumerate(doc["phases"]):
        for k in ("from", "to", "monthly_usd_start", "monthly_usd_end", "stack", "triggers"):
            assert k in ph
        for it in ph["stack"]:
            for k in ("component", "provider", "plan", "region", "quantity", "monthly_usd", "utilization"):
                assert k in it
            assert all(0 <= v <= 1 for v in it["utilization"].values())
        assert sum(it["monthly_usd"] for it in ph["stack"]) == pytest.approx(ph["monthly_usd_end"], abs=0.01)
        if i + 1 < len(doc["phases"]):
            assert doc["phases"][i + 1]["from"] == ph["to"] + 1
            for t in ph["triggers"]:
                assert {"component", "metric", "limit", "threshold", "at"} <= set(t)
    assert doc["phases"][-1]["to"] is None
    assert doc["catalog_entries"] and all(e["source"] and e["as_of"] for e in doc["catalog_entries"])


def test_plan_at_one_point() -> None:
    r = run("plan", APP, "--at", 150, "--format", "json", "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["scale"] == 150 and {"monthly_usd", "stack", "demand"} <= set(doc)
    assert doc["demand"]["api"]["requests_per_day"]["value"] == pytest.approx(150 * 3 * 300)


def test_plan_text_and_markdown() -> None:
    r = run("plan", APP, "--catalog", TEST_CATALOG)
    assert r.returncode == 0 and "Phase 1" in r.stdout and "Golden Shop" in r.stdout
    r = run("plan", APP, "--format", "md", "--catalog", TEST_CATALOG)
    assert r.returncode == 0 and r.stdout.startswith("# Golden Shop: hosting plan")


def test_output_file_is_not_overwritten_without_force(tmp_path: Path) -> None:
    out = tmp_path / "plan.md"
    out.write_text("my notes\n")
    r = run("plan", APP, "--format", "md", "-o", out, "--catalog", TEST_CATALOG, stdin="")
    assert r.returncode == 2 and "--force" in r.stderr
    assert out.read_text() == "my notes\n"
    r = run("plan", APP, "--format", "md", "-o", out, "--force", "--catalog", TEST_CATALOG)
    assert r.returncode == 0 and out.read_text().startswith("# Golden Shop")


@pytest.mark.parametrize(
    ("content", "must"),
    [
        (b"", "is empty"),
        (bytes(range(256)), "binary"),
        (b"name: [unclosed\n  x: {", "invalid YAML"),
        (b"- a\n- b\n", "mapping"),
        (APP.read_bytes() + b"surprise: 1\n", "surprise"),
        (APP.read_bytes().replace(b"memory_mb: 120", b"memory_mb: -120"), "memory_mb"),
        (APP.read_bytes().replace(b"memory_mb: 120", b"memory_mb: lots"), "memory_mb"),
        (
            APP.read_bytes().replace(b"zero_downtime_from: 150", b"providers: {allow: [flyy]}"),
            "did you mean 'fly'",
        ),
    ],
)
def test_bad_input_exits_2_with_file_and_key(tmp_path: Path, content: bytes, must: str) -> None:
    p = tmp_path / "bad.yaml"
    p.write_bytes(content)
    r = run("plan", p, "--catalog", TEST_CATALOG)
    out = r.stdout + r.stderr
    assert r.returncode == 2, out
    assert "Traceback" not in out
    assert "bad.yaml" in out and must in out


def test_missing_file_exits_2() -> None:
    r = run("plan", "does-not-exist.yaml")
    assert r.returncode == 2 and "not found" in r.stderr and "Traceback" not in r.stderr


def test_no_feasible_stack_exits_3(tmp_path: Path) -> None:
    p = tmp_path / "huge.yaml"
    p.write_text(APP.read_text().replace("memory_mb: 120", "memory_mb: 60000"))
    r = run("plan", p, "--catalog", TEST_CATALOG)
    assert r.returncode == 3, r.stdout + r.stderr
    assert "'api'" in r.stderr and "memory" in r.stderr


def test_explain_prints_formulas_and_inputs() -> None:
    r = run("explain", APP, "--at", 20, "--component", "api", "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    assert "requests_per_day" in r.stdout and "daily_active_users x requests_per_user_day" in r.stdout
    assert "18,000" in r.stdout  # 20 shops x 3 users x 300


def test_catalog_commands() -> None:
    r = run("catalog", "list", "--catalog", TEST_CATALOG)
    assert r.returncode == 0 and "neon" in r.stdout and "legacy" in r.stdout
    r = run("catalog", "show", "neon", "--catalog", TEST_CATALOG)
    assert r.returncode == 0 and "Launch" in r.stdout and "source:" in r.stdout
    r = run("catalog", "show", "neonn", "--catalog", TEST_CATALOG)
    assert r.returncode == 2 and "did you mean 'neon'" in r.stderr
    r = run("catalog", "check")
    assert r.returncode == 0 and "catalog OK" in r.stdout


def test_schema_is_json_schema_with_every_component_kind() -> None:
    r = run("schema")
    assert r.returncode == 0
    s = json.loads(r.stdout)
    assert s["title"].startswith("tierplan")
    assert "web_service" in json.dumps(s) and "turn" in json.dumps(s)


def test_assumptions_listing() -> None:
    r = run("assumptions", "--format", "json")
    keys = {a["key"] for a in json.loads(r.stdout)}
    assert "runtime.go.cpu_ms_per_request" in keys and "latency.route_factor" in keys


def test_infeasible_plan_prints_a_json_error_for_machines(tmp_path: Path) -> None:
    p = tmp_path / "huge.yaml"
    p.write_text(APP.read_text().replace("memory_mb: 120", "memory_mb: 60000"))
    r = run("plan", p, "--format", "json", "--catalog", TEST_CATALOG)
    assert r.returncode == 3
    err = json.loads(r.stdout)["error"]
    assert err["type"] == "InfeasibleError" and err["reasons"]


def test_compare_decision_matrix_json() -> None:
    r = run("compare", APP, "--format", "json", "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    objectives = [row["objective"] for row in doc["rows"]]
    assert objectives == [
        "cheapest",
        "lowest-latency",
        "highest-availability",
        "fewest-vendors",
        "no-credit-card",
    ]
    cheapest = doc["rows"][0]
    assert cheapest["feasible"] and cheapest["stack"]
    for row in doc["rows"][1:]:
        if row["feasible"]:  # no objective beats the cheapest on cost
            for u, usd in row["monthly_usd"].items():
                assert usd >= cheapest["monthly_usd"][u] - 1e-6
    front = doc["pareto_first_stage"]
    assert front and all(b["monthly_usd"] > a["monthly_usd"] for a, b in itertools.pairwise(front))
    assert all(b["latency_ms_estimate"] < a["latency_ms_estimate"] for a, b in itertools.pairwise(front))
    r = run("compare", APP, "--format", "md", "--catalog", TEST_CATALOG)
    assert r.returncode == 0 and "| Cheapest |" in r.stdout


def test_plan_economics_and_do_now_in_every_format(tmp_path: Path) -> None:
    """The JSON carries `economics` (issue 13's keys) and `do_now`; Markdown and text lead with
    "Do this now" and show the economics table."""
    ex = Path(__file__).parents[1] / "examples" / "coop-erp.yaml"
    r = run("plan", ex, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    eco = doc["economics"]
    assert eco["currency"] == "IDR" and isinstance(eco["break_even_scale"], int)
    assert set(eco["totals"]) >= {"months_12_usd", "months_24_usd"}
    for ph in eco["phases"]:
        assert {"revenue_usd_start", "revenue_usd_end", "margin_start", "margin_end"} <= set(ph)
        assert 0 < ph["margin_start"] <= 1 and 0 < ph["margin_end"] <= 1
    assert doc["do_now"]["sign_up"]
    md = run("plan", ex, "--format", "md")
    assert md.returncode == 0, md.stderr
    assert md.stdout.index("## Do this now") < md.stdout.index("## Summary") < md.stdout.index("## Economics")
    text = run("plan", ex)
    assert text.returncode == 0, text.stderr
    assert text.stdout.index("Do this now") < text.stdout.index("Phases") < text.stdout.index("Economics")


def test_bad_revenue_names_file_key_and_line(tmp_path: Path) -> None:
    ex = (Path(__file__).parents[1] / "examples" / "coop-erp.yaml").read_text()
    bad = tmp_path / "app.yaml"
    bad.write_text(ex.replace("processor: xendit", "processor: xenditt"))
    r = run("plan", bad)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert str(bad) in r.stderr and "revenue.payments.processor" in r.stderr and "xendit" in r.stderr
    line = next(i for i, t in enumerate(bad.read_text().splitlines(), 1) if "xenditt" in t)
    assert f"line {line}" in r.stderr
    bad.write_text(ex.replace("per_usd: {IDR: 17868.16}", "per_usd: {NGN: 1500}"))
    r = run("plan", bad)
    assert r.returncode == 2 and "revenue" in r.stderr and "IDR" in r.stderr and "Traceback" not in r.stderr


def test_plan_samples_json_contract() -> None:
    """`plan --samples` on the amebo example (the seed's ranges): issue 13's `uncertainty` keys,
    ordered percentiles, the tornado sorted by swing, probabilities in [0, 1]; the same seed
    prints the same document."""
    ex = Path(__file__).parents[1] / "examples" / "amebo.yaml"
    args = ("plan", ex, "--samples", "40", "--seed", "3", "--format", "json")
    r = run(*args)
    assert r.returncode == 0, r.stderr
    u = json.loads(r.stdout)["uncertainty"]
    assert u["samples"] == 40 and u["seed"] == 3
    assert [s["scale"] for s in u["stages"]] == [10000, 25000, 50000, 100000]
    for s in u["stages"]:
        assert s["monthly_usd_p10"] <= s["monthly_usd_p50"] <= s["monthly_usd_p90"]
    swings = [abs(s["high_usd"] - s["low_usd"]) for s in u["sensitivity"]]
    assert len(swings) == 2 and swings == sorted(swings, reverse=True)
    for b in u["boundaries"]:
        probs = [p["probability"] for p in b["probability_before"]]
        assert all(0 <= p <= 1 for p in probs) and probs == sorted(probs)
    assert json.loads(run(*args).stdout)["uncertainty"] == u


def test_samples_on_worker_processes_print_the_same_document(monkeypatch: pytest.MonkeyPatch) -> None:
    """`--jobs 2` forks workers for the draws; the document is the one `--jobs 1` prints (each
    computed: no document cache), and `--jobs 0` is a usage error."""
    monkeypatch.setenv("TIERPLAN_NO_CACHE", "1")
    ex = Path(__file__).parents[1] / "examples" / "amebo.yaml"
    args = ("plan", ex, "--samples", "60", "--format", "json")
    one, two = run(*args, "--jobs", "1"), run(*args, "--jobs", "2")
    assert one.returncode == two.returncode == 0, two.stderr
    assert json.loads(one.stdout) == json.loads(two.stdout)
    bad = run(*args, "--jobs", "0")
    assert bad.returncode == 2 and "--jobs" in bad.stderr and "Traceback" not in bad.stderr


def test_samples_with_at_is_a_usage_error() -> None:
    ex = Path(__file__).parents[1] / "examples" / "amebo.yaml"
    r = run("plan", ex, "--samples", "10", "--at", "100")
    assert r.returncode == 2 and "--samples" in r.stderr and "Traceback" not in r.stderr
