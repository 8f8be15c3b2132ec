"""Standalone HTML report with an inline SVG cost chart (no scripts, no network)."""

from __future__ import annotations

import math
from typing import Any

from ..templates_env import environment
from .markdown import render_markdown

__all__ = ["render_html", "cost_chart_svg"]

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
        f'<text x="{(left + right) / 2:.0f}" y="{height - 6}" font-size="12" text-anchor="middle">{doc["unit"]}s{" (log scale)" if log else ""}</text>'
    )
    out.append("</svg>")
    return "\n".join(out)


def render_html(doc: dict[str, Any], point: bool = False) -> str:
    env = environment()
    body = _md_to_html(render_markdown(doc, point=point))
    if not point:
        chart = f'<div class="chart">{cost_chart_svg(doc)}</div>'
        body = body.replace("</h1>", "</h1>\n" + chart, 1)
    return env.get_template("plan.html.j2").render(doc=doc, body=body)


def _md_to_html(md: str) -> str:
    """A small Markdown subset (headings, tables, lists, bold, links, details) to HTML."""
    import html
    import re

    def inline(s: str) -> str:
        s = html.escape(s, quote=False)
        s = s.replace("&lt;br&gt;", "<br>")
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"`([^`]+)`", r"<code>\1</code>", s)
        s = re.sub(r"\[([^\]]+)\]\((https?://[^)\s]+)\)", r'<a href="\2">\1</a>', s)
        return s

    out: list[str] = []
    lines = md.splitlines()
    i = 0
    in_list = False
    while i < len(lines):
        ln = lines[i]
        if ln.startswith("|") and i + 1 < len(lines) and re.match(r"^\|[-:| ]+\|$", lines[i + 1]):
            head = [c.strip() for c in ln.strip("|").split("|")]
            out.append(
                "<table><thead><tr>" + "".join(f"<th>{inline(c)}</th>" for c in head) + "</tr></thead><tbody>"
            )
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                cells = [c.strip() for c in re.split(r"(?<!\\)\|", lines[i].strip()[1:-1])]
                out.append(
                    "<tr>"
                    + "".join(f"<td>{inline(c.replace(chr(92) + '|', '|'))}</td>" for c in cells)
                    + "</tr>"
                )
                i += 1
            out.append("</tbody></table>")
            continue
        if ln.startswith("- "):
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{inline(ln[2:])}</li>")
            i += 1
            continue
        if in_list:
            out.append("</ul>")
            in_list = False
        m = re.match(r"^(#{1,4}) (.*)$", ln)
        if m:
            n = len(m.group(1))
            out.append(f"<h{n}>{inline(m.group(2))}</h{n}>")
        elif ln.startswith("<details>") or ln.startswith("</details>"):
            out.append(ln.replace("<summary>", "<summary>").replace("</summary>", "</summary>"))
        elif ln.strip():
            out.append(f"<p>{inline(ln)}</p>")
        i += 1
    if in_list:
        out.append("</ul>")
    return "\n".join(out)
