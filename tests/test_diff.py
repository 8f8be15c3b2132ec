"""tierplan diff: the pure comparison on hand-made plan dicts, the renderers, and the CLI."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console

from tierplan.diff import compare_scales, cost_at, diff_plans, render_diff_markdown, render_diff_terminal
from tierplan.errors import InputError

from .conftest import EXAMPLES, TEST_CATALOG
from .test_cli import APP, run


def item(comp: str, provider: str, plan: str, usd: float, start: float, **kw: Any) -> dict[str, Any]:
    return {
        "component": comp,
        "provider": provider,
        "plan": plan,
        "size": kw.get("size"),
        "region": kw.get("region"),
        "quantity": kw.get("quantity", 1),
        "monthly_usd": usd,
        "monthly_usd_start": start,
    }


def before_doc() -> dict[str, Any]:
    return {
        "app": "Shop",
        "unit": "user",
        "scale": {"stages": [10, 100], "last": 100},
        "phases": [
            {
                "index": 1,
                "from": 10,
                "to": 49,
                "monthly_usd_start": 10.0,
                "monthly_usd_end": 14.0,
                "stack": [
                    item("api", "fly", "payg", 6.0, 5.0, size="s1", region="sin"),
                    item("db", "neon", "launch", 8.0, 5.0),
                ],
                "triggers": [{"component": "db", "metric": "storage_gb", "at": 50, "at_month": 3.0}],
            },
            {
                "index": 2,
                "from": 50,
                "to": None,
                "to_sweep_end": 100,
                "monthly_usd_start": 20.0,
                "monthly_usd_end": 30.0,
                "stack": [
                    item("api", "fly", "payg", 10.0, 6.0, size="s1", region="sin"),
                    item("db", "neon", "scale", 20.0, 14.0),
                ],
                "triggers": [],
            },
        ],
    }


def after_doc() -> dict[str, Any]:
    return {
        "app": "Shop",
        "unit": "user",
        "scale": {"stages": [10, 100], "last": 100},
        "phases": [
            {
                "index": 1,
                "from": 10,
                "to": 39,
                "monthly_usd_start": 10.0,
                "monthly_usd_end": 13.0,
                "stack": [
                    item("api", "fly", "payg", 5.5, 5.0, size="s1", region="sin"),
                    item("db", "neon", "launch", 7.5, 5.0),
                ],
                "triggers": [{"component": "db", "metric": "storage_gb", "at": 40, "at_month": 2.5}],
            },
            {
                "index": 2,
                "from": 40,
                "to": None,
                "to_sweep_end": 100,
                "monthly_usd_start": 22.0,
                "monthly_usd_end": 35.0,
                "stack": [
                    item("api", "fly", "payg", 15.0, 8.0, size="s1", region="sin", quantity=2),
                    item("db", "neon", "scale", 20.0, 14.0),
                ],
                "triggers": [],
            },
        ],
    }


def row(d: dict[str, Any], scale: int) -> dict[str, Any]:
    return next(r for r in d["scales"] if r["scale"] == scale)


def comp(d: dict[str, Any], scale: int, name: str) -> dict[str, Any]:
    return next(c for c in d["components"] if c["scale"] == scale and c["component"] == name)


# --------------------------------------------------------------------------- pure functions
def test_scales_are_the_union_of_phase_starts_stages_and_ends() -> None:
    assert compare_scales(before_doc(), after_doc()) == [10, 40, 50, 100]


def test_cost_at_exact_and_interpolated() -> None:
    b = before_doc()
    c = cost_at(b, 50)
    assert c is not None and c["exact"] and c["monthly_usd"] == 20.0 and c["phase"] == 2
    assert c["stack"]["db"]["plan"] == "scale" and c["stack"]["db"]["monthly_usd"] == 14.0
    c = cost_at(b, 40)  # inside phase 1 (10-49): 10 + 4 * 30/39
    assert c is not None and not c["exact"] and c["monthly_usd"] == pytest.approx(13.0769, abs=1e-4)
    assert c["stack"]["api"]["monthly_usd"] == pytest.approx(5.0 + 30 / 39, abs=1e-4)
    assert cost_at(b, 5) is None and cost_at(b, 101) is None
    # an exact sample wins over interpolation; plan_points give exact totals
    b["samples"] = [{"scale": 40, "monthly_usd": 12.5, "stack": b["phases"][0]["stack"]}]
    c = cost_at(b, 40)
    assert c is not None and c["exact"] and c["monthly_usd"] == 12.5
    b["plan_points"] = [{"scale": 30, "monthly_usd": 11.25}]
    c = cost_at(b, 30)
    assert c is not None and c["exact"] and c["monthly_usd"] == 11.25


def test_diff_by_scale_components_triggers_phases() -> None:
    d = diff_plans(before_doc(), after_doc())
    assert [r["scale"] for r in d["scales"]] == [10, 40, 50, 100]
    r = row(d, 10)
    assert (r["before_usd"], r["after_usd"], r["delta_usd"], r["delta_pct"]) == (10.0, 10.0, 0.0, 0.0)
    r = row(d, 100)
    assert (r["before_usd"], r["after_usd"], r["delta_usd"]) == (30.0, 35.0, 5.0)
    assert r["delta_pct"] == pytest.approx(16.67) and r["exact"]
    assert r["before_phase"] == 2 and r["after_phase"] == 2
    r = row(d, 40)  # before interpolated (13.0769), after exact phase start 22
    assert r["delta_usd"] == pytest.approx(22.0 - 13.0769, abs=1e-4) and not r["exact"]
    assert r["why"] == ["after: phase 2 starts"]
    # api: only the quantity changes at 100 (1 -> 2 instances, $10 -> $15); db: same plan and cost
    api, db = comp(d, 100, "api"), comp(d, 100, "db")
    assert api["change"] == "changed" and api["changed"] == ["quantity"] and api["delta_usd"] == 5.0
    assert db["change"] == "same" and db["delta_usd"] == 0.0
    # at 40 the database has already moved to `scale` after the change, not before it
    db40 = comp(d, 40, "db")
    assert (
        db40["changed"] == ["plan"]
        and db40["before"]["plan"] == "launch"
        and db40["after"]["plan"] == "scale"
    )
    assert db40["after"]["monthly_usd"] == 14.0
    (t,) = d["triggers"]
    assert t["change"] == "earlier" and (t["before_at"], t["after_at"], t["delta_units"]) == (50, 40, -10)
    assert t["delta_months"] == -0.5
    assert [(p["from"], p["change"]) for p in d["phases"]] == [
        (10, "kept"),
        (40, "appeared"),
        (50, "vanished"),
    ]
    s = d["summary"]
    assert s["largest_change"]["scale"] == 40 and s["max_increase"]["scale"] == 40
    assert s["max_decrease"] is None
    assert s["components_changed"] == ["api", "db"]
    assert (s["trigger_moves"], s["phases_appeared"], s["phases_vanished"]) == (1, 1, 1)
    assert s["text"].startswith("Largest monthly change at 40 users: $13.08 -> $22.00 (+$8.92, +68.2%).")


def test_added_and_removed_components_and_scales_outside_one_plan() -> None:
    b, a = before_doc(), after_doc()
    a["scale"] = {"stages": [10, 200], "last": 200}
    a["phases"][1]["to_sweep_end"] = 200
    for ph in a["phases"]:
        ph["stack"].append(item("cache", "upstash", "payg", 2.0, 1.0))
        ph["monthly_usd_start"] += 1.0
        ph["monthly_usd_end"] += 2.0
    d = diff_plans(b, a)
    assert [r["scale"] for r in d["scales"]] == [10, 40, 50, 100, 200]
    r = row(d, 200)
    assert r["before_usd"] is None and r["after_usd"] == 37.0 and r["delta_usd"] is None
    assert d["summary"]["scales_outside"] == 1
    cache = comp(d, 10, "cache")
    assert cache["change"] == "added" and cache["before"] is None and cache["delta_usd"] == 1.0
    assert comp(d, 200, "cache")["change"] == "outside"
    # the reverse diff removes it
    back = diff_plans(a, b)
    assert comp(back, 10, "cache")["change"] == "removed" and comp(back, 10, "cache")["delta_usd"] == -1.0


def test_same_plan_has_no_change() -> None:
    d = diff_plans(before_doc(), before_doc())
    assert all(r["delta_usd"] == 0.0 for r in d["scales"])
    assert d["summary"]["largest_change"] is None and d["summary"]["text"].startswith("No change")
    assert all(t["change"] == "same" for t in d["triggers"])
    md = render_diff_markdown(d)
    assert "**No change in monthly cost at any compared scale.**" in md and "No component changes." in md


def test_different_units_are_an_input_error() -> None:
    a = after_doc()
    a["unit"] = "shop"
    with pytest.raises(InputError) as e:
        diff_plans(before_doc(), a, before_name="main.yaml", after_name="pr.yaml")
    msg = str(e.value)
    assert "pr.yaml" in msg and "scale.unit" in msg and "'shop'" in msg and "'user'" in msg


def test_not_a_plan_is_an_input_error() -> None:
    with pytest.raises(InputError, match="missing 'phases'"):
        diff_plans({"unit": "user"}, after_doc())


def test_markdown_and_terminal() -> None:
    d = diff_plans(before_doc(), after_doc())
    md = render_diff_markdown(d)
    assert md.startswith("### tierplan: hosting cost of Shop\n")
    assert "**Largest monthly change at 40 users: $13.08 → $22.00 (+$8.92, +68.2%).**" in md
    assert "| 100 | $30.00 | $35.00 | +$5.00 (+16.7%) |" in md
    assert "| 10 | $10.00 | $10.00 | $0.00 |" in md
    assert "| ~$13.08 |" in md and "~ interpolated" in md
    assert "<details>" in md and "</details>" in md
    assert "| 100 | api | fly/payg s1 @sin $10.00 | fly/payg s1 x2 @sin $15.00 | +$5.00 |" in md
    assert "- db storage_gb: 50 users -> 40 users (10 users earlier, 0.5 months)" in md
    assert "- phase 2 (after) appeared: 40+ users" in md
    con = Console(record=True, width=140, file=open("/dev/null", "w"))  # noqa: SIM115
    render_diff_terminal(d, con)
    text = con.export_text()
    assert "+$5.00 (+16.7%)" in text and "db storage_gb: 50 users -> 40 users" in text


def test_stack_shaped_input_one_phase_without_breakdown_at_start() -> None:
    """A producer that knows only one phase and end costs (e.g. a priced stack) can be diffed."""
    stack = {
        "unit": "user",
        "phases": [
            {
                "from": 10,
                "to": None,
                "to_sweep_end": 100,
                "monthly_usd_start": 12.0,
                "monthly_usd_end": 12.0,
                "stack": [{"component": "api", "provider": "fly", "plan": "payg", "monthly_usd": 12.0}],
            }
        ],
    }
    d = diff_plans(stack, before_doc())
    assert row(d, 50)["before_usd"] == 12.0 and row(d, 50)["after_usd"] == 20.0
    assert comp(d, 50, "db")["change"] == "added"


# --------------------------------------------------------------------------- CLI
def _plan_json(path: Path, *extra: object) -> dict[str, Any]:
    r = run("plan", path, "--format", "json", *extra)
    assert r.returncode == 0, r.stderr
    doc: dict[str, Any] = json.loads(r.stdout)
    return doc


def test_cli_diff_of_suoops_with_more_emails_and_a_new_stage(tmp_path: Path) -> None:
    src = (EXAMPLES / "suoops.yaml").read_text()
    changed = src.replace("stages: [30, 100, 500]", "stages: [30, 100, 200, 500]").replace(
        "emails_per_user_month: 20", "emails_per_user_month: 40"
    )
    assert changed.count("200, 500") == 1 and "emails_per_user_month: 40" in changed
    after = tmp_path / "suoops-pr.yaml"
    after.write_text(changed)
    pb, pa = _plan_json(EXAMPLES / "suoops.yaml"), _plan_json(after)
    r = run("diff", EXAMPLES / "suoops.yaml", after, "--format", "json")
    assert r.returncode == 0, r.stderr
    d = json.loads(r.stdout)

    want = {ph["from"] for ph in pb["phases"] + pa["phases"]} | {30, 100, 200, 500}
    assert [x["scale"] for x in d["scales"]] == sorted(want)
    # each plan's own figures, exactly as `plan --format json` has them
    for doc, side in ((pb, "before_usd"), (pa, "after_usd")):
        pts = {p["scale"]: p["monthly_usd"] for p in doc["plan_points"]}
        for ph in doc["phases"]:
            pts[ph["from"]] = ph["monthly_usd_start"]
        for x in d["scales"]:
            if x["scale"] in pts:
                assert x[side] == pytest.approx(pts[x["scale"]], abs=1e-4), (side, x["scale"])
    # twice the e-mails outgrow the free e-mail plan earlier: the phase that starts with the paid
    # plan moves from B to A users; in between, e-mail is the only difference
    ta = next(t for ph in pa["phases"] for t in ph["triggers"] if t["component"] == "email")
    tb = next(t for ph in pb["phases"] for t in ph["triggers"] if t["component"] == "email")
    a_at, b_at = ta["at"], tb["at"]
    assert a_at < b_at
    paid = next(
        it for ph in pa["phases"] if ph["from"] == a_at for it in ph["stack"] if it["component"] == "email"
    )
    free = next(it for it in pb["phases"][0]["stack"] if it["component"] == "email")
    assert free["monthly_usd"] == 0.0 and paid["monthly_usd"] > 0
    for x in d["scales"]:
        inside = a_at <= x["scale"] < b_at
        assert x["delta_usd"] == pytest.approx(paid["monthly_usd"] if inside else 0.0, abs=1e-4), x
    changes = [(c["scale"], c["component"]) for c in d["components"] if c["change"] != "same"]
    assert changes == [(x["scale"], "email") for x in d["scales"] if a_at <= x["scale"] < b_at]
    c = next(c for c in d["components"] if c["change"] == "changed")
    assert c["before"]["provider"] == free["provider"] and c["after"]["provider"] == paid["provider"]
    (t,) = [t for t in d["triggers"] if t["change"] != "same"]
    assert (t["component"], t["metric"], t["change"]) == ("email", tb["metric"], "earlier")
    assert t["delta_units"] == a_at - b_at
    moved = [(p["from"], p["change"]) for p in d["phases"] if p["change"] != "kept"]
    assert moved == [(a_at, "appeared"), (b_at, "vanished")]
    assert d["summary"]["largest_change"]["delta_usd"] == pytest.approx(paid["monthly_usd"], abs=1e-4)

    r = run("diff", EXAMPLES / "suoops.yaml", after, "--format", "md")
    assert r.returncode == 0, r.stderr
    assert r.stdout.startswith("### tierplan: hosting cost of SuoOps")
    assert f"+${paid['monthly_usd']:.2f}" in r.stdout and "<details>" in r.stdout
    assert f"email emails_per_day: {b_at} users -> {a_at} users ({b_at - a_at} users earlier)" in r.stdout


def test_cli_diff_text_and_output_file(tmp_path: Path) -> None:
    r = run("diff", APP, APP, "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    assert "No change in monthly cost at any compared scale." in r.stdout
    out = tmp_path / "d.md"
    r = run("diff", APP, APP, "--catalog", TEST_CATALOG, "--format", "md", "-o", out)
    assert r.returncode == 0 and out.read_text().startswith("### tierplan")
    r = run("diff", APP, APP, "--catalog", TEST_CATALOG, "--format", "md", "-o", out, stdin="")
    assert r.returncode == 2 and "--force" in r.stderr


def test_cli_diff_unit_mismatch(tmp_path: Path) -> None:
    other = tmp_path / "other.yaml"
    other.write_text(APP.read_text().replace("unit: shop", "unit: store"))
    r = run("diff", APP, other, "--catalog", TEST_CATALOG)
    assert r.returncode == 2
    assert (
        str(other) in r.stderr and "scale.unit" in r.stderr and "'store'" in r.stderr and "'shop'" in r.stderr
    )


def test_cli_diff_json_has_the_contract_keys_and_exact_figures() -> None:
    """The CLI's JSON is diff_plans over the two plans with exact samples: same keys, no interpolation."""
    r = run("diff", APP, APP, "--catalog", TEST_CATALOG, "--format", "json")
    d = json.loads(r.stdout)
    local = diff_plans(before_doc(), copy.deepcopy(before_doc()))
    assert set(d) == set(local) and set(d["summary"]) == set(local["summary"])
    assert set(d["scales"][0]) == set(local["scales"][0]) and all(x["exact"] for x in d["scales"])
