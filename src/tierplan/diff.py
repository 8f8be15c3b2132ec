"""`tierplan diff`: compare two plans scale by scale (pure functions over plain dicts).

The input of :func:`diff_plans` is a *plan-like dict*: the JSON contract of `tierplan plan
--format json` (report/model.py), of which only these keys are read::

    unit                      the scale unit (required; both sides must use the same one)
    app, users_per_unit,      labels (optional)
    catalog_as_of
    scale: {stages: [...]}    the profile's stages (optional)
    phases: [                 (required, in scale order)
      {from, to,              to is null for the last phase
       to_sweep_end,          optional: the last scale the last phase was planned to
       monthly_usd_start, monthly_usd_end,
       stack: [{component, provider, plan, size, region, quantity, monthly_usd,
                monthly_usd_start}],   size/region/quantity/monthly_usd_start optional
       triggers: [{component, metric, at, at_month, kind}]}]   at_month/kind optional
    plan_points: [{scale, monthly_usd}]          optional: exact totals along the scale
    samples: [{scale, month, monthly_usd,         optional: the planned stack priced exactly
               stack: [{component, provider, plan, size, region, quantity, monthly_usd}]}]

Anything that can produce this shape can be diffed: a saved plan, or (later) a stack file
priced over a scale range as one phase. Costs at a scale come from `samples` first, then the
phase's start and end and `plan_points` (all exact); anything else is interpolated linearly
within the phase and marked ``exact: false``. The CLI adds exact `samples` at every compared
scale (api.plan_samples), so its figures are never interpolated.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InputError, Problem
from .report.fmt import rounded as _r
from .units import plural

__all__ = [
    "DIFF_VERSION",
    "IDENTITY",
    "check_units",
    "compare_scales",
    "cost_at",
    "diff_plans",
    "plan_scales",
    "render_diff_markdown",
    "render_diff_terminal",
]

DIFF_VERSION = 1
#: what identifies a component's choice; a change of any of these is a change of stack
IDENTITY = ("provider", "plan", "size", "region", "quantity")
CENT = 0.005

Doc = Mapping[str, Any]


def _check_doc(doc: Doc, name: str) -> None:
    if not isinstance(doc, Mapping):
        raise InputError(name, "expected a plan (a mapping with `unit` and `phases`)")
    missing = [k for k in ("unit", "phases") if k not in doc]
    if missing:
        raise InputError(name, f"not a plan: missing {', '.join(map(repr, missing))}")
    for i, ph in enumerate(doc["phases"]):
        for k in ("from", "monthly_usd_start", "monthly_usd_end", "stack"):
            if k not in ph:
                raise InputError(name, f"not a plan: phases[{i}] has no {k!r}")


# --------------------------------------------------------------------------- scales
def _phase_end(doc: Doc, i: int) -> int | None:
    """The last scale of phase i (None: open-ended, nothing known after its start)."""
    ph = doc["phases"][i]
    if ph.get("to") is not None:
        return int(ph["to"])
    if ph.get("to_sweep_end") is not None:
        return int(ph["to_sweep_end"])
    last = (doc.get("scale") or {}).get("last") if isinstance(doc.get("scale"), Mapping) else None
    return int(last) if last is not None else None


def _phase_index(doc: Doc, scale: int) -> int | None:
    for i, ph in enumerate(doc["phases"]):
        end = _phase_end(doc, i)
        if ph["from"] <= scale and (end is None or scale <= end):
            return i
    return None


def plan_scales(doc: Doc) -> dict[int, list[str]]:
    """The scales a plan itself marks: phase starts, its stages, the end of its sweep -> why."""
    out: dict[int, list[str]] = {}
    for i, ph in enumerate(doc["phases"]):
        out.setdefault(int(ph["from"]), []).append(f"phase {ph.get('index', i + 1)} starts")
    scale = doc.get("scale")
    stages = scale.get("stages") if isinstance(scale, Mapping) else None
    for s in stages or []:
        out.setdefault(int(s), []).append("stage")
    if doc["phases"]:
        end = _phase_end(doc, len(doc["phases"]) - 1)
        if end is not None:
            out.setdefault(end, []).append("end")
    return out


def compare_scales(before: Doc, after: Doc) -> list[int]:
    """The union of both plans' phase starts, stages and sweep ends, ascending."""
    return sorted(set(plan_scales(before)) | set(plan_scales(after)))


# --------------------------------------------------------------------------- cost at a scale
def _items(stack: Iterable[Mapping[str, Any]], cost_key: str = "monthly_usd") -> dict[str, dict[str, Any]]:
    out = {}
    for it in stack:
        d = {k: it.get(k) for k in IDENTITY}
        if d["quantity"] is None:
            d["quantity"] = 1
        d["monthly_usd"] = _r(it.get(cost_key))
        for k in ("provider_name", "plan_name"):
            if it.get(k) is not None:
                d[k] = it[k]
        out[str(it["component"])] = d
    return out


def _known(doc: Doc, i: int) -> list[tuple[int, float, dict[str, dict[str, Any]] | None, float | None]]:
    """Exact figures inside phase i: (scale, total, items or None, month), ascending, one per scale."""
    ph = doc["phases"][i]
    start, end = int(ph["from"]), _phase_end(doc, i)
    inside = lambda s: start <= s and (end is None or s <= end)  # noqa: E731
    found: dict[int, tuple[int, float, dict[str, dict[str, Any]] | None, float | None]] = {}
    for p in doc.get("plan_points") or []:
        if inside(int(p["scale"])):
            found[int(p["scale"])] = (int(p["scale"]), float(p["monthly_usd"]), None, p.get("month"))
    has_start = all("monthly_usd_start" in it for it in ph["stack"])
    found[start] = (
        start,
        float(ph["monthly_usd_start"]),
        _items(ph["stack"], "monthly_usd_start") if has_start else None,
        ph.get("from_month"),
    )
    if end is not None:
        found[end] = (end, float(ph["monthly_usd_end"]), _items(ph["stack"]), ph.get("to_month"))
    for smp in doc.get("samples") or []:
        s = int(smp["scale"])
        if inside(s):
            found[s] = (s, float(smp["monthly_usd"]), _items(smp["stack"]), smp.get("month"))
    return [found[k] for k in sorted(found)]


def _lerp(s: int, a: tuple[int, float], b: tuple[int, float]) -> float:
    if b[0] == a[0]:
        return a[1]
    return a[1] + (b[1] - a[1]) * (s - a[0]) / (b[0] - a[0])


def cost_at(doc: Doc, scale: int) -> dict[str, Any] | None:
    """The plan's monthly cost at ``scale``: ``{scale, phase, monthly_usd, month, exact, stack}``
    (stack: component -> provider/plan/size/region/quantity/monthly_usd), or None when the
    scale is outside the plan."""
    i = _phase_index(doc, scale)
    if i is None:
        return None
    ph = doc["phases"][i]
    known = _known(doc, i)
    hit = next((k for k in known if k[0] == scale), None)
    below = [k for k in known if k[0] <= scale]
    above = [k for k in known if k[0] >= scale]
    lo = below[-1] if below else known[0]
    hi = above[0] if above else known[-1]
    if hit is not None:
        total, exact, month = hit[1], True, hit[3]
    else:
        total, exact = _lerp(scale, lo[:2], hi[:2]), False
        month = None
    # per component: the nearest figures that have a breakdown
    with_items = [k for k in known if k[2] is not None]
    if hit is not None and hit[2] is not None:
        stack = {c: dict(v) for c, v in hit[2].items()}
        items_exact = True
    else:
        items_exact = False
        ib = [k for k in with_items if k[0] <= scale]
        ia = [k for k in with_items if k[0] >= scale]
        base = ib[-1] if ib else (ia[0] if ia else None)
        top = ia[0] if ia else base
        stack = {}
        if base is not None and top is not None:
            assert base[2] is not None and top[2] is not None
            for c, v in base[2].items():
                d = dict(v)
                other = top[2].get(c)
                if other is not None and v["monthly_usd"] is not None and other["monthly_usd"] is not None:
                    d["monthly_usd"] = _r(
                        _lerp(scale, (base[0], v["monthly_usd"]), (top[0], other["monthly_usd"]))
                    )
                stack[c] = d
        else:  # no breakdown at all: the phase's stack, costs unknown
            stack = {c: v | {"monthly_usd": None} for c, v in _items(ph["stack"]).items()}
    return {
        "scale": scale,
        "phase": ph.get("index", i + 1),
        "monthly_usd": _r(total),
        "month": _r(month, 2) if month is not None else None,
        "exact": exact,
        "stack_exact": items_exact,
        "stack": stack,
    }


# --------------------------------------------------------------------------- the diff
def _delta(a: float | None, b: float | None) -> tuple[float | None, float | None]:
    if a is None or b is None:
        return None, None
    d = round(b - a, 4)
    pct = round(100.0 * d / a, 2) if abs(a) > 1e-9 else None
    return d, pct


def _side(doc: Doc, label: str) -> dict[str, Any]:
    phases = doc["phases"]
    return {
        "label": label,
        "app": doc.get("app"),
        "users_per_unit": doc.get("users_per_unit"),
        "catalog_as_of": doc.get("catalog_as_of"),
        "first": phases[0]["from"] if phases else None,
        "last": _phase_end(doc, len(phases) - 1) if phases else None,
        "phases": len(phases),
    }


def _component_rows(scale: int, b: dict[str, Any] | None, a: dict[str, Any] | None) -> list[dict[str, Any]]:
    bs = b["stack"] if b else {}
    as_ = a["stack"] if a else {}
    names = list(bs) + [c for c in as_ if c not in bs]
    rows = []
    for c in names:
        x, y = bs.get(c), as_.get(c)
        if b is None or a is None:
            change = "outside"  # one plan does not reach this scale
            fields: list[str] = []
        elif x is None:
            change, fields = "added", list(IDENTITY)
        elif y is None:
            change, fields = "removed", list(IDENTITY)
        else:
            fields = [k for k in IDENTITY if x.get(k) != y.get(k)]
            change = "changed" if fields else "same"
        d, pct = _delta(
            (x or {}).get("monthly_usd") if x is not None else (0.0 if b is not None else None),
            (y or {}).get("monthly_usd") if y is not None else (0.0 if a is not None else None),
        )
        rows.append(
            {
                "scale": scale,
                "component": c,
                "change": change,
                "changed": fields,
                "before": x,
                "after": y,
                "delta_usd": d,
                "delta_pct": pct,
            }
        )
    return rows


def _trigger_rows(before: Doc, after: Doc) -> list[dict[str, Any]]:
    def collect(doc: Doc) -> dict[tuple[str, str], list[Mapping[str, Any]]]:
        out: dict[tuple[str, str], list[Mapping[str, Any]]] = {}
        for ph in doc["phases"]:
            for t in ph.get("triggers") or []:
                out.setdefault((str(t["component"]), str(t["metric"])), []).append(t)
        return out

    tb, ta = collect(before), collect(after)
    rows = []
    for key in list(tb) + [k for k in ta if k not in tb]:
        xs, ys = tb.get(key, []), ta.get(key, [])
        for n in range(max(len(xs), len(ys))):
            x = xs[n] if n < len(xs) else None
            y = ys[n] if n < len(ys) else None
            bat: Any = x["at"] if x else None
            aat: Any = y["at"] if y else None
            bm = x.get("at_month") if x else None
            am = y.get("at_month") if y else None
            if x is None:
                change = "added"
            elif y is None:
                change = "removed"
            else:
                change = "earlier" if aat < bat else "later" if aat > bat else "same"
            rows.append(
                {
                    "component": key[0],
                    "metric": key[1],
                    "kind": (y or x or {}).get("kind"),
                    "change": change,
                    "before_at": bat,
                    "after_at": aat,
                    "delta_units": aat - bat if x is not None and y is not None else None,
                    "before_month": bm,
                    "after_month": am,
                    "delta_months": _r(am - bm, 2) if bm is not None and am is not None else None,
                }
            )
    return rows


def _phase_rows(before: Doc, after: Doc) -> list[dict[str, Any]]:
    def brief(doc: Doc, i: int) -> dict[str, Any]:
        ph = doc["phases"][i]
        return {
            "index": ph.get("index", i + 1),
            "from": ph["from"],
            "to": ph.get("to"),
            "monthly_usd_start": _r(ph["monthly_usd_start"]),
            "monthly_usd_end": _r(ph["monthly_usd_end"]),
        }

    pb = {int(ph["from"]): i for i, ph in enumerate(before["phases"])}
    pa = {int(ph["from"]): i for i, ph in enumerate(after["phases"])}
    rows = []
    for s in sorted(set(pb) | set(pa)):
        x = brief(before, pb[s]) if s in pb else None
        y = brief(after, pa[s]) if s in pa else None
        change = "vanished" if y is None else "appeared" if x is None else "kept"
        rows.append({"from": s, "change": change, "before": x, "after": y})
    return rows


def _label(scale: int, unit: str) -> str:
    from .report.fmt import units_label

    return units_label(scale, unit)


def check_units(before_unit: str, after_unit: str, before_name: str, after_name: str) -> None:
    """Plans are compared scale by scale, so both must count the same thing."""
    if before_unit != after_unit:
        raise InputError(
            after_name,
            [
                Problem(
                    "scale.unit",
                    f"the scale unit {after_unit!r} differs from {before_unit!r} in {before_name}; "
                    "plans can only be compared on the same scale unit",
                )
            ],
            hint="use the same `scale.unit` in both profiles",
        )


def diff_plans(
    before: Doc,
    after: Doc,
    *,
    before_name: str = "before",
    after_name: str = "after",
    scales: Iterable[int] | None = None,
) -> dict[str, Any]:
    """Compare two plan-like dicts (see the module docstring) at the union of their phase starts,
    stages and sweep ends (or ``scales``). Raises InputError when the scale units differ.

    The result is the `tierplan diff --format json` contract (docs/audit.md, "## diff")."""
    _check_doc(before, before_name)
    _check_doc(after, after_name)
    check_units(str(before["unit"]), str(after["unit"]), before_name, after_name)
    unit = str(before["unit"])
    why_b, why_a = plan_scales(before), plan_scales(after)
    xs = sorted(set(scales)) if scales is not None else compare_scales(before, after)
    rows: list[dict[str, Any]] = []
    comps: list[dict[str, Any]] = []
    for s in xs:
        b, a = cost_at(before, s), cost_at(after, s)
        bu = b["monthly_usd"] if b else None
        au = a["monthly_usd"] if a else None
        d, pct = _delta(bu, au)
        why = [f"before: {w}" for w in why_b.get(s, [])] + [f"after: {w}" for w in why_a.get(s, [])]
        rows.append(
            {
                "scale": s,
                "label": _label(s, unit),
                "why": why,
                "before_usd": bu,
                "after_usd": au,
                "delta_usd": d,
                "delta_pct": pct,
                "before_phase": b["phase"] if b else None,
                "after_phase": a["phase"] if a else None,
                "before_month": b["month"] if b else None,
                "after_month": a["month"] if a else None,
                "exact": bool((b is None or b["exact"]) and (a is None or a["exact"])),
            }
        )
        comps += _component_rows(s, b, a)
    triggers = _trigger_rows(before, after)
    phases = _phase_rows(before, after)
    compared = [r for r in rows if r["delta_usd"] is not None]
    largest = max(compared, key=lambda r: (abs(r["delta_usd"]), -r["scale"]), default=None)
    up = max(compared, key=lambda r: (r["delta_usd"], -r["scale"]), default=None)
    down = min(compared, key=lambda r: (r["delta_usd"], r["scale"]), default=None)

    def pick(r: dict[str, Any] | None, keep: bool = True) -> dict[str, Any] | None:
        if r is None or not keep:
            return None
        return {k: r[k] for k in ("scale", "label", "before_usd", "after_usd", "delta_usd", "delta_pct")}

    changed = [c for c in comps if c["change"] in ("added", "removed", "changed")]
    moved = [t for t in triggers if t["change"] != "same"]
    summary = {
        "largest_change": pick(largest, largest is not None and abs(largest["delta_usd"]) >= CENT),
        "max_increase": pick(up, up is not None and up["delta_usd"] >= CENT),
        "max_decrease": pick(down, down is not None and down["delta_usd"] <= -CENT),
        "scales_compared": len(compared),
        "scales_outside": len(rows) - len(compared),
        "component_changes": len(changed),
        "components_changed": sorted({c["component"] for c in changed}),
        "trigger_moves": len(moved),
        "phases_appeared": sum(p["change"] == "appeared" for p in phases),
        "phases_vanished": sum(p["change"] == "vanished" for p in phases),
    }
    summary["text"] = _summary_text(summary, unit)
    return {
        "diff_version": DIFF_VERSION,
        "unit": unit,
        "before": _side(before, before_name),
        "after": _side(after, after_name),
        "summary": summary,
        "scales": rows,
        "phases": phases,
        "components": comps,
        "triggers": triggers,
    }


def _signed(x: float | None) -> str:
    from .report.fmt import money

    if x is None:
        return "—"
    if abs(x) < CENT:
        return "$0.00"
    return ("+" if x > 0 else "") + money(x)


def _pct(p: float | None) -> str:
    if p is None:
        return ""
    return f" ({'+' if p > 0 else ''}{p:.1f}%)"


def change_cell(d: float | None, p: float | None) -> str:
    """'+$6.70 (+54.0%)', '$0.00' (no change), '—' (not comparable)."""
    if d is None:
        return "—"
    return _signed(d) + (_pct(p) if abs(d) >= CENT else "")


def change_text(r: Mapping[str, Any]) -> str:
    """'at 200 users: $12.40 -> $19.10 (+$6.70, +54.0%)' for a scale row (or a summary pick)."""
    from .report.fmt import money

    if r["delta_usd"] is None:
        return (
            f"at {r['label']}: {money(r['before_usd']) if r['before_usd'] is not None else '—'} -> "
            + (f"{money(r['after_usd'])}" if r["after_usd"] is not None else "—")
            + " (outside one plan's scale range)"
        )
    pct = f", {'+' if r['delta_pct'] > 0 else ''}{r['delta_pct']:.1f}%" if r["delta_pct"] is not None else ""
    return (
        f"at {r['label']}: {money(r['before_usd'])} -> {money(r['after_usd'])} "
        f"({_signed(r['delta_usd'])}{pct})"
    )


def _plural(n: int, word: str, verb: str, verb_s: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''} {verb_s if n == 1 else verb}"


def counts_text(s: Mapping[str, Any]) -> str:
    """'2 components change (db, email); 1 trigger moves; 1 phase appears' (empty: nothing)."""
    parts = []
    n = len(s["components_changed"])
    if n:
        parts.append(
            _plural(n, "component", "change", "changes") + f" ({', '.join(s['components_changed'])})"
        )
    if s["trigger_moves"]:
        parts.append(_plural(s["trigger_moves"], "trigger", "move", "moves"))
    if s["phases_appeared"]:
        parts.append(_plural(s["phases_appeared"], "phase", "appear", "appears"))
    if s["phases_vanished"]:
        parts.append(_plural(s["phases_vanished"], "phase", "vanish", "vanishes"))
    return "; ".join(parts)


def _summary_text(s: Mapping[str, Any], unit: str) -> str:
    big = s["largest_change"]
    head = (
        f"Largest monthly change {change_text(big)}"
        if big
        else "No change in monthly cost at any compared scale"
    )
    counts = counts_text(s)
    return head + "." + (f" {counts[0].upper()}{counts[1:]}." if counts else "")


# --------------------------------------------------------------------------- presentation
def choice_label(it: Mapping[str, Any] | None) -> str:
    """'railway/hobby shared-2x 2x @ams' for a component's choice (ids: short and unambiguous)."""
    if it is None:
        return "—"
    s = f"{it.get('provider')}/{it.get('plan')}"
    if it.get("size") and it.get("size") != it.get("plan"):
        s += f" {it['size']}"
    if (it.get("quantity") or 1) > 1:
        s += f" x{it['quantity']}"
    if it.get("region"):
        s += f" @{it['region']}"
    return s


def _trigger_text(t: Mapping[str, Any], unit: str) -> str:
    name = f"{t['component']} {t['metric']}"
    if t["change"] == "added":
        return f"{name}: new, at {_label(t['after_at'], unit)}"
    if t["change"] == "removed":
        return f"{name}: gone (was at {_label(t['before_at'], unit)})"
    du = abs(t["delta_units"])
    s = (
        f"{name}: {_label(t['before_at'], unit)} -> {_label(t['after_at'], unit)} "
        f"({du:,} {unit}{'s' if du != 1 else ''} {t['change']}"
    )
    if t["delta_months"] is not None:
        dm = abs(t["delta_months"])
        s += f", {dm:g} month{'s' if dm != 1 else ''}"
    return s + ")"


def _view(d: Mapping[str, Any]) -> dict[str, Any]:
    """What the renderers show: only what changed."""
    unit = d["unit"]
    comps = [
        c
        for c in d["components"]
        if c["change"] in ("added", "removed", "changed")
        or (c["delta_usd"] is not None and abs(c["delta_usd"]) >= CENT)
    ]
    return {
        "components": comps,
        "triggers": [_trigger_text(t, unit) for t in d["triggers"] if t["change"] != "same"],
        "phases": [p for p in d["phases"] if p["change"] != "kept"],
    }


def _phase_text(p: Mapping[str, Any], unit: str) -> str:
    side = p["after"] if p["change"] == "appeared" else p["before"]
    to = side["to"]
    rng = f"{p['from']:,}–{to:,} {plural(unit)}" if to is not None else f"{p['from']:,}+ {plural(unit)}"
    who = "after" if p["change"] == "appeared" else "before"
    return f"phase {side['index']} ({who}) {p['change']}: {rng}"


def render_diff_markdown(d: Mapping[str, Any]) -> str:
    """A compact pull-request comment (templates/diff.md.j2)."""
    from .templates_env import environment

    env = environment()
    v = _view(d)
    return env.get_template("diff.md.j2").render(
        d=d,
        view=v,
        phases=[_phase_text(p, d["unit"]) for p in v["phases"]],
        counts=counts_text(d["summary"]),
        signed=_signed,
        change=change_cell,
        change_text=change_text,
        choice=choice_label,
    )


def render_diff_terminal(d: Mapping[str, Any], con: Any) -> None:
    """The diff on a rich console."""
    from rich.markup import escape

    from .report.console import Table
    from .report.fmt import money

    unit = d["unit"]
    b, a = d["before"], d["after"]
    title = b["app"] if b["app"] == a["app"] else f"{b['app']} -> {a['app']}"
    con.print(f"[bold]Cost diff: {escape(title)}[/] ({escape(b['label'])} -> {escape(a['label'])})")
    con.print(d["summary"]["text"], markup=False)
    t = Table(header_style="bold", box=None, pad_edge=False)
    t.add_column(f"{plural(unit)}", justify="right")
    t.add_column("before", justify="right")
    t.add_column("after", justify="right")
    t.add_column("change", justify="right")
    t.add_column("phase", justify="right")
    for r in d["scales"]:
        mark = "" if r["exact"] else "~"
        t.add_row(
            f"{r['scale']:,}",
            mark + (money(r["before_usd"]) if r["before_usd"] is not None else "—"),
            mark + (money(r["after_usd"]) if r["after_usd"] is not None else "—"),
            change_cell(r["delta_usd"], r["delta_pct"]),
            f"{r['before_phase'] or '—'} -> {r['after_phase'] or '—'}",
        )
    con.print(t)
    v = _view(d)
    if v["components"]:
        ct = Table(title="components", title_justify="left", header_style="bold", box=None, pad_edge=False)
        for col, just in (
            ("at", "right"),
            ("component", "left"),
            ("before", "left"),
            ("after", "left"),
            ("change", "right"),
        ):
            ct.add_column(col, justify=just)  # type: ignore[arg-type]
        for c in v["components"]:
            bx, ax = c["before"], c["after"]
            ct.add_row(
                f"{c['scale']:,}",
                c["component"],
                f"{choice_label(bx)} {money(bx['monthly_usd'])}" if bx else "—",
                f"{choice_label(ax)} {money(ax['monthly_usd'])}" if ax else "—",
                _signed(c["delta_usd"]),
            )
        con.print(ct)
    if v["triggers"]:
        con.print("[bold]triggers[/]")
        for s in v["triggers"]:
            con.print(f"  {s}", markup=False)
    if v["phases"]:
        con.print("[bold]phases[/]")
        for p in v["phases"]:
            con.print(f"  {_phase_text(p, unit)}", markup=False)
