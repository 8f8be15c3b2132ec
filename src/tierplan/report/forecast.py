"""The forecast report: the plan's current phase, and for each limit its stack watches the measured
figure, its trend and the date it is expected to reach the plan's threshold (forecast.py), as a
plain document (``forecast_report``) rendered as text, Markdown (and HTML from it) and JSON.

JSON: ``measured_from``, ``measured_to``, ``measurements``, ``scale`` (the app's latest measured
scale, or null), ``phase`` (1-based, its ``from`` / ``to``), ``triggers: [{component, metric,
limit, threshold, current, measured_as, model, eta_date, eta_low, eta_high, reached, note}]``
(dates ISO 8601, null where not within ``horizon_days`` or not measured) and ``series`` (each
watched series' points and fit, for charts).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ..engine.result import Plan
from ..forecast import HORIZON_DAYS, LEVEL, Fit, eta, fit_series, series_for
from ..measure.model import Measurement, figure_unit
from ..metrics import METRICS, metric_words
from ..units import plural
from .fmt import fmt_num, rounded

__all__ = ["forecast_report", "forecast_markdown", "forecast_lines"]


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.astimezone(dt.UTC).date().isoformat()


def _stamp(t: dt.datetime) -> str:
    return t.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _fit_dict(f: Fit) -> dict[str, Any]:
    """The fit's parameters (forecast.Fit), enough to redraw it and its interval."""
    return {"model": f.model, "a": f.a, "b": f.b, "t0": _stamp(f.t0), "n": f.n, "s": f.s, "t_mean": f.t_mean, "sxx": f.sxx}


def forecast_report(
    the_plan: Plan, unit: str, history: list[Measurement], units: float | None = None, horizon_days: float = HORIZON_DAYS
) -> dict[str, Any]:
    """The forecast of ``the_plan``'s current phase from ``history`` (oldest first, not empty);
    ``units``: the app's scale now, else the latest measured one."""
    scale = units if units is not None else next((m.units for m in reversed(history) if m.units is not None), None)
    if scale is None:
        index, scale_note = 1, "the app's scale was not measured (--units): the first phase is assumed"
    elif scale < the_plan.first:
        index, scale_note = 1, None
    else:
        index, scale_note = the_plan.phase_index(int(scale)), None
    phase = the_plan.phases[index - 1]
    last_at = history[-1].measured_at
    unit_points = [(m.measured_at, m.units) for m in history if m.units is not None]
    unit_fit = fit_series([(t, float(u)) for t, u in unit_points]) if len(unit_points) >= 2 else None
    triggers = []
    series = []
    for w in phase.watch:
        known = METRICS.get(w.metric)
        measured_at_all = any(w.metric in x.components.get(w.component, {}) for x in history)
        if known is not None and not known.headroom and not measured_at_all:
            continue  # a configured count (seats, monitors) does not drift: nothing to forecast
        row: dict[str, Any] = {
            "component": w.component,
            "metric": w.metric,
            "limit": rounded(w.limit, 6),
            "threshold": rounded(w.threshold, 6),
            "current": None,
            "measured_as": None,
            "model": None,
            "eta_date": None,
            "eta_low": None,
            "eta_high": None,
            "reached": False,
            "note": None,
        }
        found = series_for([(m.measured_at, m.components.get(w.component, {})) for m in history], w.metric)
        if found is None:
            if unit_fit is not None and w.at is not None and unit_points:
                # not measured, but the scale is: the plan says at what scale the limit is reached
                e = eta(unit_fit, float(w.at), unit_points[-1][0], float(unit_points[-1][1]), horizon_days)
                row.update(
                    model=f"scale ({unit_fit.model})",
                    eta_date=_iso(e.at),
                    eta_low=_iso(e.low),
                    eta_high=_iso(e.high),
                    reached=e.reached,
                    note=f"not measured; the plan reaches it at {w.at:,} {plural(unit)}, dated by the scale's trend",
                )
            else:
                row["note"] = "not measured"
            triggers.append(row)
            continue
        name, pts = found
        current = pts[-1][1]
        row.update(current=rounded(current, 6), measured_as=name)
        f = fit_series(pts)
        if f is None:
            row["note"] = "one measurement: measure again later for a trend"
            if current >= w.threshold:
                row.update(reached=True, eta_date=_iso(pts[-1][0]), eta_low=_iso(pts[-1][0]), eta_high=_iso(pts[-1][0]))
        else:
            e = eta(f, w.threshold, pts[-1][0], current, horizon_days)
            row.update(model=f.model, eta_date=_iso(e.at), eta_low=_iso(e.low), eta_high=_iso(e.high), reached=e.reached)
            if e.at is None and not e.reached:
                row["note"] = f"not within {horizon_days / 365 * 12:.0f} months"
            elif f.s is None and not e.reached:
                row["note"] = f"{f.n} measurements: no interval yet"
        series.append(
            {
                "component": w.component,
                "metric": w.metric,
                "threshold": rounded(w.threshold, 6),
                "points": [[_stamp(p[0]), rounded(p[1], 6)] for p in pts],
                "fit": None if f is None else _fit_dict(f),
            }
        )
        triggers.append(row)
    triggers.sort(key=lambda r: (r["eta_date"] is None, r["eta_date"] or "", r["component"], r["metric"]))
    notes = [n for n in (scale_note,) if n]
    return {
        "measured_from": _iso(history[0].measured_at),
        "measured_to": _iso(last_at),
        "measurements": len(history),
        "unit": unit,
        "scale": scale,
        "phase": {"index": index, "from": phase.start, "to": phase.end},
        "horizon_days": horizon_days,
        "interval_level": LEVEL,
        "triggers": triggers,
        "series": series,
        "notes": notes,
    }


def _when(r: dict[str, Any]) -> str:
    if r["reached"]:
        return "reached"
    if r["eta_date"] is None:
        return r["note"] or "-"
    if r["eta_low"] and r["eta_high"]:
        return f"{r['eta_date']} ({r['eta_low']} to {r['eta_high']})"
    if r["eta_low"]:
        return f"{r['eta_date']} (from {r['eta_low']}; the latest not within the horizon)"
    return r["eta_date"]


def _figure(r: dict[str, Any], key: str) -> str:
    v = r[key]
    if v is None:
        return "-"
    unit = figure_unit(r["metric"])
    return f"{fmt_num(v)} {unit}".strip()


def _rows(doc: dict[str, Any]) -> list[list[str]]:
    return [
        [
            r["component"],
            metric_words(r["metric"]),
            _figure(r, "current"),
            _figure(r, "threshold"),
            _when(r),
        ]
        for r in doc["triggers"]
    ]


HEADER = ["component", "limit on", "now", "plan moves at", "expected (interval)"]


def _intro(doc: dict[str, Any]) -> str:
    ph = doc["phase"]
    to = f"{ph['to']:,}" if ph["to"] is not None else "on"
    scale = f"{doc['scale']:,.0f} {plural(doc['unit'])}" if doc["scale"] is not None else "scale not measured"
    return (
        f"{doc['measurements']} measurements, {doc['measured_from']} to {doc['measured_to']}; {scale}: "
        f"phase {ph['index']} ({ph['from']:,} to {to} {plural(doc['unit'])}). Dates where each limit of the "
        f"phase's stack reaches the threshold the plan moves at, with a {doc['interval_level']:.0%} interval."
    )


def forecast_lines(doc: dict[str, Any]) -> list[str]:
    """The forecast as plain lines (the terminal's table is drawn from _rows too)."""
    out = [_intro(doc), ""]
    widths = [max(len(x) for x in col) for col in zip(HEADER, *_rows(doc), strict=True)]
    for row in [HEADER, *_rows(doc)]:
        out.append("  ".join(c.ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    out += [f"note: {n}" for n in doc["notes"]]
    return out


def forecast_markdown(doc: dict[str, Any]) -> str:
    lines = ["# Forecast", "", _intro(doc), ""]
    lines += ["| " + " | ".join(HEADER) + " |", "|" + "---|" * len(HEADER)]
    for row in _rows(doc):
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in row) + " |")
    if doc["notes"]:
        lines += [""] + [f"- {n}" for n in doc["notes"]]
    return "\n".join(lines) + "\n"
