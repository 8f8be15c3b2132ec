"""`tierplan explain`: each demand figure with its formula and inputs, one per line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape

from ..engine.planner import Planner
from ..workload import Demand, Figure
from .fmt import fmt_num

__all__ = ["render_explain"]


def _line(f: Figure) -> str:
    inputs = ", ".join(f"{k}={fmt_num(v) if isinstance(v, int | float) else v}" for k, v in f.inputs)
    return f"  [bold]{f.name}[/] = {fmt_num(f.value)} {escape(f.unit)}\n      = {escape(f.formula)}" + (
        f"\n      with {escape(inputs)}" if inputs else ""
    )


def render_explain(planner: Planner, d: Demand, component: str | None, con: Console) -> None:
    p = planner.profile
    when = f" (month {d.month:.1f} of the growth curve)" if d.month is not None else ""
    con.print(f"[bold]{escape(p.name)}[/] at {d.scale:,.0f} {escape(p.scale.unit)}s{when}")
    con.print("\n[underline]globals[/]")
    for f in d.globals.values():
        con.print(_line(f))
    for name, c in d.components.items():
        if component and name != component:
            continue
        con.print(f"\n[underline]{escape(name)}[/] ({c.kind})")
        for f in c.figures.values():
            con.print(_line(f))
    used = planner.assumptions.used_entries()
    if used:
        con.print("\n[underline]assumptions used[/] (override under `assumptions:` in the profile)")
        for a in used:
            con.print(
                f"  {a.key} = {a.value:g} {escape(a.unit)}"
                + (" (overridden)" if a.overridden else "")
                + f"\n      {escape(a.rationale)}"
            )
