"""Renderers of a stack audit (audit.stack.audit_stack's plain data): Markdown and terminal.

Both lead with the headline (audit/stack_headline.py), then the lines, whose recomputed column adds
up to the recomputed total: each line's own cost, an account fee shared by several lines once on a
row of its own."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.markup import escape
from rich.text import Text

from ..templates_env import environment
from .console import Table
from .fmt import money, money_range

__all__ = ["stack_audit_markdown", "render_stack_audit", "SECTIONS"]

#: finding kinds by section, in the order a reader needs them
SECTIONS: list[tuple[str, list[str]]] = [
    ("Limits exceeded now", ["limit_exceeded", "infeasible"]),
    ("Limits ahead", ["limit_ahead"]),
    ("Plan attributes that contradict the use", ["attribute"]),
    ("Prices that differ from the catalog", ["price_mismatch", "unpriced"]),
    ("Over-provisioned", ["overprovisioned"]),
    ("Far from the audience", ["region"]),
    ("Not in the stack file", ["missing"]),
]


def _stated(r: list[float] | None) -> str:
    return money_range(r[0], r[1]) if r else "-"


def recomputed_cell(r: dict[str, Any]) -> str:
    """A line's part of the recomputed total: its own cost, "in account fee" when its usage is all
    within the credit of an account fee shown on its own row, "unpriced" when the catalog cannot
    price it."""
    if r.get("in_account_fee"):
        return "in account fee"
    v = r.get("in_total_monthly_usd", r["monthly_usd"])
    return "unpriced" if v is None else money(v)


def account_label(a: dict[str, Any]) -> tuple[str, str]:
    """An account row's first two cells: what it is and the lines that share it."""
    return f"{a['account']} fee", f"{a['name']}, shared by {', '.join(a['components'])}"


def total_cell(doc: dict[str, Any]) -> str:
    return money(doc["monthly_usd"]) + (f" + {', '.join(doc['unpriced'])} unpriced" if doc["unpriced"] else "")


def stack_audit_markdown(doc: dict[str, Any]) -> str:
    return (
        environment()
        .get_template("audit_stack.md.j2")
        .render(
            d=doc,
            usd=money,
            stated=_stated,
            sections=SECTIONS,
            recomputed=recomputed_cell,
            account_label=account_label,
            total=total_cell,
        )
    )


def _render_headline(h: dict[str, Any], con: Console) -> None:
    con.print(Text(h["title"], style="bold"))
    for d in h["details"]:
        con.print(Text(f"  {d}"))


def render_stack_audit(doc: dict[str, Any], con: Console) -> None:
    month = f" (month {doc['month']:.1f})" if doc.get("month") is not None else ""
    con.print(
        f"[bold]Audit: {escape(doc['stack'])}[/] — {escape(doc['app'])} at {doc['at']:,} {escape(doc['unit'])}s{month}"
    )
    con.print()
    _render_headline(doc["headline"], con)
    con.print()
    t = Table(show_edge=False, pad_edge=False)
    for col, just in (
        ("component", "left"),
        ("provider / plan", "left"),
        ("size x qty", "left"),
        ("region", "left"),
        ("stated", "right"),
        ("recomputed", "right"),
        ("fits", "left"),
    ):
        t.add_column(col, justify=just)  # type: ignore[arg-type]
    for r in doc["components"]:
        qty = f"{r['size'] or '-'} x {r['quantity']}"
        if r.get("instances_needed") and r["instances_needed"] != r["quantity"]:
            qty += f" (needs {r['instances_needed']})"
        t.add_row(
            r["component"],
            f"{r['provider']} {r['plan']}",
            qty,
            r["region"] or "-",
            _stated(r["stated_usd"]),
            recomputed_cell(r),
            "yes" if r["fits"] else Text("no", style="red"),
        )
    for a in doc["accounts"]:
        what, shared = account_label(a)
        t.add_row(what, shared, "", "", "-", money(a["monthly_usd"]), "")
    t.add_section()
    t.add_row(Text("total", style="bold"), "", "", "", _stated(doc["stated_total_usd"]), total_cell(doc), "")
    con.print(t)
    con.print(
        f"Recomputed: [bold]{money(doc['monthly_usd'])}[/]/month"
        + (f", plus {escape(', '.join(doc['unpriced']))} (unpriced)" if doc["unpriced"] else "")
        + (f"; stated {_stated(doc['stated_total_usd'])}" if doc["stated_total_usd"] else "")
    )
    if doc.get("account_note"):
        con.print(f"Account plans: {doc['account_note']}", markup=False)
    if doc["optimal"]:
        con.print(
            "Fresh-start optimum for the same workload (this scale alone): "
            f"[bold]{money(doc['optimal']['monthly_usd'])}[/]/month"
        )
    if doc.get("plan_monthly_usd") is not None:
        con.print(
            "tierplan's plan at this scale (it keeps its stack between moves): "
            f"{money(doc['plan_monthly_usd'])}/month"
        )
    if doc["saving_monthly_usd"] is not None:
        con.print(
            f"Saving: [bold green]{money(doc['saving_monthly_usd'])}[/] a month, {money(doc['saving_yearly_usd'])} a year"
            + (f" (without {', '.join(doc['unpriced'])}: unpriced)" if doc["unpriced"] else "")
        )
    if doc.get("move_usd") is not None and doc["saving_monthly_usd"] is not None and doc["saving_monthly_usd"] > 0:
        con.print(payback_line(doc))
    for title, kinds in SECTIONS:
        items = [f for f in doc["findings"] if f["kind"] in kinds]
        if not items:
            continue
        con.print(f"\n[bold]{title}[/]")
        for f in items:
            line = Text(f"  - {f['message']}")
            if f.get("source"):
                line.append(f" ({f['source']}, as of {f['as_of']})", style="dim")
            con.print(line)


def payback_line(doc: dict[str, Any]) -> str:
    """The one-time cost of moving to the optimum against its saving: "Moving costs $450 once;
    the saving repays it in 2.3 months." (the seeds' "annual savings", with the cost of getting there)."""
    return (
        f"Moving to it costs {money(doc['move_usd'])} once (engineering hours at the profile's "
        f"migration.hourly_rate_usd, transfer and downtime); the saving repays it in "
        f"{doc['payback_months']:g} months."
    )
