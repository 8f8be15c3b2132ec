"""Standalone HTML report with an inline SVG cost chart (no scripts, no network)."""

from __future__ import annotations

import math
import re
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from ..templates_env import environment
from ..units import plural
from .markdown import render_markdown

__all__ = ["render_html", "cost_chart_svg", "html_page", "markdown_to_html"]

_COLORS = [
    "#4e79a7",
    "#f28e2b",
    "#59a14f",
    "#e15759",
    "#76b7b2",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
]


def _scale(vals: list[float], lo_px: float, hi_px: float, log: bool) -> Any:
    lo, hi = min(vals), max(vals)
    if log:
        lo, hi = math.log10(max(lo, 1e-9)), math.log10(max(hi, 1e-9))
    span = (hi - lo) or 1.0

    def f(v: float) -> float:
        x = math.log10(max(v, 1e-9)) if log else v
        return lo_px + (x - lo) / span * (hi_px - lo_px)

    return f


def cost_chart_svg(doc: dict[str, Any], width: int = 820, height: int = 320) -> str:
    """Monthly cost along the scale, phases shaded, boundaries marked."""
    pts = doc["points"]
    if len(pts) < 2:
        return ""
    xs = [p["scale"] for p in pts]
    ys = [p["monthly_usd"] for p in pts]
    log = xs[-1] / max(xs[0], 1) > 20
    left, right, top, bottom = 70, width - 20, 20, height - 45
    fx = _scale(xs, left, right, log)
    ymax = max(ys) * 1.1 or 1.0
    fy = _scale([0.0, ymax], bottom, top, False)
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="monthly cost by scale">'
    ]
    for i, ph in enumerate(doc["phases"]):
        x0 = fx(ph["from"])
        x1 = fx(ph["to"] if ph["to"] is not None else xs[-1])
        out.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 1):.1f}" height="{bottom - top}" fill="{_COLORS[i % len(_COLORS)]}" opacity="0.12"><title>phase {ph["index"]}</title></rect>'
        )
        out.append(f'<text x="{x0 + 3:.1f}" y="{top + 12}" font-size="11" fill="#333">{ph["index"]}</text>')
    line = " ".join(f"{fx(x):.1f},{fy(y):.1f}" for x, y in zip(xs, ys, strict=True))
    out.append(f'<polyline points="{line}" fill="none" stroke="#222" stroke-width="2"/>')
    for x, y in zip(xs, ys, strict=True):
        out.append(
            f'<circle cx="{fx(x):.1f}" cy="{fy(y):.1f}" r="2.5" fill="#222"><title>{x:,}: ${y:,.2f}/month</title></circle>'
        )
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{bottom}" stroke="#555"/>')
    for k in range(5):
        v = ymax * k / 4
        out.append(
            f'<text x="{left - 6}" y="{fy(v) + 4:.1f}" font-size="11" text-anchor="end">${v:,.0f}</text>'
        )
    ticks = sorted({xs[0], xs[-1], *(ph["from"] for ph in doc["phases"])})
    last = -1e9
    for t in ticks:
        if fx(t) - last < 40:
            continue
        last = fx(t)
        out.append(
            f'<text x="{fx(t):.1f}" y="{bottom + 16}" font-size="11" text-anchor="middle">{t:,}</text>'
        )
    out.append(
        f'<text x="{(left + right) / 2:.0f}" y="{height - 6}" font-size="12" text-anchor="middle">{plural(doc["unit"])}{" (log scale)" if log else ""}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def render_html(doc: dict[str, Any], point: bool = False) -> str:
    chart = "" if point else f'<div class="chart">{cost_chart_svg(doc)}</div>'
    return html_page(render_markdown(doc, point=point), title=f"{doc['app']}: hosting plan", after_h1=chart)


# -- Markdown to a standalone page (plan, compare, diff, audit) ---------------------------------------

#: the only raw HTML tierplan's own Markdown uses inline; everything else, user text included, is escaped
_INLINE_TAGS = re.compile(r"&lt;(br|sub|/sub)&gt;")
#: block-level: a collapsible section around Markdown (plan notes, diff details)
_DETAILS_OPEN = re.compile(r"^<details><summary>(.*)</summary>\s*$")
_DETAILS_CLOSE = "</details>"


def _text_rule(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return _INLINE_TAGS.sub(r"<\1>", escapeHtml(tokens[idx].content))


@cache
def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.add_render_rule("text", _text_rule)
    return md


def markdown_to_html(text: str) -> str:
    """Markdown (CommonMark with tables) to HTML. Raw HTML is escaped (html=False), so text that
    came from a profile, stack file or document can never become markup; only the tags tierplan's
    templates use (<br>, <sub>, a <details><summary> line and its </details>) are kept."""
    md = _markdown_it()
    out: list[str] = []
    chunk: list[str] = []
    for line in text.splitlines():
        m = _DETAILS_OPEN.match(line)
        if m or line.strip() == _DETAILS_CLOSE:
            out.append(md.render("\n".join(chunk)))
            chunk = []
            out.append(
                f"<details><summary>{md.renderInline(m.group(1))}</summary>\n" if m else "</details>\n"
            )
        else:
            chunk.append(line)
    out.append(md.render("\n".join(chunk)))
    return "".join(out)


def _first_heading(text: str) -> str:
    for line in text.splitlines():
        m = re.match(r"#{1,6} (.+)", line)
        if m:
            return m.group(1).strip()
    return "report"


def html_page(markdown: str, *, title: str | None = None, after_h1: str = "") -> str:
    """A standalone page (inline CSS; no scripts, fonts or anything from the network) of a Markdown
    report. ``title`` defaults to the first heading; ``after_h1`` is trusted HTML put after it."""
    body = markdown_to_html(markdown)
    if after_h1:
        body = body.replace("</h1>", "</h1>\n" + after_h1, 1)
    page_title = title or _first_heading(markdown)
    if "tierplan" not in page_title:
        page_title += " (tierplan)"
    return environment().get_template("page.html.j2").render(title=page_title, body=body)
