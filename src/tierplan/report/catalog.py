"""Terminal rendering of catalog listings and checks."""

from __future__ import annotations

import csv
import io
from typing import Any

from rich.console import Console
from rich.text import Text

from ..catalog.check import CheckResult
from ..catalog.loader import Catalog, PlanRef
from ..catalog.models import Price, Provider
from .console import Table

__all__ = [
    "render_list",
    "list_records",
    "list_plain",
    "list_markdown",
    "list_csv",
    "render_provider",
    "render_check",
]


def _price(p: Price) -> str:
    if p is None:
        return "unknown"
    if isinstance(p, dict):
        vals = [v for v in p.values() if v is not None]
        if not vals:
            return "unknown"
        lo, hi = min(vals), max(vals)
        return f"${lo:g}" if lo == hi else f"${lo:g}–{hi:g}"
    return f"${p:g}"


_LIST_COLUMNS = ("provider", "service", "plan", "hosts", "fee/mo", "sizes", "available", "as of")


def _fee(ref: PlanRef) -> str:
    p = ref.plan
    fee = _price(p.base_usd_month)
    if "seat_usd_month" in p.model_fields_set:
        fee += f" + {_price(p.seat_usd_month)}/seat"
    return fee


def _cells(ref: PlanRef) -> list[str]:
    p = ref.plan
    return [
        ref.provider.provider,
        ref.service.id,
        p.id,
        ", ".join(ref.hosts),
        _fee(ref),
        str(len(p.instances.sizes)) if p.instances else "",
        "yes" if p.available else "legacy",
        ref.as_of.isoformat(),
    ]


def list_records(plans: list[PlanRef]) -> list[dict[str, Any]]:
    """One record per plan: the table's fields (prices also as numbers) plus source and as-of."""
    out = []
    for ref in plans:
        p = ref.plan
        out.append(
            {
                "provider": ref.provider.provider,
                "service": ref.service.id,
                "plan": p.id,
                "hosts": list(ref.hosts),
                "fee": _fee(ref),
                "base_usd_month": p.base_usd_month,
                "seat_usd_month": p.seat_usd_month if "seat_usd_month" in p.model_fields_set else None,
                "sizes": len(p.instances.sizes) if p.instances else None,
                "available": p.available,
                "source": ref.source,
                "as_of": ref.as_of.isoformat(),
            }
        )
    return out


def _summary(cat: Catalog, plans: list[PlanRef]) -> str:
    n = len({r.provider.provider for r in plans})
    providers = f"{n} provider{'' if n == 1 else 's'}"
    if len(plans) == len(cat.plans):
        return f"{providers}, {len(plans)} plans; newest entry {cat.as_of}, oldest {cat.oldest_as_of}."
    shown = f"{len(plans)} of {len(cat.plans)} plans ({providers})"
    if not plans:
        return shown + "."
    return f"{shown}; newest entry {max(r.as_of for r in plans)}, oldest {min(r.as_of for r in plans)}."


def render_list(cat: Catalog, con: Console, plans: list[PlanRef] | None = None) -> None:
    """The listing as a table (for a terminal)."""
    plans = cat.plans if plans is None else plans
    t = Table(header_style="bold")
    for col in _LIST_COLUMNS:
        t.add_column(col)
    for ref in plans:
        t.add_row(*_cells(ref))
    con.print(t)
    con.print(Text(_summary(cat, plans), style="dim"))


def list_plain(cat: Catalog, plans: list[PlanRef]) -> str:
    """The listing for a pipe: a header line, then one plan per line in aligned columns, never cut."""
    rows = [list(_LIST_COLUMNS), *(_cells(ref) for ref in plans)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(_LIST_COLUMNS))]
    lines = ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in rows]
    return "\n".join([*lines, _summary(cat, plans)]) + "\n"


def _md_cell(s: str) -> str:
    return s.replace("\\", "\\\\").replace("|", "\\|").replace("\n", " ")


def list_markdown(cat: Catalog, plans: list[PlanRef]) -> str:
    out = [
        "# Catalog plans",
        "",
        _summary(cat, plans),
        "",
        "| " + " | ".join([*_LIST_COLUMNS, "source"]) + " |",
        "|" + "---|" * (len(_LIST_COLUMNS) + 1),
    ]
    for ref in plans:
        out.append("| " + " | ".join(_md_cell(c) for c in [*_cells(ref), ref.source]) + " |")
    return "\n".join(out) + "\n"


def list_csv(plans: list[PlanRef]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["provider", "service", "plan", "hosts", "fee", "sizes", "available", "as_of", "source"])
    for ref, rec in zip(plans, list_records(plans), strict=True):
        w.writerow(
            [
                rec["provider"],
                rec["service"],
                rec["plan"],
                " ".join(rec["hosts"]),
                rec["fee"],
                "" if rec["sizes"] is None else rec["sizes"],
                "yes" if rec["available"] else "legacy",
                rec["as_of"],
                ref.source,
            ]
        )
    return buf.getvalue()


def render_provider(prov: Provider, con: Console) -> None:
    con.print(Text.assemble((prov.name, "bold"), f"  {prov.homepage}"))
    if prov.regions:
        con.print("regions: " + ", ".join(f"{r.id} ({r.city})" for r in prov.regions), markup=False)
    for svc in prov.services:
        con.print(Text(f"\n{svc.name} [{svc.id}] hosts {', '.join(svc.hosts)}", style="bold"))
        for p in svc.plans:
            head = f"  {p.name} [{p.id}]" + ("" if p.available else " (legacy: not sold to new accounts)")
            con.print(Text(head, style="bold" if p.available else "dim"))
            src = p.source or prov.source
            con.print(Text(f"    source: {src} (as of {p.as_of or prov.as_of})", style="dim"))
            if p.base_usd_month:
                con.print(f"    fee: {_price(p.base_usd_month)}/month", markup=False)
            if "seat_usd_month" in p.model_fields_set:
                con.print(f"    seat: {_price(p.seat_usd_month)}/month", markup=False)
            if p.usage_credit_usd_month:
                con.print(f"    includes ${p.usage_credit_usd_month:g} of usage", markup=False)
            if p.instances:
                for s in p.instances.sizes:
                    pr = (
                        f"{_price(s.usd_per_hour)}/h"
                        if "usd_per_hour" in s.model_fields_set
                        else f"{_price(s.usd_per_month)}/{s.month_hours:g}h"
                    )
                    con.print(
                        f"    size {s.id}: {s.vcpu:g} vCPU ({s.cpu_kind}), {s.memory_mb:g} MB, {pr}",
                        markup=False,
                    )
            for m in p.meters:
                tiers = "; ".join(
                    (
                        f"first {t.up_to:,.10g} free"
                        if t.usd_per_unit == 0 and t.up_to is not None
                        else f"{_price(t.usd_per_unit)} per {m.unit}"
                        + (f" up to {t.up_to:,.10g}" if t.up_to is not None else "")
                    )
                    for t in m.tiers
                )
                con.print(f"    {m.name or m.metric}: {tiers}", markup=False)
            for lim in p.limits:
                con.print(f"    limit {lim.metric} <= {lim.max:,.10g}", markup=False)
            for ad in p.addons:
                con.print(f"    add-on {ad.name} [{ad.id}]: {_price(ad.base_usd_month)}/month", markup=False)
            if p.note:
                con.print(Text(f"    note: {p.note}", style="dim"))


def render_check(res: CheckResult, con: Console) -> None:
    con.print(
        Text(
            f"catalog OK: {res.providers} provider files, {res.plans} plans validated (schema, units, source and as-of present)",
            style="green",
        )
    )
    if res.stale:
        con.print(
            Text(
                f"{len(res.stale)} entries older than {res.max_age_months} months (stale, re-verify):",
                style="yellow",
            )
        )
        for key, what, d in res.stale:
            con.print(f"  {key} {what}: as of {d}", markup=False)
    else:
        con.print(f"no entry older than {res.max_age_months} months", markup=False)
    if res.unknown_prices:
        con.print(
            Text(f"{len(res.unknown_prices)} prices unknown (reported as unknown, never $0):", style="dim")
        )
        for key, what in res.unknown_prices[:40]:
            con.print(Text(f"  {key} {what}", style="dim"))
        if len(res.unknown_prices) > 40:
            con.print(Text(f"  ... and {len(res.unknown_prices) - 40} more", style="dim"))
    if res.unavailable:
        con.print(
            Text(
                f"{len(res.unavailable)} legacy plans kept for audits (not offered): {', '.join(res.unavailable)}",
                style="dim",
            )
        )
