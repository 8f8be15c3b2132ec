"""The one Jinja environment (StrictUndefined, filters registered once)."""

from __future__ import annotations

from functools import cache

import jinja2

from .report.fmt import (
    ANALYSIS_NOTE,
    event_line,
    fmt_metric,
    fmt_num,
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
from .units import plural

__all__ = ["environment"]


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("tierplan", "templates"),
        undefined=jinja2.StrictUndefined,
        autoescape=jinja2.select_autoescape(enabled_extensions=("html.j2",), default_for_string=False),
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        money=money,
        num=fmt_num,
        metric=fmt_metric,
        units=units_label,
        plural=plural,
        range_label=range_label,
        relaxation_line=relaxation_line,
        stack_label=stack_label,
        move_lines=move_lines,
        whole_stack_lines=whole_stack_lines,
        event_line=event_line,
        quantity_label=quantity_label,
        tightest_label=tightest_label,
        pct=lambda x: "—" if x is None else f"{x:.0%}",
        mdcell=lambda s: str(s).replace("|", "\\|").replace("\n", " "),
    )
    env.globals["analysis_note"] = ANALYSIS_NOTE
    return env
