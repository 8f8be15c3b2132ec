"""`tierplan audit stack.yaml`: what an existing stack really costs, where it breaks, what it could cost.

A stack file says what runs today: per component the provider, plan, size, quantity and region,
optionally the monthly price the owner believes they pay, plus the workload (a profile file, or
inline). The audit prices each line from the catalog for that workload at the stack's scale
(pricing.evaluate, with the stack's own instance count), compares it with the stated price, finds
the limits the workload exceeds now or at a later scale (exact unit by bisection: demand never falls
as scale grows), plan attributes that contradict the use, capacity bought far beyond the demand,
and the optimal stack for the same workload with the monthly and yearly saving.
"""

from __future__ import annotations

import dataclasses
import math
import os
from pathlib import Path
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
    model_validator,
)

from ..catalog.loader import Catalog, PlanRef
from ..engine.planner import Planner
from ..errors import InputError, Problem
from ..geo import audience_rtt_ms
from ..options import static_reasons
from ..pricing import Evaluation, Option, evaluate
from ..profile import Profile, load_profile, parse_profile
from ..report.fmt import money, money_range
from ..units import plural
from ..validation import problems_from
from ..yamlio import LineMap, load_yaml
from .stack_headline import HeadlinePolicy, stack_headline

__all__ = ["StackFile", "StackLine", "load_stack", "audit_stack", "stack_planner"]

Usd = Annotated[float, Field(ge=0, le=10_000_000)]


def _low_high(v: Any) -> Any:
    """A stated [low, high] range must not run backwards."""
    if isinstance(v, tuple) and v[0] > v[1]:
        raise ValueError(f"a range is [low, high]: {v[0]:g} is above {v[1]:g}")
    return v


StatedUsd = Annotated[Usd | tuple[Usd, Usd] | None, AfterValidator(_low_high)]


class StackLine(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    provider: str
    plan: str
    service: str | None = None
    size: str | None = None
    region: str | None = None
    quantity: Annotated[int, Field(ge=1, le=1000)] = 1
    #: what the owner believes it costs a month: a figure, or a [low, high] range
    stated_usd: StatedUsd = None
    note: str | None = None


class StackFile(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    name: str
    #: the workload: a profile file (relative to the stack file) ...
    profile: Annotated[str, Field(min_length=1)] | None = None
    #: ... or the profile inline
    workload: dict[str, Any] | None = None
    #: the scale the stack serves today (profile units); default: the profile's first stage
    at: Annotated[int, Field(ge=1)] | None = None
    stated_total_usd: StatedUsd = None
    components: dict[str, StackLine]
    #: the file's line map (set by load_stack), for problems found after validation
    _lines: LineMap | None = PrivateAttr(default=None)

    @model_validator(mode="after")
    def _one_workload(self) -> StackFile:
        if (self.profile is None) == (self.workload is None):
            raise ValueError("give the workload as either `profile: FILE` or `workload: {...}`, not both")
        return self


def load_stack(path: Path | str) -> tuple[StackFile, Profile, str]:
    """Read and validate a stack file and its workload; InputError names file, key path and line."""
    data, lines = load_yaml(path, what="stack file")
    try:
        stack = StackFile.model_validate(data)
    except ValidationError as e:
        raise InputError(path, problems_from(e, lines, data=data)) from None
    if stack.profile is not None:
        ppath = Path(os.path.normpath(Path(path).parent / stack.profile))
        where = lines.locate("profile")
        if not ppath.exists():
            raise InputError(path, [Problem("profile", f"profile file {str(ppath)!r} does not exist", where)])
        if ppath.is_dir():
            raise InputError(
                path, [Problem("profile", f"{str(ppath)!r} is a directory, expected a profile file", where)]
            )
        profile = load_profile(ppath)
        stack._lines = lines
        return stack, profile, str(ppath)
    assert stack.workload is not None
    sub = {k[1:]: v for k, v in lines.items() if k[:1] == ("workload",)}
    try:
        profile = parse_profile(stack.workload, path, sub)
    except InputError as e:
        raise e.located(path, "workload", lines.locate) from None
    stack._lines = lines
    return stack, profile, str(path)


def stack_planner(
    stack: StackFile, profile: Profile, path: str, catalog: Catalog, profile_path: str
) -> Planner:
    """A planner for the workload, with the stack file checked against the profile and catalog."""
    from ..api import make_planner

    probs: list[Problem] = []
    for comp in stack.components:
        if comp not in profile.components:
            probs.append(
                Problem(
                    f"components.{comp}", f"not a component of the profile ({', '.join(profile.components)})"
                )
            )
    for comp, line in stack.components.items():
        probs += _line_problems(catalog, comp, line, profile)
    if stack.at is not None and not profile.scale.first <= stack.at <= profile.scale.last:
        probs.append(
            Problem(
                "at", f"{stack.at} is outside the profile's scale {profile.scale.first}-{profile.scale.last}"
            )
        )
    locate = stack._lines.locate if stack._lines is not None else None
    if probs:
        raise InputError(path, probs).located(line_of=locate)
    if profile_path == path:  # an inline workload: its problems are the stack file's, under `workload`
        planner = make_planner(profile, catalog, path=path, lines=stack._lines, key_prefix="workload")
    else:
        planner = make_planner(profile, catalog, path=profile_path)
    planner.path = profile_path
    return planner


def _plan_ref(catalog: Catalog, line: StackLine, kind: str) -> PlanRef | None:
    """The catalog plan of a stack line: provider, plan id (and service id) that host this kind."""
    for p in catalog.plans_for(kind):
        if (
            p.provider.provider == line.provider
            and p.plan.id == line.plan
            and line.service in (None, p.service.id)
        ):
            return p
    return None


def _line_problems(catalog: Catalog, comp: str, line: StackLine, profile: Profile) -> list[Problem]:
    key = f"components.{comp}"
    prov = catalog.providers.get(line.provider)
    if prov is None:
        return [
            Problem(
                f"{key}.provider",
                f"unknown provider {line.provider!r} (known: {', '.join(sorted(catalog.providers))})",
            )
        ]
    if comp not in profile.components:
        return []
    kind = profile.components[comp].kind
    pref = _plan_ref(catalog, line, kind)
    if pref is None:
        known = sorted(
            {
                f"{p.plan.id} ({p.service.id})"
                for p in catalog.plans_for(kind)
                if p.provider.provider == line.provider
            }
        )
        svc = f" in service {line.service!r}" if line.service else ""
        return [
            Problem(
                f"{key}.plan",
                f"{line.provider} has no plan {line.plan!r}{svc} for a {kind} "
                f"(its plans for a {kind}: {', '.join(known) or 'none'})",
            )
        ]
    out = []
    sizes = pref.plan.instances.sizes if pref.plan.instances else ()
    if line.size is not None and line.size not in {s.id for s in sizes}:
        out.append(
            Problem(
                f"{key}.size",
                f"{line.plan} has no size {line.size!r} (sizes: {', '.join(s.id for s in sizes) or 'none'})",
            )
        )
    if line.size is None and sizes:
        out.append(
            Problem(
                f"{key}.size", f"{line.plan} is sold in sizes; give one of: {', '.join(s.id for s in sizes)}"
            )
        )
    regions = pref.regions
    if line.region is not None and regions is not None and line.region not in {r.id for r in regions}:
        out.append(
            Problem(
                f"{key}.region",
                f"{line.plan} is not sold in {line.region!r} (regions: {', '.join(r.id for r in regions)})",
            )
        )
    if line.region is None and regions is not None:
        out.append(
            Problem(
                f"{key}.region",
                f"{line.plan} runs in a region; give one of: {', '.join(r.id for r in regions)}",
            )
        )
    return out


# --------------------------------------------------------------------------- evaluation
def _option(planner: Planner, comp: str, line: StackLine) -> Option:
    pref = _plan_ref(planner.catalog, line, planner.profile.components[comp].kind)
    assert pref is not None
    size = next(
        (s for s in (pref.plan.instances.sizes if pref.plan.instances else ()) if s.id == line.size), None
    )
    region = next((r for r in (pref.regions or ()) if r.id == line.region), None)
    a = planner.assumptions
    lat = (
        audience_rtt_ms(planner.profile.audience.shares, region.lat, region.lon, a)
        if region is not None
        else a["latency.edge_rtt_ms"]
    )
    return Option(pref, size, region, lat)


def _evaluate(
    planner: Planner, comp: str, opt: Option, units: int, quantity: int | None = None
) -> Evaluation:
    d = planner.demand(units).components[comp]
    if quantity is not None and opt.size is not None:
        d = dataclasses.replace(d, capacity=dataclasses.replace(d.capacity, min_instances=quantity))
    return evaluate(opt, d, planner.context(units))


def _first_unfit(planner: Planner, comp: str, opt: Option, lo: int, hi: int, quantity: int) -> int | None:
    """First scale in (lo, hi] where the option no longer fits (None: fits throughout)."""
    if _evaluate(planner, comp, opt, hi, quantity).feasible:
        return None
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if _evaluate(planner, comp, opt, mid, quantity).feasible:
            lo = mid
        else:
            hi = mid
    return hi


def _smaller_fits(planner: Planner, comp: str, opt: Option, u: int, below_usd: float) -> Evaluation | None:
    """The cheapest size of the same provider service (any of its plans, same region) that fits the
    workload and the requirements for less than ``below_usd``; None if there is none."""
    kind = planner.profile.components[comp].kind
    best: Evaluation | None = None
    for pref in planner.catalog.plans_for(kind):
        if pref.provider is not opt.plan.provider or pref.service.id != opt.plan.service.id:
            continue
        if not pref.plan.available or pref.plan.instances is None:
            continue
        regions = pref.regions
        if opt.region is not None and (regions is None or opt.region not in regions):
            continue
        for size in pref.plan.instances.sizes:
            if pref is opt.plan and size.id == (opt.size.id if opt.size else None):
                continue
            e = _evaluate(planner, comp, Option(pref, size, opt.region, opt.latency_ms), u)
            if e.feasible and e.monthly_usd is not None and e.monthly_usd < below_usd:
                if best is None or e.monthly_usd < (best.monthly_usd or 0.0):
                    best = e
    return best


def _stated(v: float | tuple[float, float] | None) -> tuple[float, float] | None:
    if v is None:
        return None
    return (v, v) if isinstance(v, (int, float)) else (float(v[0]), float(v[1]))


def _lines_json(ev: Evaluation) -> list[dict[str, Any]]:
    return [
        {
            "name": ln.name,
            "quantity": round(ln.quantity, 4),
            "unit": ln.unit,
            "monthly_usd": None if ln.monthly_usd is None else round(ln.monthly_usd, 4),
            "detail": ln.detail,
            "source": ln.source,
            "as_of": str(ln.as_of),
        }
        for ln in ev.lines
    ]


def _units_label(planner: Planner, u: int) -> str:
    p = planner.profile
    m = planner.demand(u).month
    when = f" (month {m:.1f})" if m is not None else ""
    return f"{u:,} {plural(p.scale.unit)}{when}"


def audit_stack(planner: Planner, stack: StackFile, path: str) -> dict[str, Any]:
    """The audit as plain data (the JSON contract of `tierplan audit --format json`)."""
    from ..engine.plan import optimum_at
    from ..report.model import point_report

    p = planner.profile
    a = planner.assumptions
    u = stack.at or p.scale.first
    last = p.scale.last
    tol_usd = a["audit.price_tolerance_usd"]
    tol_frac = a["audit.price_tolerance_fraction"]
    findings: list[dict[str, Any]] = []
    rows: list[dict[str, Any]] = []

    def find(kind: str, comp: str | None, message: str, **extra: Any) -> None:
        findings.append({"kind": kind, "component": comp, "message": message, **extra})

    for comp in p.components:
        if comp not in stack.components:
            find("missing", comp, f"{comp}: in the profile but not in the stack file; not priced")
    # each line priced twice: with the instances the workload needs, and as the stack runs it
    evaluated: dict[str, tuple[Option, Evaluation, Evaluation]] = {}
    for comp, line in stack.components.items():
        opt = _option(planner, comp, line)
        need = _evaluate(planner, comp, opt, u)
        as_run = _evaluate(planner, comp, opt, u, line.quantity) if opt.size is not None else need
        evaluated[comp] = (opt, need, as_run)
    evs = {comp: ev for comp, (_o, _n, ev) in evaluated.items()}
    accounts = _accounts(evs)
    for comp, line in stack.components.items():
        opt, need, ev = evaluated[comp]
        kind = p.components[comp].kind
        d = planner.demand(u).components[comp]
        src, as_of = opt.plan.source, str(opt.plan.as_of)
        # attributes that contradict the use (commercial use, card, runtime, persistence, ...)
        for r in static_reasons(opt.plan, p, comp, d.capacity, kind):
            find("attribute", comp, f"{comp} on {opt.label}: {r.message}", source=src, as_of=as_of)
        for r in ev.reasons:
            if r.kind in ("attribute", "requirement"):
                find("attribute", comp, f"{comp} on {opt.label}: {r.message}", source=src, as_of=as_of)
            else:
                find(
                    "limit_exceeded",
                    comp,
                    f"{comp} on {opt.label} at {_units_label(planner, u)}: {r.message}",
                    metric=r.metric,
                    limit=r.limit,
                    used=r.used,
                    at=u,
                    source=src,
                    as_of=as_of,
                )
        if opt.size is not None and need.instances > line.quantity:
            find(
                "limit_exceeded",
                comp,
                f"{comp}: needs {need.instances} x {opt.size.id} at {_units_label(planner, u)} with "
                f"{planner.limit_share:.0%} headroom; the stack runs {line.quantity}",
                at=u,
                source=src,
                as_of=as_of,
            )
        # limits ahead: the first unit where the line stops fitting, within the profile's scale
        if ev.feasible and u < last:
            first = _first_unfit(planner, comp, opt, u, last, max(line.quantity, need.instances))
            if first is not None:
                why = _evaluate(planner, comp, opt, first, max(line.quantity, need.instances)).reasons
                msg = why[0].message if why else "no longer fits"
                find(
                    "limit_ahead",
                    comp,
                    f"{comp} on {opt.label}: from {_units_label(planner, first)}: {msg}",
                    at=first,
                    month=planner.demand(first).month,
                    metric=why[0].metric if why else None,
                    source=src,
                    as_of=as_of,
                )
        # region far from the audience
        if opt.region is not None and opt.plan.regions:
            best = min(opt.plan.regions, key=lambda r: audience_rtt_ms(p.audience.shares, r.lat, r.lon, a))
            best_ms = audience_rtt_ms(p.audience.shares, best.lat, best.lon, a)
            if opt.latency_ms - best_ms > a["audit.region_extra_ms"]:
                find(
                    "region",
                    comp,
                    f"{comp} in {opt.region.id} ({opt.region.city}): ~{opt.latency_ms:.0f} ms round trip to the "
                    f"audience; {best.id} ({best.city}) on the same plan: ~{best_ms:.0f} ms",
                )
        # over-provisioning: instances or a size far beyond the demand with headroom
        if opt.size is not None and ev.feasible and ev.monthly_usd is not None:
            extra = line.quantity - need.instances
            if extra > 0 and need.monthly_usd is not None:
                find(
                    "overprovisioned",
                    comp,
                    f"{comp}: {line.quantity} x {opt.size.id} where {need.instances} fit with headroom: "
                    f"{money(ev.monthly_usd - need.monthly_usd)}/month for unused instances",
                    monthly_usd=round(ev.monthly_usd - need.monthly_usd, 2),
                )
            util = max(ev.utilization.values(), default=1.0)
            smaller = _smaller_fits(planner, comp, opt, u, (need.monthly_usd or 0.0) - tol_usd)
            if smaller is not None and util < a["audit.overprovisioned_utilization"]:
                assert smaller.option.size is not None and smaller.monthly_usd is not None
                other = "" if smaller.option.plan is opt.plan else f" on {smaller.option.plan.plan.name}"
                find(
                    "overprovisioned",
                    comp,
                    f"{comp}: {opt.size.id} is at most {util:.0%} used; {smaller.instances} x "
                    f"{smaller.option.size.id}{other} fits with headroom for {money(smaller.monthly_usd)}/month "
                    f"instead of {money(ev.monthly_usd)}",
                    monthly_usd=round(ev.monthly_usd - smaller.monthly_usd, 2),
                )
        stated = _stated(line.stated_usd)
        diff = None
        if stated is not None and ev.monthly_usd is not None:
            lo, hi = stated
            if ev.monthly_usd < lo - max(tol_usd, tol_frac * lo) or ev.monthly_usd > hi + max(
                tol_usd, tol_frac * hi
            ):
                mid = (lo + hi) / 2
                diff = round(ev.monthly_usd - mid, 2)
                find(
                    "price_mismatch",
                    comp,
                    f"{comp}: stated {money_range(*stated)}/month; the catalog gives {money(ev.monthly_usd)} for "
                    f"{line.quantity if opt.size else ''}{' x ' + opt.size.id if opt.size else opt.label} at "
                    f"{_units_label(planner, u)}{_shared_fee(ev, accounts)}",
                    stated_usd=list(stated),
                    monthly_usd=round(ev.monthly_usd, 2),
                    source=src,
                    as_of=as_of,
                )
        if ev.monthly_usd is None:
            find(
                "unpriced",
                comp,
                f"{comp} on {opt.label}: the catalog has no price for part of this use",
                source=src,
                as_of=as_of,
            )
        rows.append(
            {
                "component": comp,
                "kind": kind,
                "provider": opt.provider,
                "plan": opt.plan.plan.id,
                "plan_name": opt.plan.plan.name,
                "size": opt.size.id if opt.size else None,
                "region": opt.region.id if opt.region else None,
                "quantity": line.quantity,
                "instances_needed": need.instances if opt.size else None,
                # the line's cost as if it ran alone on its account plan (fee included)
                "monthly_usd": None if ev.monthly_usd is None else round(ev.monthly_usd, 2),
                "account": ev.account,
                # an unpriced line: what the catalog does price of it (its lines with a price)
                "priced_part_monthly_usd": None
                if ev.monthly_usd is not None
                else round(sum(ln.monthly_usd for ln in ev.lines if ln.monthly_usd is not None), 2),
                "stated_usd": list(stated) if stated else None,
                "difference_usd": diff,
                "fits": ev.feasible,
                "utilization": {k: round(v, 4) for k, v in ev.utilization.items()},
                "lines": _lines_json(ev),
                "source": src,
                "as_of": as_of,
            }
        )
    total, account_note = _stack_total(evs)
    account_rows = _split_total(rows, evs, accounts, total)
    stated_total = _stated(stack.stated_total_usd)
    if stated_total is None and all(line.stated_usd is not None for line in stack.components.values()):
        parts = [_stated(line.stated_usd) for line in stack.components.values()]
        stated_total = (sum(x[0] for x in parts if x), sum(x[1] for x in parts if x))
    if stated_total is not None and total is not None:
        lo, hi = stated_total
        if total < lo - max(tol_usd, tol_frac * lo) or total > hi + max(tol_usd, tol_frac * hi):
            find(
                "price_mismatch",
                None,
                f"total: stated {money_range(*stated_total)}/month; the lines recomputed from the catalog add up to "
                f"{money(total)}"
                + (
                    f" plus unpriced parts of {', '.join(c for c, e in evs.items() if e.monthly_usd is None)}"
                    if any(e.monthly_usd is None for e in evs.values())
                    else ""
                ),
                stated_usd=list(stated_total),
                monthly_usd=round(total, 2),
            )
    optimal = None
    try:
        pt = optimum_at(planner, u)
        rep = point_report(planner, pt)
        optimal = {
            "monthly_usd": rep["monthly_usd"],
            "stack": [
                {
                    k: it.get(k)
                    for k in ("component", "provider", "plan", "size", "region", "quantity", "monthly_usd")
                }
                for it in rep["stack"]
            ],
        }
    except Exception as e:  # noqa: BLE001 - an infeasible workload: report why instead of an optimum
        from ..errors import InfeasibleError

        if not isinstance(e, InfeasibleError):
            raise
        find("infeasible", None, f"no stack in the catalog fits this workload at {u:,}: {e}")
    plan_usd = None
    if optimal is not None:
        from ..engine.plan import plan as make_plan
        from ..engine.result import StackDoesNotFit

        try:
            plan_usd = round(make_plan(planner).stack_at(u).monthly_usd, 2)
        except (StackDoesNotFit, ValueError):
            plan_usd = None
    saving = None
    if optimal is not None and total is not None:
        # compared on the components the stack file has and prices (the optimum's cost allocated
        # to them): an unpriced line counts nothing in the stack's total, so it must count nothing
        # in the optimum's either
        priced = {c for c, e in evs.items() if e.monthly_usd is not None}
        same = sum(
            it["monthly_usd"] or 0.0
            for it in optimal["stack"]
            if it["component"] in stack.components and it["component"] in priced
        )
        optimal["monthly_usd_same_components"] = round(same, 2)
        saving = round(total - same, 2)
    move_usd = payback = None
    if optimal is not None and saving is not None:
        # the one-time cost of moving the stack's priced components to the optimum (engineering
        # hours, transfer and downtime, as a plan's moves are priced), and the months the saving
        # takes to repay it
        from ..engine.moves import migration_between

        usd, _moved = migration_between(
            planner,
            {c: e for c, e in evs.items() if e.monthly_usd is not None},
            {c: e for c, e in pt.choices.items() if c in evs and evs[c].monthly_usd is not None},
            u,
        )
        move_usd = round(usd, 2)
        payback = round(usd / saving, 1) if saving > 0 else None
    doc = {
        "stack": stack.name,
        "file": path,
        "profile": planner.path,
        "app": p.name,
        "unit": p.scale.unit,
        "at": u,
        "month": planner.demand(u).month,
        "catalog_as_of": str(planner.catalog.as_of),
        "components": rows,
        "monthly_usd": None if total is None else round(total, 2),
        "unpriced": [c for c, e in evs.items() if e.monthly_usd is None],
        "accounts": account_rows,
        "stated_total_usd": list(stated_total) if stated_total else None,
        "account_note": account_note,
        "findings": findings,
        "optimal": optimal,
        "fresh_start": True,
        "plan_monthly_usd": plan_usd,
        "saving_monthly_usd": saving,
        "saving_yearly_usd": None if saving is None else round(12 * saving, 2),
        "move_usd": move_usd,
        "payback_months": payback,
    }
    policy = HeadlinePolicy(
        far_factor=a["audit.stated_far_factor"],
        far_min_usd=a["audit.stated_far_min_usd_month"],
        tolerance_usd=tol_usd,
        tolerance_fraction=tol_frac,
        saving_min_usd=p.migration.min_saving_usd_month,
        saving_min_fraction=p.migration.min_saving_fraction,
    )
    # the headline first: what matters most, then the figures it comes from
    return {"headline": stack_headline(doc, policy), **doc}


@dataclasses.dataclass(frozen=True)
class AccountCost:
    """An account plan the stack's priced lines run on (a Railway workspace, Workers Paid): its fee
    (and seats), paid once, and the usage of its lines that its credit applies to."""

    account: str  # provider/account plan id
    name: str  # "Railway Pro workspace"
    components: tuple[str, ...]
    fee_usd: float
    usage_usd: float
    credit_usd: float

    @property
    def monthly_usd(self) -> float:
        """What the account adds to the stack's bill beyond its lines' own costs."""
        return self.fee_usd + max(0.0, self.usage_usd - self.credit_usd)

    @property
    def shown(self) -> bool:
        """Shown as a row of its own: several lines share its fee or its credit (a line alone on
        its account carries the whole account cost)."""
        return len(self.components) > 1 and (self.fee_usd > 0 or self.credit_usd > 0)


def _accounts(evs: dict[str, Evaluation]) -> dict[str, AccountCost]:
    """The accounts of the priced lines, each with its fee once and its lines' usage."""
    members: dict[str, list[Evaluation]] = {}
    for e in evs.values():
        if e.monthly_usd is not None and e.account is not None:
            members.setdefault(e.account, []).append(e)
    out = {}
    for acct, ms in members.items():
        plan = ms[0].option.plan
        a = plan.account
        out[acct] = AccountCost(
            acct,
            f"{plan.provider.name} {a.name if a is not None else acct}",
            tuple(m.component for m in ms),
            ms[0].account_fixed_usd,
            sum(m.account_credit_base_usd for m in ms),
            a.usage_credit_usd_month if a is not None else 0.0,
        )
    return out


def _in_total(e: Evaluation, accounts: dict[str, AccountCost]) -> float | None:
    """What a line adds to the stack's total beside the account rows: its cost outside the account
    and its usage beyond its share of the account's credit (the credit is shared in proportion to
    usage); a line alone on its account carries the whole account cost."""
    if e.monthly_usd is None or e.account is None or not accounts[e.account].shown:
        return e.monthly_usd
    a = accounts[e.account]
    own = e.own_usd or 0.0
    if a.usage_usd <= 0:
        return own
    return own + e.account_credit_base_usd * (1 - min(a.credit_usd, a.usage_usd) / a.usage_usd)


def _shared_fee(ev: Evaluation, accounts: dict[str, AccountCost]) -> str:
    """How a line priced alone counts an account fee that other lines of the stack share."""
    a = accounts.get(ev.account or "")
    if a is None or not a.shown:
        return ""
    others = [c for c in a.components if c != ev.component]
    return (
        f", counting the whole {money(a.fee_usd)} fee of the {a.account} account, which "
        f"{_and(others)} {'shares' if len(others) == 1 else 'share'}"
    )


def _and(names: list[str]) -> str:
    """a; a and b; a, b and c."""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _split_total(
    rows: list[dict[str, Any]],
    evs: dict[str, Evaluation],
    accounts: dict[str, AccountCost],
    total: float | None,
) -> list[dict[str, Any]]:
    """Each row's part of the stack's total (``in_total_monthly_usd``: its own cost, without the fee
    of an account it shares) and the shared accounts as rows of their own, rounded to cents so
    that the rows and the accounts add up to the total. Sets the rows' fields; returns the accounts."""
    shown = [a for a in accounts.values() if a.shown]
    parts = {r["component"]: _in_total(evs[r["component"]], accounts) for r in rows}
    priced = [c for c, v in parts.items() if v is not None]
    # a shown account's row is its fee: its credit is shared by its lines' usage (_in_total)
    exact = [parts[c] or 0.0 for c in priced] + [a.fee_usd for a in shown]
    cents = cents_adding_up(exact, total) if total is not None else [round(v, 2) for v in exact]
    in_total = dict(zip(priced, cents[: len(priced)], strict=True))
    for r in rows:
        e = evs[r["component"]]
        member = e.account is not None and accounts[e.account].shown and e.monthly_usd is not None
        r["in_total_monthly_usd"] = in_total.get(r["component"])
        r["account_usage_monthly_usd"] = round(e.account_credit_base_usd, 2) if member else None
        # its usage is all within the credit of the account's fee: the line adds nothing of its own
        r["in_account_fee"] = bool(member and in_total[r["component"]] == 0)
    return [
        {
            "account": a.account,
            "name": a.name,
            "components": list(a.components),
            "fee_monthly_usd": round(a.fee_usd, 2),
            "usage_monthly_usd": round(a.usage_usd, 2),
            "credit_monthly_usd": round(a.credit_usd, 2),
            "monthly_usd": usd,
        }
        for a, usd in zip(shown, cents[len(priced) :], strict=True)
    ]


def _stack_total(evs: dict[str, Evaluation]) -> tuple[float | None, str | None]:
    """The stack's monthly cost with each account plan paid once: the components' own costs plus,
    per account, its fixed fee and the usage beyond its credit."""
    accounts = _accounts(evs)
    total = sum(
        e.monthly_usd if e.account is None else (e.own_usd or 0.0)
        for e in evs.values()
        if e.monthly_usd is not None
    )
    total += sum(a.monthly_usd for a in accounts.values())
    notes = [
        f"{a.account}: fee {money(a.fee_usd)} paid once for {', '.join(a.components)}"
        + (f"; usage {money(a.usage_usd)} against a {money(a.credit_usd)} credit" if a.credit_usd else "")
        for a in accounts.values()
        if a.shown
    ]
    if math.isnan(total):
        return None, None
    return total, "; ".join(notes) or None


def cents_adding_up(values: list[float], total: float) -> list[float]:
    """``values`` (which add up to ``total``) rounded to cents so that they add up to ``total``
    rounded to cents: each rounded down, the cents left over go to the largest remainders."""
    cents = [v * 100 for v in values]
    down = [math.floor(c + 1e-9) for c in cents]
    left = round(total * 100) - sum(down)
    order = sorted(range(len(values)), key=lambda i: down[i] - cents[i])
    for i in order[: max(0, left)]:
        down[i] += 1
    for i in order[::-1][: max(0, -left)]:  # float noise only: values that add up to less
        down[i] -= 1
    return [d / 100 for d in down]


# --------------------------------------------------------------------------- as a plan (for diff)
def is_stack_file(data: Any) -> bool:
    """A stack file names a provider per component; a profile names a kind."""
    comps = data.get("components") if isinstance(data, dict) else None
    return isinstance(comps, dict) and any(isinstance(c, dict) and "provider" in c for c in comps.values())


def stack_sample(planner: Planner, stack: StackFile, u: int) -> dict[str, Any]:
    """The stack's lines priced at scale u (its own instance counts), in diff's sample shape."""
    evs: dict[str, Evaluation] = {}
    items = []
    for comp, line in stack.components.items():
        opt = _option(planner, comp, line)
        ev = _evaluate(planner, comp, opt, u, line.quantity if opt.size is not None else None)
        evs[comp] = ev
        items.append(
            {
                "component": comp,
                "provider": opt.provider,
                "provider_name": opt.plan.provider.name,
                "plan": opt.plan.plan.id,
                "plan_name": opt.plan.plan.name,
                "size": opt.size.id if opt.size else None,
                "region": opt.region.id if opt.region else None,
                "quantity": max(line.quantity, ev.instances) if opt.size is not None else line.quantity,
                "monthly_usd": None if ev.monthly_usd is None else round(ev.monthly_usd, 4),
            }
        )
    total, _note = _stack_total(evs)
    m = planner.demand(u).month
    return {
        "scale": u,
        "month": None if m is None else round(m, 2),
        "monthly_usd": round(total or 0.0, 4),
        "stack": items,
    }


def stack_plan_doc(planner: Planner, stack: StackFile) -> dict[str, Any]:
    """A stack as a one-phase plan-like dict (diff.py's input): the same lines at every scale from
    the stack's own scale to the last one where every line still fits."""
    p = planner.profile
    u = stack.at or p.scale.first
    s = stack_sample(planner, stack, u)
    # the stack as it is stops at the first scale where one of its lines no longer fits
    end = p.scale.last
    for comp, line in stack.components.items():
        opt = _option(planner, comp, line)
        if u < end:
            first = _first_unfit(planner, comp, opt, u, end, line.quantity)
            if first is not None:
                end = max(u, first - 1)
    return {
        "app": p.name,
        "unit": p.scale.unit,
        "users_per_unit": p.scale.users_per_unit,
        "catalog_as_of": str(planner.catalog.as_of),
        "scale": {"stages": [u]},
        "phases": [
            {
                "from": u,
                "to": None,
                "to_sweep_end": end,
                "monthly_usd_start": s["monthly_usd"],
                "monthly_usd_end": s["monthly_usd"],
                "stack": [dict(it, monthly_usd_start=it["monthly_usd"]) for it in s["stack"]],
                "triggers": [],
            }
        ],
    }
