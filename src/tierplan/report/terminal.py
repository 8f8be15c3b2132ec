"""Terminal summary (rich tables) of a plan report or a single point."""

from __future__ import annotations

from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.text import Text

from ..metrics import metric_words
from ..units import plural
from .console import Table
from .do_now import do_now_lines
from .economics import economics_notes, economics_table, point_line
from .fmt import (
    ANALYSIS_NOTE,
    event_line,
    fmt_metric,
    money,
    move_lines,
    quantity_label,
    range_label,
    relaxation_line,
    stack_label,
    tightest_label,
    units_label,
    whole_stack_lines,
)
from .uncertainty import uncertainty_notes, uncertainty_tables

__all__ = ["render_plan", "render_point"]


def _stack_table(items: list[dict[str, Any]], show_start: bool = False) -> Table:
    t = Table(show_header=True, header_style="bold", expand=False, pad_edge=False, box=None)
    t.add_column("component")
    t.add_column("provider / plan")
    t.add_column("region")
    t.add_column("qty (start -> end)" if show_start else "qty", justify="right")
    if show_start:
        t.add_column("$/mo at start", justify="right")
    t.add_column("$/mo at end" if show_start else "$/mo", justify="right")
    t.add_column("tightest limit at the end" if show_start else "tightest limit")
    for it in items:
        row = [
            it["component"],
            stack_label({**it, "quantity_start": it["quantity"]}),
            it["region"] or "global",
            quantity_label(it),
        ]
        if show_start:
            row.append(money(it.get("monthly_usd_start")))
        row += [money(it["monthly_usd"]), tightest_label(it)]
        t.add_row(*row)
    return t


def render_plan(doc: dict[str, Any], console: Console) -> None:
    unit = doc["unit"]
    head = Text.assemble(
        (doc["app"], "bold"),
        f"  ·  {'commercial' if doc['commercial'] else 'non-commercial'}  ·  audience {', '.join(doc['audience'])}  ·  ",
        f"{units_label(doc['scale']['first'], unit)} → {units_label(doc['scale']['last'], unit)}  ·  catalog as of {doc['catalog_as_of']}",
    )
    console.print(head)
    if doc.get("analysis"):
        console.print(Text(ANALYSIS_NOTE, style="yellow"))
    if doc.get("do_now"):
        console.print(
            Panel(
                Group(*(Text(f"• {line}") for line in do_now_lines(doc["do_now"], unit))),
                title=Text("Do this now", style="bold"),
                title_align="left",
            )
        )
    summary = Table(
        title="Per-component analysis" if doc.get("analysis") else "Phases",
        title_justify="left",
        header_style="bold",
    )
    summary.add_column("#", justify="right")
    summary.add_column(f"{plural(unit)}")
    if doc["phases"] and doc["phases"][0].get("from_date"):
        summary.add_column("when")
    summary.add_column("$/month (start → end)", justify="right")
    summary.add_column(f"$/{unit} (start → end)", justify="right")
    summary.add_column("stack (qty start -> end)")
    for ph in doc["phases"]:
        row = [str(ph["index"]), range_label(ph, unit)]
        if ph.get("from_date"):
            row.append(f"{ph['from_date']} → {ph['to_date'] or 'horizon'}")
        row += [
            f"{money(ph['monthly_usd_start'])} → {money(ph['monthly_usd_end'])}",
            f"{money(ph['usd_per_unit_start'], 3)} → {money(ph['usd_per_unit_end'], 3)}",
            "\n".join(f"{it['component']}: {stack_label(it)}" for it in ph["stack"]),
        ]
        summary.add_row(*row)
    console.print(summary)
    for r in doc.get("relaxations", []):
        console.print(Text(relaxation_line(r, unit), style="yellow"))
    for ph in doc["phases"]:
        parts: list[Any] = []
        for i, line in enumerate(move_lines(ph.get("move"), unit, doc.get("migration", {}))):
            parts.append(Text(line if i == 0 else f"  {line}", style="bold cyan" if i == 0 else "cyan"))
        parts.append(_stack_table(ph["stack"], show_start=True))
        for line in whole_stack_lines(ph.get("whole_stack")):
            parts.append(Text(f"  {line}", style="dim"))
        if ph.get("events"):
            parts.append(Text("Inside this phase:", style="bold"))
            for e in ph["events"]:
                parts.append(Text(f"  • {event_line(e, unit)}"))
        if ph["triggers"]:
            trig = Text("Ends at ", style="bold")
            trig.append(units_label(ph["triggers"][0]["at"], unit))
            trig.append(":")
            parts.append(trig)
            for t in ph["triggers"]:
                parts.append(Text(f"  • {t['component']}: {t['message']}"))
        upcoming = [
            w
            for w in ph["watch"]
            if w["at"] is not None
            and (ph["to"] is None or w["at"] > ph["to"])
            and not any(
                t["component"] == w["component"] and t["metric"] == w["metric"] for t in ph["triggers"]
            )
        ]
        if upcoming:
            parts.append(Text("Later limits of this stack:", style="dim"))
            for w in upcoming[:4]:
                parts.append(
                    Text(
                        f"  • {w['component']} {w['metric']} passes {fmt_metric(w['metric'], w['threshold'])} at {units_label(w['at'], unit)}",
                        style="dim",
                    )
                )
        risks = sorted({f"{it['component']}: {r}" for it in ph["stack"] for r in it["risks"][:2]})
        if risks:
            parts.append(Text("Risks:", style="yellow"))
            for r in risks[:6]:
                parts.append(Text(f"  • {r}", style="yellow"))
        console.print(
            Panel(
                Group(*parts),
                title=Text(f"Phase {ph['index']}: {range_label(ph, unit)}"),
                title_align="left",
            )
        )
    if doc.get("economics"):
        heads, rows = economics_table(doc["economics"], unit)
        table = Table(title="Economics (USD a month)", title_justify="left", header_style="bold")
        for i, h in enumerate(heads):
            table.add_column(h, justify="left" if i == len(heads) - 1 else "right")
        for row in rows:
            table.add_row(*row)
        console.print(table)
        for line in economics_notes(doc["economics"], unit):
            console.print(Text(f"  {line}", style="dim" if line.startswith(("Exchange", "Payment fee")) else ""))
    if doc.get("uncertainty"):
        unc = doc["uncertainty"]
        for line in uncertainty_notes(unc):
            console.print(Text(line, style="dim"))
        for title, heads, rows in uncertainty_tables(unc, unit):
            if not rows:
                continue
            table = Table(title=title, title_justify="left", header_style="bold")
            for i, h in enumerate(heads):
                table.add_column(h, justify="left" if i == 0 else "right")
            for row in rows:
                table.add_row(*row)
            console.print(table)
    if doc.get("over_budget"):
        console.print(
            Text(
                f"Over budget (${doc['budget_usd_month']:g}/month) from phase {doc['over_budget'][0]['phase']}.",
                style="bold red",
            )
        )
    if doc.get("unpriced"):
        for c, labels in doc["unpriced"].items():
            more = f" and {len(labels) - 3} more" if len(labels) > 3 else ""
            console.print(
                Text(
                    f"Not ranked for {c} (price unknown in the catalog): {'; '.join(labels[:3])}{more}",
                    style="dim",
                )
            )
    n = len(doc["assumptions"])
    console.print(
        Text(
            f"Estimates use {n} capacity assumptions (override in the profile under `assumptions:`); `--format md` lists them with sources.",
            style="dim",
        )
    )


def render_point(doc: dict[str, Any], console: Console) -> None:
    unit = doc["unit"]
    where = f", phase {doc['phase']} of the plan" if doc.get("phase") else ""
    console.print(
        Text.assemble(
            (doc["app"], "bold"),
            f" at {units_label(doc['scale'], unit)}"
            + (f" ({doc['users']:,.0f} users)" if unit != "user" else "")
            + f"{where}: ",
            (money(doc["monthly_usd"]) + "/month", "bold"),
        )
    )
    if doc.get("economics") and point_line(doc["economics"]):
        console.print(Text(point_line(doc["economics"])))
    console.print(_stack_table(doc["stack"]))
    opt = doc.get("optimum")
    if opt is not None and doc.get("phase"):
        if opt["differs"]:
            console.print(
                Text.assemble(
                    ("If you started fresh here: ", "bold"),
                    f"{money(opt['monthly_usd'])}/month, with {', '.join(opt['differs'])} elsewhere",
                )
            )
            console.print(_stack_table([it for it in opt["stack"] if it["component"] in opt["differs"]]))
            console.print(Text(f"Why the plan differs: {opt['why']}.", style="dim"))
        else:
            console.print(Text("The plan's stack is also the fresh-start optimum here.", style="dim"))
    elif opt is not None:
        console.print(Text(f"{opt['why']}.", style="dim"))
    for it in doc["stack"]:
        t = Table(
            title=f"{it['component']}: {stack_label(it)}", title_justify="left", box=None, header_style="dim"
        )
        t.add_column("line")
        t.add_column("quantity", justify="right")
        t.add_column("$/mo", justify="right")
        t.add_column("how")
        for ln in it["lines"]:
            t.add_row(
                ln["name"], f"{ln['quantity']:,.4g} {ln['unit']}", money(ln["monthly_usd"]), ln["detail"]
            )
        console.print(t)
        if it["utilization"]:
            console.print(
                Text(
                    "  utilization: "
                    + ", ".join(f"{metric_words(k)} {v:.0%}" for k, v in it["utilization"].items()),
                    style="dim",
                )
            )
        for r in it["risks"][:3]:
            console.print(Text(f"  risk: {r}", style="yellow"))
        alts = doc["alternatives"].get(it["component"]) or []
        if alts:
            console.print(
                Text(
                    "  next best: "
                    + "; ".join(
                        f"{a['provider']} {a['plan']}{' ' + a['size'] if a['size'] else ''} {money(a['monthly_usd'])}"
                        for a in alts
                    ),
                    style="dim",
                )
            )
