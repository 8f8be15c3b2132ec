"""`tierplan audit stack.yaml`: every finding on the example stacks checked against the catalog and
the profile it comes from, bad stack files, and the CLI."""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierplan.audit.stack import audit_stack, load_stack, stack_planner
from tierplan.catalog.loader import load_catalog
from tierplan.errors import InputError

from .conftest import EXAMPLES
from .test_cli import run

STACKS = EXAMPLES / "stacks"


@cache
def _audit(name: str) -> dict[str, Any]:
    path = STACKS / f"{name}.yaml"
    st, prof, pp = load_stack(path)
    return audit_stack(stack_planner(st, prof, str(path), load_catalog(), pp), st, str(path))


def _row(doc: dict[str, Any], comp: str) -> dict[str, Any]:
    return next(r for r in doc["components"] if r["component"] == comp)


def _kinds(doc: dict[str, Any], comp: str | None) -> set[str]:
    return {f["kind"] for f in doc["findings"] if f["component"] == comp}


def _render_size(plan_service: str, size: str) -> dict[str, Any]:
    data = yaml.safe_load((Path(__file__).parents[1] / "src/tierplan/data/catalog/render.yaml").read_text())
    svc = next(s for s in data["services"] if s["id"] == plan_service)
    for p in svc["plans"]:
        for s in (p.get("instances") or {}).get("sizes", []):
            if s["id"] == size:
                return s
    raise AssertionError(size)


def test_suoops_current_stack() -> None:
    doc = _audit("suoops-current")
    # Render Starter: $7 a month and 512 MB (catalog), the profile's API needs 600 MB per instance
    starter = _render_size("web-services", "starter")
    assert starter["usd_per_month"] == 7 and starter["memory_mb"] == 512
    api = _row(doc, "api")
    assert not api["fits"]
    assert api["lines"][0]["monthly_usd"] == pytest.approx(7.0)
    msg = next(
        f["message"] for f in doc["findings"] if f["component"] == "api" and f["kind"] == "limit_exceeded"
    )
    assert "needs 600 MB" in msg and "512 MB" in msg
    # the stated $0 WhatsApp line: the catalog prices the profile's messages
    wa = next(f for f in doc["findings"] if f["component"] == "whatsapp" and f["kind"] == "price_mismatch")
    assert wa["stated_usd"] == [0.0, 0.0] and wa["monthly_usd"] == pytest.approx(
        _row(doc, "whatsapp")["monthly_usd"]
    )
    assert wa["monthly_usd"] > 1 and wa["source"].startswith("https://")
    # the total: recomputed lines add up, and differ from the stated $41
    assert doc["monthly_usd"] == pytest.approx(sum(r["monthly_usd"] for r in doc["components"]), abs=0.02)
    total = next(f for f in doc["findings"] if f["component"] is None and f["kind"] == "price_mismatch")
    assert total["stated_usd"] == [41.0, 41.0]
    # Oregon for a Nigerian audience: Frankfurt is nearer on the same plans
    assert {"region"} <= _kinds(doc, "api") and {"region"} <= _kinds(doc, "db")
    # Render's free Key Value keeps data in memory only, and 25 MB is its limit
    assert {"attribute", "limit_exceeded"} <= _kinds(doc, "redis")
    # Brevo Free's 300 emails a day: reached within the profile's scale
    ahead = next(f for f in doc["findings"] if f["component"] == "email" and f["kind"] == "limit_ahead")
    assert 30 < ahead["at"] <= 500
    # the optimum is cheaper than what runs, and the saving is the difference
    assert doc["optimal"]["monthly_usd"] < doc["monthly_usd"]
    assert doc["saving_monthly_usd"] == pytest.approx(
        doc["monthly_usd"] - doc["optimal"]["monthly_usd_same_components"], abs=0.01
    )
    assert doc["saving_yearly_usd"] == pytest.approx(12 * doc["saving_monthly_usd"], abs=0.01)


def test_paircam_current_stack() -> None:
    doc = _audit("paircam-current")
    # the signalling server has no line of its own: not priced, said so
    assert _kinds(doc, "signaling") == {"missing"}
    # $200 stated for the Railway backend: the workload costs far less on Railway Pro
    api = next(f for f in doc["findings"] if f["component"] == "api" and f["kind"] == "price_mismatch")
    assert api["monthly_usd"] < 200 / 2
    # Railway's Pro workspace fee is paid once for the three services
    assert doc["account_note"] and "api, db, redis" in doc["account_note"]
    # Vercel Hobby forbids commercial use
    assert any("commercial" in f["message"] for f in doc["findings"] if f["component"] == "frontend")
    # Metered Growth's relay beyond the included GB has no catalog price: unpriced, not guessed
    assert "turn" in doc["unpriced"] and _row(doc, "turn")["monthly_usd"] is None
    assert doc["saving_monthly_usd"] is not None and doc["saving_monthly_usd"] > 0
    # the unpriced TURN line counts nothing on either side of the saving: the optimum's TURN cost
    # is left out of what the saving compares
    opt_turn = next(it for it in doc["optimal"]["stack"] if it["component"] == "turn")
    assert opt_turn["monthly_usd"] > 0
    compared = sum(
        it["monthly_usd"] or 0.0
        for it in doc["optimal"]["stack"]
        if it["component"] in {r["component"] for r in doc["components"]} and it["component"] != "turn"
    )
    assert doc["optimal"]["monthly_usd_same_components"] == pytest.approx(compared, abs=0.01)


def test_paircam_target_stack_breaks_free_limits() -> None:
    doc = _audit("paircam-target")
    for comp in ("db", "redis", "turn"):
        assert "limit_exceeded" in _kinds(doc, comp), comp
    # one 256 MB machine cannot hold the signalling server's connections with headroom
    sig = _row(doc, "signaling")
    assert sig["instances_needed"] > sig["quantity"]


def test_amebo_document_stack() -> None:
    doc = _audit("amebo-target")
    # the Workers Paid fee is counted once for the four Workers products
    assert "cloudflare/workers-paid" in doc["account_note"]
    stated = {r["component"]: r["stated_usd"] for r in doc["components"]}
    mism = {f["component"] for f in doc["findings"] if f["kind"] == "price_mismatch"}
    for comp in ("api", "db", "files", "realtime", "errors"):
        assert comp in mism, comp
        assert stated[comp] is not None
    assert doc["monthly_usd"] < 1021


def test_bad_stack_files(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text(
        "name: x\nprofile: " + str(EXAMPLES / "suoops.yaml") + "\n"
        "components:\n  api: {provider: render, plan: startr, size: starter, region: oregon}\n"
        "  nope: {provider: render, plan: starter}\n"
    )
    st, prof, pp = load_stack(bad)
    with pytest.raises(InputError) as e:
        stack_planner(st, prof, str(bad), load_catalog(), pp)
    text = str(e.value)
    assert "components.api.plan" in text and "startr" in text and "components.nope" in text
    r = run("audit", bad)
    assert r.returncode == 2 and "components.api.plan" in r.stderr and "Traceback" not in r.stderr
    bad.write_text("name: x\ncomponents: {}\nextra: 1\n")
    r = run("audit", bad)
    assert r.returncode == 2 and "extra" in r.stderr and str(bad) in r.stderr


def test_cli_json_and_markdown(tmp_path: Path) -> None:
    r = run("audit", STACKS / "suoops-current.yaml", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["stack"] == "SuoOps today" and doc["findings"]
    out = tmp_path / "audit.md"
    r = run("audit", STACKS / "suoops-current.yaml", "--format", "md", "-o", out)
    assert r.returncode == 0, r.stderr
    text = out.read_text()
    assert "## Findings" in text and "needs 600 MB" in text
    r = run("audit", STACKS / "suoops-current.yaml", "--format", "md", "-o", out)
    assert r.returncode == 2 and "--force" in r.stderr


def test_diff_of_two_stack_files_and_a_stack_against_its_plan() -> None:
    r = run("diff", STACKS / "paircam-current.yaml", STACKS / "paircam-target.yaml", "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    before, after = _audit("paircam-current"), _audit("paircam-target")
    row = next(x for x in doc["scales"] if x["scale"] == 6000)
    # the same line prices as the audits of the two stacks at their scale
    assert row["before_usd"] == pytest.approx(before["monthly_usd"], abs=0.01)
    assert row["after_usd"] == pytest.approx(after["monthly_usd"], abs=0.01)
    assert row["exact"]
    r = run("diff", STACKS / "suoops-current.yaml", EXAMPLES / "suoops.yaml", "--format", "md")
    assert r.returncode == 0, r.stderr
    assert "vercel/pro $20.00" in r.stdout and "cloudflare/free $0.00" in r.stdout


def test_suoops_stage_one_target() -> None:
    doc = _audit("suoops-target")
    pro = _render_size("postgres", "pro-4gb")
    basic = _render_size("postgres", "basic-256mb")
    # the document's $50 Pro database: the catalog's Pro-4gb is $55 plus storage
    db = next(f for f in doc["findings"] if f["component"] == "db" and f["kind"] == "price_mismatch")
    assert db["stated_usd"] == [50.0, 50.0] and db["monthly_usd"] == pytest.approx(
        _row(doc, "db")["monthly_usd"]
    )
    assert _row(doc, "db")["lines"][0]["monthly_usd"] == pytest.approx(pro["usd_per_month"])
    # 4 GB of RAM for a database the workload barely uses: Basic-256mb fits with headroom
    over = next(f for f in doc["findings"] if f["component"] == "db" and f["kind"] == "overprovisioned")
    assert "basic-256mb" in over["message"]
    assert over["monthly_usd"] == pytest.approx(pro["usd_per_month"] - basic["usd_per_month"], abs=0.01)
    # Standard (2 GB) for the API is not over-provisioned: Starter's 512 MB cannot hold 600 MB
    assert "overprovisioned" not in _kinds(doc, "api")
    assert doc["stated_total_usd"] == [120.0, 120.0]


def _docs_sample(md: str) -> str:
    """The audit's Markdown as docs/audit.md shows it: headings two levels down, under an Output heading."""
    out = []
    for ln in md.splitlines():
        if ln.startswith("# Audit: "):
            ln = "### Output: `tierplan audit examples/stacks/suoops-current.yaml --format md`"
        elif ln.startswith("## "):
            ln = "#### " + ln[3:]
        elif ln.startswith("### "):
            ln = "##### " + ln[4:]
        out.append(ln)
    return "\n".join(out).rstrip() + "\n"


def test_docs_show_the_current_audit_output(update_goldens: bool) -> None:
    """docs/audit.md shows a real audit; it is regenerated with --update-goldens."""
    r = run("audit", Path("examples/stacks/suoops-current.yaml"), "--format", "md", cwd=EXAMPLES.parent)
    assert r.returncode == 0, r.stderr
    sample = _docs_sample(r.stdout)
    doc_path = EXAMPLES.parent / "docs" / "audit.md"
    text = doc_path.read_text()
    start = text.index("### Output: `tierplan audit examples/stacks/suoops-current.yaml")
    end = text.index("## audit a plan document")
    if update_goldens:
        doc_path.write_text(text[:start] + sample + "\n" + text[end:])
        return
    assert text[start:end].rstrip() + "\n" == sample, (
        "docs/audit.md is out of date (rerun with --update-goldens)"
    )


def test_amebo_current_free_tiers_break_at_a_hand_computed_scale() -> None:
    """Inline workload: 150 requests per active user a day, 75% active -> 112.5 requests per user a
    day. Workers Free allows 100,000 a day, 80% with headroom = 80,000 on the busiest day, which is
    1.5 x the average (limits.busy_day_factor): 53,333 on an average day / 112.5 = 474.1, so the
    stack stops fitting at 475 users; D1 Free's 100,000 rows written a day (1 per request) at the
    same scale."""
    doc = _audit("amebo-current")
    assert doc["monthly_usd"] == 0 and doc["at"] == 100
    ahead = {f["component"]: f for f in doc["findings"] if f["kind"] == "limit_ahead"}
    assert ahead["api"]["at"] == 475 and ahead["api"]["metric"] == "requests_per_day"
    assert ahead["db"]["at"] == 475 and ahead["db"]["metric"] == "rows_written_per_day"
    assert doc["findings"] and all(f["kind"] == "limit_ahead" for f in doc["findings"])


def test_bad_inline_workload_names_the_key_under_workload(tmp_path: Path) -> None:
    bad = tmp_path / "s.yaml"
    bad.write_text(
        "name: x\nat: 100\nworkload:\n  name: X\n  commercial: true\n  audience: {countries: [NG]}\n"
        "  scale: {unit: user, stages: [100]}\n  components:\n    api: {kind: web_service, runtime: go, memry_mb: 1}\n"
        "components:\n  api: {provider: cloudflare, plan: free, service: workers}\n"
    )
    r = run("audit", bad)
    assert r.returncode == 2 and "Traceback" not in r.stderr
    assert "workload.components.api.memry_mb" in r.stderr and str(bad) in r.stderr


#: every finding of each example stack, by (kind, component); each one was read against the
#: catalog entry and the profile (the tests above check the figures of the important ones)
ALL_FINDINGS = {
    "paircam-current": {
        ("attribute", "db"),  # Railway's database is self-run and has no backups (required)
        ("attribute", "frontend"),  # Vercel Hobby forbids commercial use
        ("limit_ahead", "errors"),  # Sentry Developer's 5,000 events a month
        ("limit_ahead", "frontend"),  # Vercel Hobby's 1M edge requests a month
        ("missing", "signaling"),
        ("price_mismatch", None),  # the $360 total
        ("price_mismatch", "api"),
        ("price_mismatch", "db"),
        ("price_mismatch", "redis"),
        ("unpriced", "turn"),  # Metered's relay beyond the included GB has no public price
    },
    "paircam-target": {
        ("attribute", "frontend"),
        ("limit_ahead", "errors"),
        ("limit_ahead", "frontend"),
        ("limit_exceeded", "db"),  # Neon Free's 100 CU-hours
        ("limit_exceeded", "redis"),  # Upstash Free's 500,000 commands a month
        ("limit_exceeded", "signaling"),  # one 256 MB machine for the sockets
        ("limit_exceeded", "turn"),  # Open Relay's 20 GB
        ("price_mismatch", None),
        ("price_mismatch", "signaling"),
    },
    "suoops-current": {
        ("attribute", "redis"),
        ("limit_ahead", "db"),  # failover required from 500 users
        ("limit_ahead", "email"),
        ("limit_exceeded", "api"),
        ("limit_exceeded", "pdf-worker"),
        ("limit_exceeded", "redis"),
        ("price_mismatch", None),
        ("price_mismatch", "whatsapp"),
        ("region", "api"),
        ("region", "db"),
        ("region", "pdf-worker"),
        ("region", "redis"),
    },
    "suoops-target": {
        ("attribute", "redis"),
        ("limit_ahead", "db"),
        ("limit_ahead", "email"),
        ("limit_exceeded", "redis"),
        ("overprovisioned", "db"),
        ("price_mismatch", None),
        ("price_mismatch", "db"),
        ("price_mismatch", "whatsapp"),
        ("region", "api"),
        ("region", "db"),
        ("region", "pdf-worker"),
        ("region", "redis"),
    },
    "amebo-current": {("limit_ahead", "api"), ("limit_ahead", "db")},
    "amebo-target": {
        ("price_mismatch", None),
        ("price_mismatch", "api"),
        ("price_mismatch", "cache"),
        ("price_mismatch", "db"),
        ("price_mismatch", "errors"),
        ("price_mismatch", "files"),
        ("price_mismatch", "notifications"),
        ("price_mismatch", "realtime"),
    },
}


@pytest.mark.parametrize("name", sorted(ALL_FINDINGS))
def test_every_finding_is_accounted_for(name: str) -> None:
    doc = _audit(name)
    got = {(f["kind"], f["component"]) for f in doc["findings"]}
    assert got == ALL_FINDINGS[name]
    for f in doc["findings"]:
        if f["kind"] in ("price_mismatch", "limit_exceeded", "limit_ahead", "attribute") and f["component"]:
            assert f["source"].startswith("https://") and f["as_of"], f


def test_price_mismatches_are_the_catalog_figures() -> None:
    """Each stated-vs-catalog finding carries the line's recomputed cost, which is the sum of its
    cost lines (each with its catalog source)."""
    for name in ALL_FINDINGS:
        doc = _audit(name)
        for f in doc["findings"]:
            if f["kind"] != "price_mismatch" or f["component"] is None:
                continue
            row = _row(doc, f["component"])
            assert f["monthly_usd"] == pytest.approx(row["monthly_usd"], abs=0.01)
            lines = [ln["monthly_usd"] for ln in row["lines"]]
            if None not in lines and not row["lines"][0]["name"].startswith("account"):
                assert row["monthly_usd"] == pytest.approx(sum(lines), abs=0.02), (name, f["component"])


def test_cli_text_report_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "audit.txt"
    r = run("audit", STACKS / "suoops-current.yaml", "-o", out)
    assert r.returncode == 0, r.stderr
    assert "Recomputed: $95.00/month" in out.read_text() and "Recomputed" not in r.stdout
