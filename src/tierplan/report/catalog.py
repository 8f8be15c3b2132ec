"""Terminal rendering of catalog listings and checks."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table
from rich.text import Text

from ..catalog.check import CheckResult
from ..catalog.loader import Catalog
from ..catalog.models import Price, Provider

__all__ = ["render_list", "render_provider", "render_check"]


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


def render_list(cat: Catalog, con: Console) -> None:
    t = Table(header_style="bold")
    for col in ("provider", "service", "plan", "hosts", "fee/mo", "sizes", "available", "as of"):
        t.add_column(col)
    for ref in cat.plans:
        p = ref.plan
        fee = _price(p.base_usd_month)
        if "seat_usd_month" in p.model_fields_set:
            fee += f" + {_price(p.seat_usd_month)}/seat"
        t.add_row(
            ref.provider.provider,
            ref.service.id,
            p.id,
            ", ".join(ref.hosts),
            fee,
            str(len(p.instances.sizes)) if p.instances else "",
            "yes" if p.available else "legacy",
            ref.as_of.isoformat(),
        )
    con.print(t)
    con.print(
        Text(
            f"{len(cat.providers)} providers, {len(cat.plans)} plans; newest entry {cat.as_of}, oldest {cat.oldest_as_of}.",
            style="dim",
        )
    )


def render_provider(prov: Provider, con: Console) -> None:
    con.print(Text.assemble((prov.name, "bold"), f"  {prov.homepage}"))
    if prov.regions:
        con.print("regions: " + ", ".join(f"{r.id} ({r.city})" for r in prov.regions))
    for svc in prov.services:
        con.print(Text(f"\n{svc.name} [{svc.id}] hosts {', '.join(svc.hosts)}", style="bold"))
        for p in svc.plans:
            head = f"  {p.name} [{p.id}]" + ("" if p.available else " (legacy: not sold to new accounts)")
            con.print(Text(head, style="bold" if p.available else "dim"))
            src = p.source or prov.source
            con.print(Text(f"    source: {src} (as of {p.as_of or prov.as_of})", style="dim"))
            if p.base_usd_month:
                con.print(f"    fee: {_price(p.base_usd_month)}/month")
            if "seat_usd_month" in p.model_fields_set:
                con.print(f"    seat: {_price(p.seat_usd_month)}/month")
            if p.usage_credit_usd_month:
                con.print(f"    includes ${p.usage_credit_usd_month:g} of usage")
            if p.instances:
                for s in p.instances.sizes:
                    pr = (
                        f"{_price(s.usd_per_hour)}/h"
                        if "usd_per_hour" in s.model_fields_set
                        else f"{_price(s.usd_per_month)}/{s.month_hours:g}h"
                    )
                    con.print(f"    size {s.id}: {s.vcpu:g} vCPU ({s.cpu_kind}), {s.memory_mb:g} MB, {pr}")
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
                con.print(f"    {m.name or m.metric}: {tiers}")
            for lim in p.limits:
                con.print(f"    limit {lim.metric} <= {lim.max:,.10g}")
            for ad in p.addons:
                con.print(f"    add-on {ad.name} [{ad.id}]: {_price(ad.base_usd_month)}/month")
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
            con.print(f"  {key} {what}: as of {d}")
    else:
        con.print(f"no entry older than {res.max_age_months} months")
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
