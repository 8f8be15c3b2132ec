"""Presentation helpers shared by the terminal, Markdown and HTML renderers."""

from __future__ import annotations

from typing import Any

from ..metrics import METRICS

__all__ = ["money", "units_label", "range_label", "stack_label", "fmt_metric", "fmt_num"]


def money(x: float | None, nd: int = 2) -> str:
    if x is None:
        return "unknown"
    if x < 0:
        return f"-${-x:,.{nd}f}"
    return f"${x:,.{nd}f}"


def fmt_num(x: float | None) -> str:
    if x is None:
        return "—"
    if abs(x) >= 1e9:
        return f"{x / 1e9:,.2f}B"
    if abs(x) >= 1e6:
        return f"{x / 1e6:,.2f}M"
    if abs(x) >= 1000:
        return f"{x:,.0f}"
    if abs(x - round(x)) < 1e-9:
        return f"{int(round(x))}"
    return f"{x:,.3g}" if abs(x) < 10 else f"{x:,.1f}"


def fmt_metric(metric: str, value: float | None) -> str:
    m = METRICS.get(metric)
    unit = m.unit if m else ""
    return f"{fmt_num(value)} {unit}".strip()


def units_label(n: int | float, unit: str) -> str:
    return f"{n:,} {unit}{'' if n == 1 else 's'}"


def range_label(ph: dict[str, Any], unit: str) -> str:
    if ph["to"] is None:
        return f"{ph['from']:,}+ {unit}s"
    if ph["to"] == ph["from"]:
        return units_label(ph["from"], unit)
    return f"{ph['from']:,}–{ph['to']:,} {unit}s"


def stack_label(it: dict[str, Any]) -> str:
    s = f"{it['provider_name']} {it['plan_name']}"
    if it.get("size") and not it.get("single_size"):
        s += f" {it['size']}"
    if it.get("quantity", 1) > 1:
        s = f"{it['quantity']} x {s}"
    return s
