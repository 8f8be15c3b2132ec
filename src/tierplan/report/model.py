"""Build the plain-data report (the JSON contract) from a sweep or a single point.

Every renderer (terminal, Markdown, HTML, JSON) reads this structure, so they cannot disagree.
Money stays unrounded to 4 decimals here; rounding to cents happens only when presenting.
"""

from __future__ import annotations

from typing import Any

from .. import __version__
from ..clock import today
from ..economics import economics_of, money_at, payment_fees
from ..engine.plan import AtScale
from ..engine.planner import Planner, StackPoint
from ..engine.result import Move, Phase, Plan, Relaxation
from ..metrics import metric_words
from ..pricing import Evaluation
from ..risks import risks_of
from ..units import plural
from ..workload import Demand
from .do_now import do_now
from .economics import economics_dict, point_economics
from .fmt import NEAR_LATENCY_LIMIT
from .fmt import rounded as _r

__all__ = ["plan_report", "point_report", "stack_item", "demand_dict"]


def _date(planner: Planner, units: float | None) -> str | None:
    if units is None:
        return None
    d = planner.date_of(units)
    return d.isoformat()[:7] if d else None


def stack_item(
    planner: Planner, comp: str, ev: Evaluation, point: StackPoint, start_ev: Evaluation | None = None
) -> dict[str, Any]:
    o = ev.option
    kind = planner.profile.components[comp].kind
    item: dict[str, Any] = {
        "component": comp,
        "kind": kind,
        "provider": o.provider,
        "provider_name": o.plan.provider.name,
        "service": o.plan.service.id,
        "plan": o.plan.plan.id,
        "plan_name": o.plan.plan.name,
        "size": o.size.id if o.size else None,
        "single_size": bool(o.plan.plan.instances and len(o.plan.plan.instances.sizes) == 1),
        "region": o.region.id if o.region else None,
        "region_city": o.region.city if o.region else None,
        "latency_ms_estimate": _r(o.latency_ms, 1),
        "quantity": ev.instances,
        "running_hours_per_month": _r(ev.running_hours, 1),
        "monthly_usd": _r(ev.monthly_usd),
        "utilization": {k: _r(min(1.0, max(0.0, v))) for k, v in sorted(ev.utilization.items())},
        "included_used": {k: _r(v) for k, v in sorted(ev.included_used.items())},
        "lines": [
            {
                "name": ln.name,
                "quantity": _r(ln.quantity),
                "unit": ln.unit,
                "monthly_usd": _r(ln.monthly_usd),
                "detail": ln.detail,
                "source": ln.source,
                "as_of": ln.as_of,
            }
            for ln in ev.lines
        ],
        "risks": risks_of(
            ev,
            kind,
            point.context,
            planner.profile.commercial,
            o.latency_ms if o.region else None,
            planner.profile.pubsub_redis(comp),
            planner.profile.redis_components(),
            planner.profile.components[comp].written_for,
        ),
        "addon": o.addon.id if o.addon else None,
        "notes": list(o.attributes.notes),
        "source": o.plan.source,
        "as_of": o.plan.as_of.isoformat(),
    }
    tight = _tightest(ev.utilization)
    item["tightest"] = tight
    if start_ev is not None:
        item["monthly_usd_start"] = _r(start_ev.monthly_usd)
        item["quantity_start"] = start_ev.instances
        item["size_start"] = start_ev.option.size.id if start_ev.option.size else None
    return item


def _tightest(utilization: dict[str, float]) -> dict[str, Any] | None:
    """The fullest capacity or limit of a stack item, named in words ("memory", "log GB per
    month") with its share (0-1)."""
    if not utilization:
        return None
    k = max(utilization, key=lambda m: (utilization[m], m))
    return {"metric": k, "words": metric_words(k), "used": _r(min(1.0, max(0.0, utilization[k])))}


def _catalog_entry(ev: Evaluation) -> dict[str, Any]:
    pref = ev.option.plan
    plan = pref.plan.model_dump(mode="json", exclude_defaults=True, exclude={"instances"})
    if pref.plan.instances is not None and ev.option.size is not None:
        inst = pref.plan.instances.model_dump(mode="json", exclude_defaults=True, exclude={"sizes"})
        inst["sizes"] = [ev.option.size.model_dump(mode="json", exclude_defaults=True)]
        plan["instances"] = inst
    return {
        "key": pref.key,
        "provider": pref.provider.provider,
        "service": pref.service.id,
        "plan": pref.plan.id,
        "region": ev.option.region.id if ev.option.region else None,
        "source": pref.source,
        "as_of": pref.as_of.isoformat(),
        "entry": plan,
    }


def demand_dict(d: Demand) -> dict[str, Any]:
    out: dict[str, Any] = {
        "_globals": {
            k: {"value": _r(f.value, 6), "unit": f.unit, "formula": f.formula} for k, f in d.globals.items()
        }
    }
    for name, c in d.components.items():
        out[name] = {
            k: {
                "value": _r(f.value, 6),
                "unit": f.unit,
                "formula": f.formula,
                "inputs": {a: (_r(v, 6) if isinstance(v, float) else v) for a, v in f.inputs},
            }
            for k, f in c.figures.items()
        }
    return out


def _assumptions(planner: Planner) -> list[dict[str, Any]]:
    return [
        {
            "key": a.key,
            "value": a.value,
            "unit": a.unit,
            "rationale": a.rationale,
            "source": a.source,
            "overridden": a.overridden,
        }
        for a in planner.assumptions.used_entries()
    ]


def _phase_dict(planner: Planner, i: int, ph: Phase) -> dict[str, Any]:
    upu = planner.profile.scale.users_per_unit
    end_units = ph.last_scale
    items = [
        stack_item(planner, c, ev, ph.stack_end, ph.stack_start.choices[c])
        for c, ev in ph.stack_end.choices.items()
    ]
    return {
        "index": i + 1,
        "from": ph.start,
        "to": ph.end,
        "to_sweep_end": end_units,
        "from_users": _r(ph.start * upu, 2),
        "to_users": _r(ph.end * upu, 2) if ph.end is not None else None,
        "from_month": _r(planner.month_of(ph.start), 2),
        "to_month": _r(planner.month_of(ph.end), 2) if ph.end is not None else None,
        "from_date": _date(planner, ph.start),
        "to_date": _date(planner, ph.end) if ph.end is not None else None,
        "monthly_usd_start": _r(ph.monthly_usd_start),
        "monthly_usd_end": _r(ph.monthly_usd_end),
        "usd_per_unit_start": _r(ph.monthly_usd_start / ph.start),
        "usd_per_unit_end": _r(ph.monthly_usd_end / end_units),
        "usd_per_user_start": _r(ph.monthly_usd_start / (ph.start * upu)),
        "usd_per_user_end": _r(ph.monthly_usd_end / (end_units * upu)),
        "stack": items,
        "triggers": [
            {
                "component": t.component,
                "metric": t.metric,
                "limit": _r(t.limit),
                "threshold": _r(t.threshold),
                "used": _r(t.used),
                "at": t.at,
                "at_month": _r(t.month, 2),
                "at_date": _date(planner, t.at),
                "kind": t.kind,
                "message": t.message,
            }
            for t in ph.triggers
        ],
        "watch": [
            {
                "component": w.component,
                "metric": w.metric,
                "limit": _r(w.limit),
                "threshold": _r(w.threshold),
                "at": w.at,
                "at_month": _r(w.month, 2),
            }
            for w in ph.watch
        ],
        "alternatives": _alternatives(ph.stack_end.alternatives),
        "whole_stack": _whole_stack(ph.stack_end),
        "move": _move(ph.move),
        "events": [
            {
                "at": e.at,
                "at_month": _r(e.month, 2),
                "at_date": _date(planner, e.at),
                "component": e.component,
                "kind": e.kind,
                "before": e.before,
                "after": e.after,
                "reason": e.reason,
                "action": e.action,
            }
            for e in ph.events
        ],
    }


def _whole_stack(pt: StackPoint) -> dict[str, Any] | None:
    """Coupled details: end-to-end latency, shared accounts, vendors, private-network traffic."""
    c = pt.coupled
    if not c:
        return None
    members: dict[str, list[str]] = {}
    names: dict[str, str] = {}
    for comp, ev in pt.choices.items():
        if ev.account is not None:
            members.setdefault(ev.account, []).append(comp)
            acct = ev.option.plan.account
            names[ev.account] = f"{ev.option.plan.provider.name} {acct.name if acct else ev.account}"
    return {
        "latency_ms_estimate": {k: _r(v, 1) for k, v in c["latency_ms"].items()},
        "latency_limit_ms": _r(c.get("latency_limit_ms"), 1),
        # web services whose estimate is within 10% of the limit (report/fmt.NEAR_LATENCY_LIMIT)
        "near_latency_limit": sorted(
            w
            for w, v in c["latency_ms"].items()
            if c.get("latency_limit_ms") and v >= NEAR_LATENCY_LIMIT * c["latency_limit_ms"]
        ),
        "latency_legs": {
            w: [{"leg": leg, "round_trip_ms": _r(ms, 1), "per_request": _r(k, 2)} for leg, ms, k in parts]
            for w, parts in c.get("latency_parts", {}).items()
        },
        "accounts": {k: _r(v) for k, v in c["accounts"].items()},
        "shared_accounts": [
            {"account": k, "name": names[k], "monthly_usd": _r(c["accounts"].get(k)), "components": comps}
            for k, comps in sorted(members.items())
        ],
        "vendors": c["vendors"],
        "colocated_with_callers": sorted(c["colocated"]),
        "optimal_here_usd": _r(c.get("optimal_here_usd")),
    }


def _move(m: Move | None) -> dict[str, Any] | None:
    """How this phase was entered: a forced or a voluntary move and what it costs once."""
    if m is None:
        return None
    return {
        "at": m.at,
        "forced": m.forced,
        "components": list(m.components),
        "migration_usd": _r(m.migration_usd),
        "saving_usd_month": _r(m.saving_usd_month),
        "earlier_usd": _r(m.earlier_usd),
        "later_usd": _r(m.later_usd),
        "step": m.step,
        "overhead_hours": _r(m.overhead_hours, 2),
        "moved_ahead": [{"component": c, "would_move_at": u} for c, u in m.ahead],
        # the last phase's stack is chosen to fit up to here (twice its start), or null
        "fits_until": m.lasting,
        "work": [
            {"component": c, "hours": _r(h, 2), "downtime_minutes": _r(mins, 1), "transfer_gb": _r(gb, 2)}
            for c, h, mins, gb in m.detail
        ],
    }


def header(planner: Planner) -> dict[str, Any]:
    p = planner.profile
    return {
        "tierplan_version": __version__,
        "generated": today().isoformat(),
        "app": p.name,
        "unit": p.scale.unit,
        "users_per_unit": p.scale.users_per_unit,
        "commercial": p.commercial,
        "audience": p.audience.shares,
        "headroom": planner.limit_share,
        "catalog_as_of": planner.catalog.as_of.isoformat(),
        "catalog_oldest_as_of": planner.catalog.oldest_as_of.isoformat(),
    }


def _excluded(planner: Planner) -> dict[str, list[dict[str, str]]]:
    return {
        c: [{"plan": ex.plan.key, "reason": ex.reason.message} for ex in co.excluded]
        for c, co in planner.options.items()
    }


def _rejected(planner: Planner, units: int) -> dict[str, list[dict[str, str]]]:
    """Plans priced but not fitting at ``units``, with the reason (why not X?)."""
    return {
        c: [{"plan": k, "reason": r} for k, r in planner.rejected(c, units)]
        for c in planner.profile.components
    }


def plan_report(planner: Planner, sw: Plan) -> dict[str, Any]:
    p = planner.profile
    used: dict[str, Evaluation] = {}
    for ph in sw.phases:
        for st in (ph.stack_start, ph.stack_end):
            for ev in st.choices.values():
                used.setdefault(
                    ev.option.plan.key
                    + (ev.option.size.id if ev.option.size else "")
                    + (ev.option.region.id if ev.option.region else ""),
                    ev,
                )
    budget = p.requirements.budget_usd_month
    doc = header(planner) | {
        "scale": {
            "first": sw.first,
            "last": sw.last,
            "stages": p.scale.stages,
            "growth": p.scale.growth.model_dump(mode="json") if p.scale.growth else None,
        },
        "phases": [_phase_dict(planner, i, ph) for i, ph in enumerate(sw.phases)],
        "optimizer": "per-component analysis" if sw.analysis else "whole-stack",
        "analysis": sw.analysis,
        "points": [
            {
                "scale": pt.scale,
                "users": _r(pt.scale * p.scale.users_per_unit, 2),
                "month": _r(pt.month, 2),
                "monthly_usd": _r(pt.monthly_usd),
            }
            for pt in sw.optimum_points
        ],
        "plan_points": [
            {
                "scale": pt.scale,
                "users": _r(pt.scale * p.scale.users_per_unit, 2),
                "month": _r(pt.month, 2),
                "monthly_usd": _r(pt.monthly_usd),
            }
            for pt in sw.plan_points
        ],
        "migration": p.migration.model_dump(mode="json")
        | {"transfer_usd_per_gb": planner.assumptions["migration.transfer_usd_per_gb"]},
        "budget_usd_month": budget,
        "over_budget": (
            [
                {"phase": i + 1, "from": ph.start, "monthly_usd_end": _r(ph.monthly_usd_end)}
                for i, ph in enumerate(sw.phases)
                if ph.monthly_usd_end > budget + 1e-9
            ]
            if budget is not None
            else []
        ),
        "unpriced": {
            c: sorted({e.option.label for e in planner.unpriced(c, sw.first)})
            for c in p.components
            if planner.unpriced(c, sw.first)
        },
        "demand": {
            f"{sw.first:,} {plural(p.scale.unit)}": demand_dict(planner.explained_demand(sw.first)),
            f"{sw.last:,} {plural(p.scale.unit)}": demand_dict(planner.explained_demand(sw.last)),
        },
        "relaxations": [_relaxation(planner, r) for r in sw.relaxations],
        "economics": economics_dict(
            economics_of(p, sw, planner.catalog.payments), p.scale.unit
        ),
        "excluded": _excluded(planner),
        "rejected_at_start": _rejected(planner, sw.first),
        "rejected_at_end": _rejected(planner, sw.last),
        "assumptions": _assumptions(planner),
        "catalog_entries": [_catalog_entry(e) for e in used.values()],
    }
    doc["do_now"] = do_now(doc)
    return doc


def _relaxation(planner: Planner, r: Relaxation) -> dict[str, Any]:
    """A requirement the profile sets that rules out a substantially cheaper stack (engine/relax.py):
    both stacks' cost at ``at`` and what the cheaper one runs differently."""
    return {
        "requirement": r.requirement,
        "key": r.key,
        "setting": r.setting,
        "at": r.at,
        "at_users": _r(r.at * planner.profile.scale.users_per_unit, 2),
        "monthly_usd": _r(r.monthly_usd),
        "relaxed_monthly_usd": _r(r.relaxed_monthly_usd),
        "saving_usd_month": _r(r.monthly_usd - r.relaxed_monthly_usd),
        "components": dict(r.components),
        "vendors": r.vendors,
        "relaxed_vendors": r.relaxed_vendors,
    }


def _alternatives(alts: dict[str, list[Evaluation]]) -> dict[str, list[dict[str, Any]]]:
    """The next best options of each component (one per plan), as the JSON contract lists them."""
    return {
        c: [
            {
                "provider": e.option.provider,
                "plan": e.option.plan.plan.id,
                "size": e.option.size.id if e.option.size else None,
                "region": e.option.region.id if e.option.region else None,
                "monthly_usd": _r(e.monthly_usd),
            }
            for e in evs
        ]
        for c, evs in alts.items()
    }


def point_report(planner: Planner, pt: StackPoint) -> dict[str, Any]:
    p = planner.profile
    return header(planner) | {
        "scale": pt.scale,
        "users": _r(pt.scale * p.scale.users_per_unit, 2),
        "month": _r(pt.month, 2),
        "date": _date(planner, pt.scale),
        "monthly_usd": _r(pt.monthly_usd),
        "usd_per_unit": _r(pt.monthly_usd / pt.scale),
        "stack": [stack_item(planner, c, ev, pt) for c, ev in pt.choices.items()],
        "alternatives": _alternatives(pt.alternatives),
        "demand": demand_dict(planner.explained_demand(pt.scale)),
        "excluded": _excluded(planner),
        "rejected": _rejected(planner, pt.scale),
        "assumptions": _assumptions(planner),
        "catalog_entries": [_catalog_entry(e) for e in pt.choices.values()],
    }


def at_report(planner: Planner, at: AtScale) -> dict[str, Any]:
    """`plan --at N`: the plan's stack at N first (its phase, stack and cost: top-level `stack`,
    `monthly_usd`, `phase`), then the fresh-start optimum (`optimum`) and why they differ."""
    shown = at.planned if at.planned is not None else at.optimum
    doc = point_report(planner, shown)
    doc["phase"] = at.phase
    doc["optimum"] = {
        "monthly_usd": _r(at.optimum.monthly_usd),
        "usd_per_unit": _r(at.optimum.monthly_usd / at.units),
        "stack": [stack_item(planner, c, ev, at.optimum) for c, ev in at.optimum.choices.items()],
        "differs": list(at.differs),
        "move_usd": _r(at.move_usd) if at.differs else None,
        "saving_usd_month": _r(at.saving_usd_month) if at.differs else None,
        "why": at.why,
    }
    doc["catalog_entries"] = [
        _catalog_entry(e) for e in {**at.optimum.choices, **shown.choices}.values()
    ]
    p = planner.profile
    fees = payment_fees(p, planner.catalog.payments)
    doc["economics"] = point_economics(
        money_at(p, shown, fees), p.revenue.currency if p.revenue else "USD", p.revenue is not None
    )
    return doc
