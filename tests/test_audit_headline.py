"""The stack audit leads with what matters most (audit/stack_headline.py), and its recomputed column
adds up: a shared account's fee once, on its own row (issue 12)."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierplan.audit.stack import cents_adding_up
from tierplan.audit.stack_headline import HeadlinePolicy, stack_headline

from .conftest import EXAMPLES
from .test_audit_stack import _audit
from .test_cli import run

STACKS = EXAMPLES / "stacks"
CATALOG = Path(__file__).parents[1] / "src/tierplan/data/catalog"
EXAMPLE_STACKS = sorted(p.stem for p in STACKS.glob("*.yaml"))


def _railway_pro() -> dict[str, Any]:
    data = yaml.safe_load((CATALOG / "railway.yaml").read_text())
    return next(a for a in data["accounts"] if a["id"] == "pro")


def test_paircam_headline_hand_computed() -> None:
    """PairCam today: stated $360 a month (the seed's table). The catalog cannot price Metered
    Growth's relay beyond its included 150 GB, so TURN (stated $50) is left out of both sides:
    $360 - $50 = $310 stated for the lines the catalog prices. Those cost $20.00: api, db and redis
    run on one Railway Pro workspace, $20 a month with $20 of usage included, and their usage
    (RAM, CPU, egress, volumes: a few dollars) is within it; Vercel Hobby, Sentry Developer and
    UptimeRobot Free are $0. $310 / $20 = 15.5 times, $290 a month more, $3,480 a year."""
    pro = _railway_pro()
    assert pro["base_usd_month"] == 20 and pro["usage_credit_usd_month"] == 20
    doc = _audit("paircam-current")
    rows = {r["component"]: r for r in doc["components"]}
    usage = sum(
        ln["monthly_usd"]
        for c in ("api", "db", "redis")
        for ln in rows[c]["lines"]
        if not ln["name"].startswith(("account plan", "usage included"))
    )
    assert 0 < usage < 20  # within the credit: the workspace costs its fee
    h = doc["headline"]
    assert h["kind"] == "overstated"
    assert h["stated_total_usd"] == [360, 360] and h["unpriced"] == ["turn"]
    assert h["unpriced_stated_usd"] == [50, 50] and h["stated_priced_usd"] == [310, 310]
    assert h["monthly_usd"] == 20.0
    assert h["ratio"] == 15.5
    assert h["difference_monthly_usd"] == 290.0 and h["difference_yearly_usd"] == 3480.0
    # the gap is the Railway lines together: $200 + $75 + $35 stated against the one $20 fee
    assert h["gap"] == [
        {
            "components": ["api", "db", "redis"],
            "account": "railway/pro",
            "stated_usd": [310, 310],
            "monthly_usd": 20.0,
            "difference_usd": 290.0,
        }
    ]
    assert "$360.00" in h["title"] and "$20.00" in h["title"] and "turn (unpriced)" in h["title"]
    text = " ".join(h["details"])
    assert "15.5 times" in text and "$290.00 a month more" in text
    assert "api $200.00, db $75.00, redis $35.00" in text
    # Metered Growth's $99 plan fee is priced, the relay beyond 150 GB is not: said, not summed
    assert "the catalog prices $99.00 of it, not the rest" in text
    assert f"costs ${doc['optimal']['monthly_usd']:,.2f} a month" in text


def test_shared_account_fee_is_one_row() -> None:
    """Railway Pro's $20 fee is shared by api, db and redis: each line shows its own cost ("in
    account fee": its usage is within the fee's credit), the fee one row; the JSON keeps each
    line's cost alone on the plan (monthly_usd, fee included) as before."""
    doc = _audit("paircam-current")
    rows = {r["component"]: r for r in doc["components"]}
    for c in ("api", "db", "redis"):
        assert rows[c]["monthly_usd"] == 20.0  # alone on the workspace: its fee
        assert rows[c]["account"] == "railway/pro"
        assert rows[c]["in_total_monthly_usd"] == 0.0 and rows[c]["in_account_fee"]
        assert 0 < rows[c]["account_usage_monthly_usd"] < 20
    assert doc["accounts"] == [
        {
            "account": "railway/pro",
            "name": "Railway Pro workspace",
            "components": ["api", "db", "redis"],
            "fee_monthly_usd": 20.0,
            "usage_monthly_usd": pytest.approx(sum(rows[c]["account_usage_monthly_usd"] for c in ("api", "db", "redis")), abs=0.01),
            "credit_monthly_usd": 20.0,
            "monthly_usd": 20.0,
        }
    ]
    assert rows["turn"]["in_total_monthly_usd"] is None and rows["turn"]["priced_part_monthly_usd"] == 99.0


def test_workers_paid_lines_show_their_usage() -> None:
    """Workers Paid has a $5 fee and no usage credit: each Workers line shows its usage (its cost
    alone minus the $5 fee), the fee one $5 row."""
    doc = _audit("amebo-target")
    (acct,) = doc["accounts"]
    assert acct["account"] == "cloudflare/workers-paid" and acct["monthly_usd"] == 5.0
    for r in doc["components"]:
        if r["component"] in acct["components"]:
            assert r["in_total_monthly_usd"] == pytest.approx(r["monthly_usd"] - 5.0, abs=0.011)
            assert not r["in_account_fee"]


@pytest.mark.parametrize("name", EXAMPLE_STACKS)
def test_recomputed_column_adds_up_to_the_total(name: str) -> None:
    """Every priced line's part plus the account rows is the recomputed total, to the cent."""
    doc = _audit(name)
    cents = sum(round(100 * (r["in_total_monthly_usd"] or 0)) for r in doc["components"])
    cents += sum(round(100 * a["monthly_usd"]) for a in doc["accounts"])
    assert cents == round(100 * doc["monthly_usd"])


def _money(cell: str) -> float:
    cell = cell.strip()
    if cell == "in account fee":
        return 0.0
    m = re.match(r"\$([\d,]+\.\d\d)", cell)
    assert m, cell
    return float(m.group(1).replace(",", ""))


@pytest.mark.parametrize("name", ["paircam-current", "amebo-target"])
def test_markdown_and_text_tables_add_up(name: str) -> None:
    """The Lines table as printed: its recomputed cells add up to its total row (md and text)."""
    r = run("audit", STACKS / f"{name}.yaml", "--format", "md")
    assert r.returncode == 0, r.stderr
    table = r.stdout.split("## Lines", 1)[1].split("\n\n", 2)[1]
    cells = [ln.split("|")[8] for ln in table.splitlines()[2:]]
    *lines, total = cells
    priced = [_money(c) for c in lines if c.strip() != "unpriced"]
    assert "fee" in table and round(sum(priced), 2) == _money(total)
    r = run("audit", STACKS / f"{name}.yaml")
    assert r.returncode == 0, r.stderr
    rows = [ln.split("│") for ln in r.stdout.splitlines() if ln.count("│") == 6]
    rows = [x for x in rows if x[0].strip()]  # not the second line of a folded cell
    *lines, total_row = rows
    assert total_row[0].strip() == "total"
    priced = [_money(x[5]) for x in lines if x[5].strip() != "unpriced"]
    assert round(sum(priced), 2) == _money(total_row[5])


def test_headline_leads_every_format() -> None:
    path = STACKS / "paircam-current.yaml"
    title = "The stated $360.00 a month is far above what this stack costs for the workload"
    r = run("audit", path)
    assert r.returncode == 0, r.stderr
    assert title in r.stdout and r.stdout.index(title) < r.stdout.index("component")
    assert "15.5 times" in r.stdout
    r = run("audit", path, "--format", "md")
    assert r.returncode == 0, r.stderr
    assert f"**{title}" in r.stdout and r.stdout.index(title) < r.stdout.index("| | monthly |")
    r = run("audit", path, "--format", "html")
    assert r.returncode == 0, r.stderr
    assert title in r.stdout and r.stdout.index(title) < r.stdout.index("<table")
    r = run("audit", path, "--format", "json")
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert next(iter(doc)) == "headline"
    h = doc["headline"]
    assert h["kind"] == "overstated" and h["title"].startswith(title)
    assert (h["ratio"], h["difference_monthly_usd"], h["monthly_usd"]) == (15.5, 290.0, 20.0)


def test_unknown_format_is_exit_2_naming_the_formats() -> None:
    r = run("audit", STACKS / "paircam-current.yaml", "--format", "xml")
    assert r.returncode == 2 and "Traceback" not in r.stderr
    for f in ("text", "md", "json", "html"):
        assert f"'{f}'" in r.stderr
    assert r.stdout == ""


#: the headline of each example stack, and why
KINDS = {
    "paircam-current": "overstated",  # $310 stated for lines that cost $20
    "amebo-target": "overstated",  # $1,021 stated, $426.16 recomputed: 2.4 times
    "suoops-current": "understated",  # $41 stated, $95 recomputed (WhatsApp's messages)
    "paircam-target": "does_not_fit",  # Neon, Upstash and Open Relay free tiers exceeded
    "suoops-target": "does_not_fit",  # Render's free Key Value: 25 MB
    "amebo-current": "as_stated",  # $0 stated, $0 recomputed
}


@pytest.mark.parametrize("name", EXAMPLE_STACKS)
def test_headline_kind_of_each_example(name: str) -> None:
    h = _audit(name)["headline"]
    assert h["kind"] == KINDS[name], h["title"]
    assert h["title"] and all(d.endswith(".") for d in h["details"])


# ------------------------------------------------------------------ the rule, on hand-made audits
POLICY = HeadlinePolicy(
    far_factor=2, far_min_usd=20, tolerance_usd=1, tolerance_fraction=0.05, saving_min_usd=10, saving_min_fraction=0.05
)


def _doc(
    total: float,
    stated: float | None,
    *,
    saving: float | None = None,
    unpriced_stated: float | None = None,
    unpriced: bool = False,
    fits: bool = True,
) -> dict[str, Any]:
    rows = [
        {
            "component": "api",
            "account": None,
            "stated_usd": None if stated is None else [stated, stated],
            "monthly_usd": total,
            "in_total_monthly_usd": total,
            "in_account_fee": False,
            "fits": fits,
        }
    ]
    if unpriced:
        rows.append(
            {
                "component": "turn",
                "account": None,
                "stated_usd": None if unpriced_stated is None else [unpriced_stated, unpriced_stated],
                "monthly_usd": None,
                "in_total_monthly_usd": None,
                "priced_part_monthly_usd": 0.0,
                "in_account_fee": False,
                "fits": True,
            }
        )
    both = None if stated is None else stated + (unpriced_stated or 0.0)
    return {
        "at": 100,
        "unit": "user",
        "components": rows,
        "accounts": [],
        "monthly_usd": total,
        "unpriced": ["turn"] if unpriced else [],
        "stated_total_usd": None if both is None else [both, both],
        "findings": [],
        "optimal": {"monthly_usd": total - (saving or 0.0), "monthly_usd_same_components": total - (saving or 0.0)},
        "saving_monthly_usd": saving,
        "saving_yearly_usd": None if saving is None else 12 * saving,
    }


@pytest.mark.parametrize(
    ("total", "stated", "kind"),
    [
        (20.0, 40.0, "overstated"),  # twice, and $20 more: both thresholds met exactly
        (20.0, 39.99, "mismatch"),  # just under twice
        (10.0, 29.99, "mismatch"),  # three times, but $19.99 more
        (0.0, 20.0, "overstated"),  # a free stack stated at $20
        (40.0, 20.0, "understated"),
        (39.99, 20.0, "mismatch"),
        (20.0, 20.9, "as_stated"),  # within the 5% tolerance
        (20.0, None, "recomputed"),
    ],
)
def test_far_rule_boundaries(total: float, stated: float | None, kind: str) -> None:
    assert stack_headline(_doc(total, stated), POLICY)["kind"] == kind


def test_unpriced_line_taken_out_of_the_stated_total() -> None:
    # $100 stated in all, $60 of it for the unpriced line: $40 against $20 is twice and $20 more
    h = stack_headline(_doc(20.0, 40.0, unpriced=True, unpriced_stated=60.0), POLICY)
    assert h["kind"] == "overstated" and h["stated_priced_usd"] == [40.0, 40.0]
    assert h["ratio"] == 2.0 and "turn (unpriced)" in h["title"]
    # without a stated figure for the unpriced line the totals cannot be compared: no far claim
    h = stack_headline(_doc(20.0, 100.0, unpriced=True), POLICY)
    assert h["kind"] == "recomputed" and h["stated_priced_usd"] is None and "turn (unpriced)" in h["title"]


def test_saving_needs_the_profiles_migration_policy() -> None:
    # $10 a month and 5% of the bill (migration.min_saving_usd_month, min_saving_fraction)
    assert stack_headline(_doc(100.0, 100.0, saving=10.0), POLICY)["kind"] == "saving"
    assert stack_headline(_doc(100.0, 100.0, saving=9.99), POLICY)["kind"] == "as_stated"
    assert stack_headline(_doc(300.0, 300.0, saving=14.99), POLICY)["kind"] == "as_stated"  # < 5%
    # a stack that does not fit comes before a saving, a far-off stated total before both
    assert stack_headline(_doc(100.0, 100.0, saving=50.0, fits=False), POLICY)["kind"] == "does_not_fit"
    assert stack_headline(_doc(100.0, 300.0, saving=50.0, fits=False), POLICY)["kind"] == "overstated"


@pytest.mark.parametrize(
    ("values", "total", "cents"),
    [
        ([1 / 3, 1 / 3, 1 / 3], 1.0, [0.34, 0.33, 0.33]),  # one cent left over: to the first largest
        ([0.005, 0.005], 0.01, [0.01, 0.0]),
        ([61.415625, 8.3321875, 5.0], 74.7478125, [61.42, 8.33, 5.0]),
        ([0.0, 20.0], 20.0, [0.0, 20.0]),
    ],
)
def test_cents_adding_up(values: list[float], total: float, cents: list[float]) -> None:
    got = cents_adding_up(values, total)
    assert got == cents and round(sum(got), 2) == round(total, 2)
