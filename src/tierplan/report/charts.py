"""The plan's charts as inline SVG (no scripts, no network): the monthly cost along the scale with
its phases (and the P10-P90 band of ``--samples``), revenue against the bill at each stage with
the margin (economics), the tornado of the inputs that move the cost most, and the measured
usage with its trends (``tierplan forecast``). Each reads the plain report only; an empty string
when the report has nothing to draw."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from ..forecast import Fit
from ..metrics import metric_words
from ..units import plural
from .fmt import fmt_num

__all__ = ["cost_chart_svg", "margins_chart_svg", "tornado_chart_svg", "forecast_chart_svg"]

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
    highs = [b["monthly_usd_p90"] for b in (doc.get("uncertainty") or {}).get("stages") or []]
    log = xs[-1] / max(xs[0], 1) > 20
    left, right, top, bottom = 70, width - 20, 20, height - 45
    fx = _scale(xs, left, right, log)
    ymax = max(ys + highs) * 1.1 or 1.0
    fy = _scale([0.0, ymax], bottom, top, False)
    out = [
        f'<svg class="chart-cost" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="monthly cost by scale">'
    ]
    for i, ph in enumerate(doc["phases"]):
        x0 = fx(ph["from"])
        x1 = fx(ph["to"] if ph["to"] is not None else xs[-1])
        out.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{max(x1 - x0, 1):.1f}" height="{bottom - top}" fill="{_COLORS[i % len(_COLORS)]}" opacity="0.12"><title>phase {ph["index"]}</title></rect>'
        )
        out.append(f'<text x="{x0 + 3:.1f}" y="{top + 12}" font-size="11" fill="#333">{ph["index"]}</text>')
    band = (doc.get("uncertainty") or {}).get("stages") or []
    band = [b for b in band if xs[0] <= b["scale"] <= xs[-1]]
    if band:
        # the P10-P90 band of --samples at the stages, and each stage's P50
        upper = [f"{fx(b['scale']):.1f},{fy(b['monthly_usd_p90']):.1f}" for b in band]
        lower = [f"{fx(b['scale']):.1f},{fy(b['monthly_usd_p10']):.1f}" for b in reversed(band)]
        out.append(
            f'<polygon class="band" points="{" ".join(upper + lower)}" fill="#4e79a7" opacity="0.25">'
            "<title>P10 to P90 of the samples</title></polygon>"
        )
        for b in band:
            x = fx(b["scale"])
            out.append(
                f'<line class="band-range" x1="{x:.1f}" y1="{fy(b["monthly_usd_p10"]):.1f}" x2="{x:.1f}" '
                f'y2="{fy(b["monthly_usd_p90"]):.1f}" stroke="#4e79a7" stroke-width="3">'
                f'<title>{b["scale"]:,}: P10 ${b["monthly_usd_p10"]:,.2f}, P50 ${b["monthly_usd_p50"]:,.2f}, '
                f'P90 ${b["monthly_usd_p90"]:,.2f}/month</title></line>'
            )
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


def margins_chart_svg(doc: dict[str, Any], width: int = 820, height: int = 300) -> str:
    """Revenue beside hosting and payment fees at each stage, the margin written above."""
    eco = doc.get("economics") or {}
    stages = eco.get("stages") or []
    if not eco.get("has_revenue") or not stages:
        return ""
    left, right, top, bottom = 80, width - 20, 30, height - 45
    ymax = max(max(s["revenue_usd"], s["hosting_usd"] + s["fees_usd"]) for s in stages) * 1.15 or 1.0
    fy = _scale([0.0, ymax], bottom, top, False)
    slot = (right - left) / len(stages)
    bar = min(60.0, slot / 3)
    out = [
        f'<svg class="chart-margins" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        'role="img" aria-label="revenue and costs by stage">'
    ]
    for i, s in enumerate(stages):
        x = left + slot * i + slot / 2
        rev, host, fees = s["revenue_usd"], s["hosting_usd"], s["fees_usd"]
        out.append(
            f'<rect class="revenue" x="{x - bar:.1f}" y="{fy(rev):.1f}" width="{bar:.1f}" height="{bottom - fy(rev):.1f}" '
            f'fill="#59a14f"><title>{s["scale"]:,}: revenue ${rev:,.2f}/month</title></rect>'
        )
        out.append(
            f'<rect class="hosting" x="{x:.1f}" y="{fy(host):.1f}" width="{bar:.1f}" height="{bottom - fy(host):.1f}" '
            f'fill="#4e79a7"><title>{s["scale"]:,}: hosting ${host:,.2f}/month</title></rect>'
        )
        out.append(
            f'<rect class="fees" x="{x:.1f}" y="{fy(host + fees):.1f}" width="{bar:.1f}" height="{fy(host) - fy(host + fees):.1f}" '
            f'fill="#f28e2b"><title>{s["scale"]:,}: payment fees ${fees:,.2f}/month</title></rect>'
        )
        margin = "—" if s["margin"] is None else f"{s['margin'] * 100:.0f}%"
        out.append(
            f'<text class="margin" x="{x:.1f}" y="{min(fy(rev), fy(host + fees)) - 6:.1f}" font-size="12" '
            f'text-anchor="middle">margin {margin}</text>'
        )
        out.append(f'<text x="{x:.1f}" y="{bottom + 16}" font-size="11" text-anchor="middle">{s["scale"]:,}</text>')
    out.append(f'<line x1="{left}" y1="{bottom}" x2="{right}" y2="{bottom}" stroke="#555"/>')
    for k in range(5):
        v = ymax * k / 4
        out.append(f'<text x="{left - 6}" y="{fy(v) + 4:.1f}" font-size="11" text-anchor="end">${v:,.0f}</text>')
    legend = (("#59a14f", "revenue"), ("#4e79a7", "hosting"), ("#f28e2b", "payment fees"))
    for i, (color, name) in enumerate(legend):
        out.append(f'<rect x="{left + 110 * i}" y="8" width="10" height="10" fill="{color}"/>')
        out.append(f'<text x="{left + 110 * i + 14}" y="17" font-size="11">{name}</text>')
    out.append(
        f'<text x="{(left + right) / 2:.0f}" y="{height - 6}" font-size="12" text-anchor="middle">'
        f"{plural(doc['unit'])} (USD a month)</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def tornado_chart_svg(doc: dict[str, Any], width: int = 820, row: int = 26) -> str:
    """Each uncertain input alone at its low and high end: the cost at the last stage, a bar from
    one to the other around the plan's cost, largest swing on top."""
    unc = doc.get("uncertainty") or {}
    sens = unc.get("sensitivity") or []
    if not sens:
        return ""
    at = sens[0]["scale"]
    base = next((b["monthly_usd"] for b in unc["stages"] if b["scale"] == at), None)
    label_w, right = 300, width - 90
    height = 40 + row * len(sens) + 30
    vals = [v for s in sens for v in (s["low_usd"], s["high_usd"])] + ([base] if base is not None else [])
    fx = _scale([min(vals), max(vals)], label_w, right, False)
    out = [
        f'<svg class="chart-tornado" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'role="img" aria-label="cost at {at:,} {plural(doc["unit"])} with each input at its low and high end">'
    ]
    for i, s in enumerate(sens):
        y = 30 + row * i
        lo, hi = fx(s["low_usd"]), fx(s["high_usd"])
        x0, x1 = min(lo, hi), max(lo, hi)
        out.append(f'<text x="{label_w - 8}" y="{y + row / 2 + 4:.1f}" font-size="11" text-anchor="end">{_esc(s["input"])}</text>')
        out.append(
            f'<rect class="swing" x="{x0:.1f}" y="{y + 4}" width="{max(x1 - x0, 1.5):.1f}" height="{row - 8}" fill="#e15759" opacity="0.75">'
            f'<title>{_esc(s["input"])}: ${s["low_usd"]:,.2f} at {s["low"]:g}, ${s["high_usd"]:,.2f} at {s["high"]:g}</title></rect>'
        )
        out.append(f'<text x="{x1 + 4:.1f}" y="{y + row / 2 + 4:.1f}" font-size="10">${s["swing_usd"]:,.2f}</text>')
    if base is not None:
        out.append(
            f'<line x1="{fx(base):.1f}" y1="24" x2="{fx(base):.1f}" y2="{30 + row * len(sens)}" stroke="#222" stroke-dasharray="4 3">'
            f"<title>the plan: ${base:,.2f}/month</title></line>"
        )
    out.append(
        f'<text x="{(label_w + right) / 2:.0f}" y="{height - 8}" font-size="12" text-anchor="middle">'
        f"$/month at {at:,} {plural(doc['unit'])} (dashed: the plan)</text>"
    )
    out.append("</svg>")
    return "\n".join(out)


def forecast_chart_svg(doc: dict[str, Any], width: int = 820, height: int = 320) -> str:
    """Every measured series as a share of its threshold (100% = the plan moves) over time: the
    measurements as dots, the fit carried on to the end of the horizon or the crossing."""
    drawn = [s for s in doc["series"] if s["points"] and s["threshold"]]
    if not drawn:
        return ""
    start = min(dt.datetime.fromisoformat(s["points"][0][0].replace("Z", "+00:00")) for s in drawn)
    ends = [dt.datetime.fromisoformat(r["eta_date"]).replace(tzinfo=dt.UTC) for r in doc["triggers"] if r["eta_date"]]
    last = max(dt.datetime.fromisoformat(s["points"][-1][0].replace("Z", "+00:00")) for s in drawn)
    end = max([last + dt.timedelta(days=30), *ends])
    span = max((end - start).total_seconds(), 1.0)
    left, right, top, bottom = 60, width - 20, 20, height - 40

    def fx(t: dt.datetime) -> float:
        return left + (t - start).total_seconds() / span * (right - left)

    def fy(share: float) -> float:
        return bottom - min(share, 1.5) / 1.5 * (bottom - top)

    out = [
        f'<svg class="chart-forecast" xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" role="img" aria-label="measured usage and its forecast, as a share of each threshold">',
        f'<line x1="{left}" y1="{fy(1.0):.1f}" x2="{right}" y2="{fy(1.0):.1f}" stroke="#e15759" stroke-dasharray="6 4"/>',
        f'<text x="{left - 6}" y="{fy(1.0) + 4:.1f}" font-size="11" text-anchor="end">100%</text>',
        f'<text x="{left - 6}" y="{fy(0.0) + 4:.1f}" font-size="11" text-anchor="end">0%</text>',
        f'<text x="{left}" y="{height - 12}" font-size="11">{start.date().isoformat()}</text>',
        f'<text x="{right}" y="{height - 12}" font-size="11" text-anchor="end">{end.date().isoformat()}</text>',
    ]
    for i, s in enumerate(drawn):
        color = _COLORS[i % len(_COLORS)]
        thr = s["threshold"]
        label = _esc(f"{s['component']}: {metric_words(s['metric'])}")
        for at, v in s["points"]:
            t = dt.datetime.fromisoformat(at.replace("Z", "+00:00"))
            out.append(f'<circle cx="{fx(t):.1f}" cy="{fy(v / thr):.1f}" r="3" fill="{color}"><title>{label}: {fmt_num(v)}</title></circle>')
        fd = s["fit"]
        if fd is not None:
            f = Fit(fd["model"], fd["a"], fd["b"], dt.datetime.fromisoformat(fd["t0"].replace("Z", "+00:00")), fd["n"], fd["s"], fd["t_mean"], fd["sxx"], 0.0)
            steps = 60
            pts = []
            for k in range(steps + 1):
                t = start + dt.timedelta(seconds=span * k / steps)
                pts.append(f"{fx(t):.1f},{fy(f.value(f.days(t)) / thr):.1f}")
            out.append(f'<polyline fill="none" stroke="{color}" stroke-width="1.5" points="{" ".join(pts)}"><title>{label} ({fd["model"]} trend)</title></polyline>')
        out.append(f'<text x="{right - 4}" y="{top + 14 * (i + 1)}" font-size="11" text-anchor="end" fill="{color}">{label}</text>')
    out.append("</svg>")
    return "\n".join(out)


def _esc(text: str) -> str:
    from html import escape

    return escape(text, quote=True)
