"""`tierplan check`: a cost policy gate for CI (pure functions over the plan's JSON contract).

A policy (from policy.yaml and/or flags) sets any of: a monthly budget (one figure, or one per
stage), the largest allowed increase against a base profile (percent or USD), the largest age of
the catalog entries the plan uses, and providers whose stale entries are ignored. :func:`evaluate`
returns the violations; the CLI exits 4 (:data:`EXIT_POLICY`) when there is any.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from .diff import CENT, change_text, cost_at
from .errors import InfeasibleError, InputError, Problem
from .report.fmt import money, units_label
from .units import plural
from .validation import problems_from
from .yamlio import load_yaml

__all__ = [
    "EXIT_POLICY",
    "Increase",
    "Policy",
    "Violation",
    "CheckResult",
    "budget_scales",
    "check_budget",
    "check_increase",
    "check_requirements",
    "check_stale",
    "evaluate",
    "infeasible_violation",
    "load_policy",
    "parse_increase",
    "policy_json",
]

#: exit code of `tierplan check` when the policy is violated (2: bad input, 3: infeasible)
EXIT_POLICY = 4


# --------------------------------------------------------------------------- the policy
@dataclass(frozen=True)
class Increase:
    """The largest allowed increase of the monthly cost at any compared scale."""

    percent: float | None = None
    usd: float | None = None

    def __str__(self) -> str:
        return f"{self.percent:g}%" if self.percent is not None else money(self.usd)

    def exceeded(self, before: float, after: float) -> bool:
        d = after - before
        if d < CENT:
            return False
        if self.usd is not None:
            return d > self.usd + CENT
        assert self.percent is not None
        if before <= 1e-9:
            return True  # from free to paid: any increase is infinitely many percent
        return 100.0 * d / before > self.percent + 1e-9


_NUM = r"\d+(?:\.\d*)?|\.\d+"


#: an increase (USD or percent) beyond this is surely a typo
MAX_INCREASE = 1_000_000_000


def _amount(v: float) -> float:
    if v != v or v in (float("inf"), float("-inf")):
        raise ValueError("must be a finite number")
    if v < 0:
        raise ValueError("must not be negative")
    if v > MAX_INCREASE:
        raise ValueError(f"must be at most {MAX_INCREASE:,}")
    return float(v)


def parse_increase(v: Any) -> Increase:
    """'10%' -> 10 percent; 5, '5', '$5', '5 usd' -> 5 USD. ValueError otherwise."""
    if isinstance(v, Increase):
        return v
    if isinstance(v, bool) or v is None:
        raise ValueError("expected a percent like '10%' or an amount in USD like 5")
    if isinstance(v, int | float):
        return Increase(usd=_amount(v))
    s = str(v).strip().lower()
    m = re.fullmatch(rf"({_NUM})\s*%", s)
    if m:
        return Increase(percent=_amount(float(m.group(1))))
    m = re.fullmatch(rf"\$?\s*({_NUM})\s*(?:usd|\$)?", s)
    if m:
        return Increase(usd=_amount(float(m.group(1))))
    raise ValueError(f"{v!r} is neither a percent like '10%' nor an amount in USD like 5")


Usd = Annotated[float, Field(ge=0, le=1e12)]


class Ignore(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    #: providers whose stale catalog entries do not fail the check
    stale: list[str] = Field(default_factory=list)


class Policy(BaseModel):
    """policy.yaml. Every key is optional; CLI flags override them."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    #: monthly budget: one figure for every scale, or {stage: budget} from that stage on
    budget_usd: Usd | dict[Annotated[int, Field(ge=1)], Usd] | None = None
    #: the largest increase against the base profile (--against): '10%' or USD
    max_increase: Increase | None = None
    #: catalog entries used by the plan may be at most this many days old
    max_catalog_age_days: Annotated[int, Field(ge=0, le=36_500)] | None = None
    ignore: Ignore = Field(default_factory=Ignore)

    @field_validator("max_increase", mode="before")
    @classmethod
    def _increase(cls, v: Any) -> Any:
        return None if v is None else parse_increase(v)

    @field_validator("budget_usd", mode="before")
    @classmethod
    def _budget(cls, v: Any) -> Any:
        if isinstance(v, dict) and not v:
            raise ValueError("give at least one stage and its budget")
        return v

    def merged(
        self,
        budget_usd: float | None = None,
        max_increase: Increase | None = None,
        max_catalog_age_days: int | None = None,
    ) -> Policy:
        """This policy with the flags that were given (flags win)."""
        upd: dict[str, Any] = {}
        if budget_usd is not None:
            upd["budget_usd"] = budget_usd
        if max_increase is not None:
            upd["max_increase"] = max_increase
        if max_catalog_age_days is not None:
            upd["max_catalog_age_days"] = max_catalog_age_days
        return self.model_copy(update=upd)


def _allowed() -> dict[tuple[Any, ...], list[str]]:
    return {(): list(Policy.model_fields), ("ignore",): list(Ignore.model_fields)}


def parse_policy(
    data: Any, path: Path | str = "<policy>", lines: Mapping[tuple[Any, ...], int] | None = None
) -> Policy:
    try:
        return Policy.model_validate(data)
    except ValidationError as e:
        raise InputError(
            path, problems_from(e, lines if lines is not None else {}, _allowed(), data=data)
        ) from None


def load_policy(path: Path | str) -> Policy:
    """Read and validate policy.yaml; raise InputError naming file, key path and line."""
    data, lines = load_yaml(path, what="policy file")
    return parse_policy(data, path, lines)


def check_ignored_providers(policy: Policy, known: Iterable[str], path: Path | str) -> None:
    """Names under ignore.stale must be catalog providers (a typo would silently ignore nothing)."""
    known = sorted(known)
    probs = []
    for i, n in enumerate(policy.ignore.stale):
        if n not in known:
            near = difflib.get_close_matches(n, known, n=1)
            probs.append(
                Problem(
                    f"ignore.stale[{i}]",
                    f"unknown provider {n!r} ({f'did you mean {near[0]!r}?' if near else 'known: ' + ', '.join(known)})",
                )
            )
    if probs:
        raise InputError(path, probs)


# --------------------------------------------------------------------------- violations
@dataclass
class Violation:
    rule: str  # budget | increase | stale | infeasible | requirement
    message: str
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"rule": self.rule, "message": self.message, **self.details}


def _range(ph: Mapping[str, Any], end: int, unit: str) -> str:
    if ph.get("to") is None:
        return f"{ph['from']:,}–{end:,} {plural(unit)}" if end != ph["from"] else units_label(ph["from"], unit)
    return f"{ph['from']:,}–{ph['to']:,} {plural(unit)}" if ph["to"] != ph["from"] else units_label(ph["from"], unit)


def _end(ph: Mapping[str, Any]) -> int:
    return int(ph["to"] if ph.get("to") is not None else ph.get("to_sweep_end", ph["from"]))


def _brackets(budget: float | Mapping[int, float]) -> list[tuple[int, int | None, float]]:
    """(from, to or None, budget): a single budget covers everything; a stage map covers each
    stage up to the next (below the first stage, the first stage's budget)."""
    if not isinstance(budget, Mapping):
        return [(1, None, float(budget))]
    keys = sorted(budget)
    out = []
    for i, k in enumerate(keys):
        lo = 1 if i == 0 else k
        hi = keys[i + 1] - 1 if i + 1 < len(keys) else None
        out.append((lo, hi, float(budget[k])))
    return out


def _checkpoints(
    doc: Mapping[str, Any], budget: float | Mapping[int, float]
) -> list[tuple[int, int, float, int]]:
    """(phase position, scale, budget, bracket start): the highest scale of each phase inside each
    budget bracket (costs never fall inside a phase, so that is where it costs most)."""
    out = []
    for i, ph in enumerate(doc["phases"]):
        start, end = int(ph["from"]), _end(ph)
        for lo, hi, b in _brackets(budget):
            if (hi is not None and hi < start) or lo > end:
                continue
            out.append((i, end if hi is None else min(end, hi), b, lo))
    return out


def budget_scales(doc: Mapping[str, Any], policy: Policy) -> list[int]:
    """Scales where the budget check needs the exact cost (the CLI prices them: api.plan_samples)."""
    if policy.budget_usd is None:
        return []
    return sorted({s for _, s, _, _ in _checkpoints(doc, policy.budget_usd)})


def _exact_points(doc: Mapping[str, Any], ph: Mapping[str, Any]) -> list[tuple[int, float]]:
    start, end = int(ph["from"]), _end(ph)
    pts = {start: float(ph["monthly_usd_start"]), end: float(ph["monthly_usd_end"])}
    for p in list(doc.get("plan_points") or []) + list(doc.get("samples") or []):
        if start <= p["scale"] <= end:
            pts[int(p["scale"])] = float(p["monthly_usd"])
    return sorted(pts.items())


def check_budget(doc: Mapping[str, Any], budget: float | Mapping[int, float]) -> list[Violation]:
    """A phase that costs more than the budget (per stage bracket for a stage map): which phase,
    at which scale, the cost, the budget, and the components that cost most there."""
    unit = doc["unit"]
    out = []
    for i, scale, b, lo in _checkpoints(doc, budget):
        ph = doc["phases"][i]
        c = cost_at(doc, scale)
        if c is None or c["monthly_usd"] is None or c["monthly_usd"] <= b + CENT:
            continue
        top = sorted(
            ((n, it) for n, it in c["stack"].items() if it.get("monthly_usd")),
            key=lambda x: -float(x[1]["monthly_usd"]),
        )[:3]
        first = next(((s, u) for s, u in _exact_points(doc, ph) if s <= scale and u > b + CENT), None)
        which = f"phase {ph.get('index', i + 1)} ({_range(ph, _end(ph), unit)})"
        stage = (
            f" (the budget from {units_label(lo, unit)})" if isinstance(budget, Mapping) and lo > 1 else ""
        )
        msg = (
            f"{which} costs {money(c['monthly_usd'])}/month at {units_label(scale, unit)}, over the budget of "
            f"{money(b)}/month{stage}"
        )
        if first is not None and first[0] < scale:
            msg += f"; already {money(first[1])} at {units_label(first[0], unit)}"
        if top:
            msg += "; largest: " + ", ".join(f"{n} {money(it['monthly_usd'])}" for n, it in top)
        out.append(
            Violation(
                "budget",
                msg,
                {
                    "phase": ph.get("index", i + 1),
                    "scale": scale,
                    "monthly_usd": c["monthly_usd"],
                    "budget_usd": b,
                    "first_over_at": first[0] if first else scale,
                    "largest": [{"component": n, "monthly_usd": it["monthly_usd"]} for n, it in top],
                },
            )
        )
    return out


def check_increase(diff: Mapping[str, Any], limit: Increase) -> list[Violation]:
    """Each compared scale where the cost rises more than allowed against the base."""
    out = []
    for r in diff["scales"]:
        if r["delta_usd"] is None:
            continue
        if limit.exceeded(r["before_usd"], r["after_usd"]):
            out.append(
                Violation(
                    "increase",
                    f"cost rises {change_text(r)}, more than the allowed {limit}",
                    {
                        "scale": r["scale"],
                        "before_usd": r["before_usd"],
                        "after_usd": r["after_usd"],
                        "delta_usd": r["delta_usd"],
                        "delta_pct": r["delta_pct"],
                        "allowed": str(limit),
                    },
                )
            )
    return out


def _oldest_as_of(e: Mapping[str, Any]) -> dt.date:
    dates = [e["as_of"]]
    entry = e.get("entry") or {}
    dates += [m["as_of"] for m in entry.get("meters", []) if m.get("as_of")]
    dates += [s["as_of"] for s in (entry.get("instances") or {}).get("sizes", []) if s.get("as_of")]
    return min(dt.date.fromisoformat(str(d)[:10]) for d in dates)


def check_stale(
    doc: Mapping[str, Any], max_age_days: int, today: dt.date, ignore: Iterable[str] = ()
) -> list[Violation]:
    """Catalog entries the plan uses whose price (plan, meter or size) is older than the limit."""
    skip = set(ignore)
    used: dict[str, set[str]] = {}
    for ph in doc["phases"]:
        for it in ph["stack"]:
            used.setdefault(f"{it['provider']}/{it.get('service')}/{it['plan']}", set()).add(it["component"])
    oldest: dict[str, tuple[dt.date, Mapping[str, Any]]] = {}
    for e in doc.get("catalog_entries") or []:
        if e["provider"] in skip:
            continue
        d = _oldest_as_of(e)
        if e["key"] not in oldest or d < oldest[e["key"]][0]:
            oldest[e["key"]] = (d, e)
    out = []
    for key, (d, e) in sorted(oldest.items()):
        age = (today - d).days
        if age <= max_age_days:
            continue
        comps = sorted(used.get(key, set()))
        out.append(
            Violation(
                "stale",
                f"catalog entry {key} is {age} days old (as of {d.isoformat()}, max {max_age_days} days)"
                + (f"; used by {', '.join(comps)}" if comps else "")
                + f"; check {e['source']}",
                {
                    "key": key,
                    "provider": e["provider"],
                    "as_of": d.isoformat(),
                    "age_days": age,
                    "components": comps,
                    "source": e["source"],
                },
            )
        )
    return out


def check_requirements(doc: Mapping[str, Any]) -> list[Violation]:
    """The profile's own budget requirement (requirements.budget_usd_month), when exceeded."""
    out = []
    b = doc.get("budget_usd_month")
    for ob in doc.get("over_budget") or []:
        out.append(
            Violation(
                "requirement",
                f"phase {ob['phase']} (from {units_label(ob['from'], doc['unit'])}) costs "
                f"{money(ob['monthly_usd_end'])}/month, over the profile's requirements.budget_usd_month "
                f"({money(b)})",
                {"phase": ob["phase"], "monthly_usd": ob["monthly_usd_end"], "budget_usd": b},
            )
        )
    return out


def infeasible_violation(e: InfeasibleError) -> Violation:
    """No stack fits (a requirement cannot be met): the error's reasons as a violation."""
    first = e.message.splitlines()[0]
    return Violation(
        "infeasible", first + "".join(f"\n    - {r}" for r in e.reasons), {"reasons": list(e.reasons)}
    )


# --------------------------------------------------------------------------- all checks
@dataclass
class CheckResult:
    violations: list[Violation]
    checks: dict[str, Any]
    app: str | None = None
    unit: str | None = None

    @property
    def ok(self) -> bool:
        return not self.violations

    @property
    def exit_code(self) -> int:
        return 0 if self.ok else EXIT_POLICY

    def summary(self) -> str:
        if not self.ok:
            rules: dict[str, int] = {}
            for v in self.violations:
                rules[v.rule] = rules.get(v.rule, 0) + 1
            n = len(self.violations)
            return (
                f"policy violated: {n} violation{'s' if n != 1 else ''} ("
                + ", ".join(f"{k} {c}" for k, c in rules.items())
                + ")"
            )
        return "ok: " + "; ".join(self.checks.get("ok_parts", [])) if self.checks.get("ok_parts") else "ok"


def evaluate(
    doc: Mapping[str, Any] | None,
    policy: Policy,
    *,
    today: dt.date,
    diff: Mapping[str, Any] | None = None,
    infeasible: InfeasibleError | None = None,
    base_infeasible: InfeasibleError | None = None,
) -> CheckResult:
    """Every check the policy asks for, on a plan (None when no stack fits: ``infeasible``)."""
    if doc is None:
        assert infeasible is not None
        return CheckResult([infeasible_violation(infeasible)], {"feasible": False, "ok_parts": []})
    unit = doc["unit"]
    phases = doc["phases"]
    last = _end(phases[-1])
    ok = [
        f"{doc.get('app')}: {len(phases)} phase{'s' if len(phases) != 1 else ''} over "
        f"{phases[0]['from']:,}–{last:,} {plural(unit)}, {money(phases[0]['monthly_usd_start'])}–"
        f"{money(max(p['monthly_usd_end'] for p in phases))}/month"
    ]
    vs: list[Violation] = check_requirements(doc)
    checks: dict[str, Any] = {"feasible": True}
    if policy.budget_usd is not None:
        got = check_budget(doc, policy.budget_usd)
        vs += got
        b = policy.budget_usd
        checks["budget"] = {"budget_usd": b, "violations": len(got)}
        ok.append(
            f"within the budget of {money(b)}/month"
            if not isinstance(b, Mapping)
            else "within the stage budgets " + ", ".join(f"{k:,}: {money(v)}" for k, v in sorted(b.items()))
        )
    if diff is not None:
        up = diff["summary"]["max_increase"]
        checks["increase"] = {
            "allowed": str(policy.max_increase) if policy.max_increase else None,
            "max_increase": up,
        }
        if policy.max_increase is not None:
            got = check_increase(diff, policy.max_increase)
            vs += got
            checks["increase"]["violations"] = len(got)
        what = f"largest increase vs base {change_text(up)}" if up else "no cost increase vs base"
        ok.append(what + (f" (allowed {policy.max_increase})" if policy.max_increase else ""))
    elif base_infeasible is not None:
        checks["increase"] = {"skipped": "no stack fits the base profile"}
        ok.append("increase not checked: no stack fits the base profile")
    if policy.max_catalog_age_days is not None:
        got = check_stale(doc, policy.max_catalog_age_days, today, policy.ignore.stale)
        vs += got
        n = len({e["key"] for e in doc.get("catalog_entries") or []})
        checks["catalog_age"] = {
            "max_age_days": policy.max_catalog_age_days,
            "entries": n,
            "ignored_providers": list(policy.ignore.stale),
            "violations": len(got),
        }
        ok.append(f"{n} catalog entries at most {policy.max_catalog_age_days} days old")
    checks["ok_parts"] = ok
    return CheckResult(vs, checks, doc.get("app"), unit)


def policy_json(res: CheckResult) -> dict[str, Any]:
    """The `tierplan check --format json` contract (docs/audit.md, "## check")."""
    checks = {k: v for k, v in res.checks.items() if k != "ok_parts"}
    return {
        "ok": res.ok,
        "exit_code": res.exit_code,
        "app": res.app,
        "unit": res.unit,
        "summary": res.summary(),
        "violations": [v.as_dict() for v in res.violations],
        "checks": checks,
    }
