"""The CLI of measuring the running app and forecasting its limits: ``tierplan measure`` and
``tierplan forecast`` (registered on cli.app when cli.py is imported; the helpers are cli.py's)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer

from .cli import (
    CatalogOpt,
    ForceOpt,
    Format,
    FormatOpt,
    OutputOpt,
    ProfileArg,
    TextJsonFormat,
    _err,
    _html,
    _status,
    _write,
    app,
    handled,
)
from .errors import TierplanError, usage_error
from .measure.access_log import LogFormat

__all__ = ["measure", "forecast", "calibrate", "watch"]

HistoryOpt = Annotated[
    Path | None,
    typer.Option("--history", help="The SQLite history of measurements (created when missing; appended to)."),
]


# the sources of a measurement (measure, watch)
PostgresOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--postgres",
        envvar="TIERPLAN_POSTGRES",
        help="[COMPONENT=]DSN of a PostgreSQL database, read-only (or the environment's TIERPLAN_POSTGRES; a password may come from PGPASSWORD or ~/.pgpass). Shown redacted.",
        show_default=False,
    ),
]
RedisOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--redis",
        envvar="TIERPLAN_REDIS",
        help="[COMPONENT=]URL of a Redis server (redis://[:password@]host:port/db, or TIERPLAN_REDIS). Shown redacted.",
        show_default=False,
    ),
]
AccessLogOpt = Annotated[
    list[str] | None,
    typer.Option("--access-log", help="[COMPONENT=]FILE: an HTTP access log (gzip too).", show_default=False),
]
LogFormatOpt = Annotated[
    LogFormat, typer.Option("--log-format", help="combined (nginx, Apache; common too) or json (one object a line).")
]
PrometheusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--prometheus", help="A /metrics URL on this machine or a saved file: its tierplan_usage series.", show_default=False
    ),
]
UsageCsvOpt = Annotated[
    list[Path] | None,
    typer.Option("--usage-csv", help="A usage export: CSV with component,metric,value[,date].", show_default=False),
]
UnitsNowOpt = Annotated[
    float | None,
    typer.Option("--units", min=0, help="The app's scale now, in the profile's unit (users, coops...)."),
]
SecondsOpt = Annotated[
    float, typer.Option("--seconds", min=0.5, max=600, help="Seconds between the two readings of a rate.")
]


def _sources(
    postgres: list[str] | None,
    redis: list[str] | None,
    access_log: list[str] | None,
    log_format: LogFormat,
    prometheus: list[str] | None,
    usage_csv: list[Path] | None,
    units: float | None,
    seconds: float,
) -> Any:
    from .measure.collect import Sources

    return Sources(
        postgres=list(postgres or []),
        redis=list(redis or []),
        access_logs=list(access_log or []),
        log_format=log_format,
        prometheus=list(prometheus or []),
        usage_csv=list(usage_csv or []),
        units=units,
        seconds=seconds,
    )


@app.command()
@handled
def measure(
    profile: ProfileArg,
    postgres: PostgresOpt = None,
    redis: RedisOpt = None,
    access_log: AccessLogOpt = None,
    log_format: LogFormatOpt = LogFormat.combined,
    prometheus: PrometheusOpt = None,
    usage_csv: UsageCsvOpt = None,
    units: UnitsNowOpt = None,
    seconds: SecondsOpt = 5.0,
    history: HistoryOpt = None,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """Measure the running app (read-only) in the plan's vocabulary, and add it to a history."""
    from .measure.collect import measure as collect
    from .measure.history import append
    from .measure.model import measurement_dict
    from .profile import load_profile

    prof = load_profile(profile)
    sources = _sources(postgres, redis, access_log, log_format, prometheus, usage_csv, units, seconds)
    with _status("measuring"):
        made = collect(prof, sources, dt.datetime.now(dt.UTC))
    if history is not None:
        made = _with_rates(history, made)
        append(history, prof.name, made)
        _err().print(f"added {len(made)} measurement{'s' if len(made) > 1 else ''} to {history}", markup=False)
    doc = measurement_dict(made[-1])
    _emit_measurement(doc, format, output, force, prof.scale.unit)


def _with_rates(history: Path, made: list[Any]) -> list[Any]:
    """Each new measurement with its counters' rates taken over the time since an earlier one (of
    the history, or made with it): collect.rates_since."""
    from .measure.collect import rates_since
    from .measure.history import read_history

    past = read_history(history) if history.is_file() else []
    out = []
    for m in made:
        out.append(rates_since(past, m))
        past.append(m)
    return out


def _measurement_markdown(doc: dict[str, Any], unit: str) -> str:
    from .measure.model import figure_unit
    from .metrics import metric_words
    from .report.fmt import fmt_num
    from .units import plural

    at = f", at {doc['units']:,.0f} {plural(unit)}." if doc["units"] is not None else "."
    lines = ["# Measurement", "", f"Measured at {doc['measured_at']}{at}", ""]
    lines += ["| component | figure | value |", "|---|---|---:|"]
    for comp, figures in doc["components"].items():
        for k, v in figures.items():
            lines.append(f"| {comp} | {metric_words(k)} (`{k}`) | {fmt_num(v)} {figure_unit(k)} |")
    lines += ["", "Sources:", ""] + [f"- {s['kind']} for {s['component']}: `{s['where']}`" for s in doc["sources"]]
    if doc["notes"]:
        lines += ["", "Notes:", ""] + [f"- {n}" for n in doc["notes"]]
    return "\n".join(lines) + "\n"


def _emit_measurement(doc: dict[str, Any], format: Format, output: Path | None, force: bool, unit: str) -> None:
    if format is Format.json:
        _write(json.dumps(doc, indent=2, ensure_ascii=False), output, force)
    elif format is Format.html:
        _html(_measurement_markdown(doc, unit), output, force)
    else:
        _write(_measurement_markdown(doc, unit), output, force)


@app.command()
@handled
def forecast(
    profile: ProfileArg,
    history: Annotated[Path, typer.Option("--history", help="The history `tierplan measure --history` wrote.")],
    units: Annotated[
        float | None,
        typer.Option("--units", min=0, help="The app's scale now (default: the latest measured with --units)."),
    ] = None,
    horizon_months: Annotated[
        int, typer.Option("--horizon-months", min=1, max=120, help="How far ahead to look for each date.")
    ] = 24,
    format: FormatOpt = Format.text,
    output: OutputOpt = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Forecast the date each limit of the plan's current phase is reached, from the history."""
    from .api import make_planner
    from .engine.plan import plan as make_plan
    from .measure.history import read_history
    from .report.charts import forecast_chart_svg
    from .report.forecast import forecast_lines, forecast_markdown, forecast_report

    made = read_history(history)
    if not made:
        raise TierplanError(f"{history}: the history has no measurement yet", hint="run tierplan measure ... --history FILE")
    planner = make_planner(profile, catalog_dir=catalog)
    with _status("planning"):
        the_plan = make_plan(planner)
    doc = forecast_report(the_plan, planner.profile.scale.unit, made, units, horizon_months * 365 / 12)
    if format is Format.json:
        _write(json.dumps(doc, indent=2, ensure_ascii=False), output, force)
    elif format is Format.md:
        _write(forecast_markdown(doc), output, force)
    elif format is Format.html:
        from .report.html import html_page

        svg = forecast_chart_svg(doc)
        _write(html_page(forecast_markdown(doc), after_h1=f'<div class="chart">{svg}</div>' if svg else ""), output, force)
    else:
        _write("\n".join(forecast_lines(doc)), output, force)


def _latest_figures(made: list[Any]) -> dict[str, dict[str, float]]:
    """Each component's figures as last measured (a later measurement overrides an earlier one)."""
    out: dict[str, dict[str, float]] = {}
    for m in made:
        for comp, figures in m.components.items():
            out.setdefault(comp, {}).update(figures)
    return out


def _scale_now(made: list[Any], units: float | None, history: Path) -> float:
    if units is not None:
        return units
    for m in reversed(made):
        if m.units is not None:
            return float(m.units)
    raise usage_error(
        f"{history}: no measurement says the app's scale",
        hint="give it: --units N (users, coops: the profile's unit), or measure with --units",
    )


@app.command()
@handled
def calibrate(
    profile: ProfileArg,
    history: Annotated[Path, typer.Option("--history", help="The history `tierplan measure --history` wrote.")],
    units: Annotated[
        float | None,
        typer.Option("--units", min=1, help="The app's scale when measured (default: the latest measured with --units)."),
    ] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
    format: Annotated[
        TextJsonFormat,
        typer.Option("--format", "-f", help="text: the calibrated profile (YAML); json: the changes."),
    ] = TextJsonFormat.text,
    catalog: CatalogOpt = None,
) -> None:
    """Write the profile with its activity figures fitted to the measurements, each change
    commented (old value, new value, evidence); `tierplan diff` of the two shows what it changes."""
    from .api import make_planner
    from .calibrate import calibrate as fit
    from .clock import today
    from .measure.history import read_history
    from .metrics import metric_words
    from .profile import parse_profile
    from .profile_edit import set_values
    from .report.fmt import fmt_num
    from .units import plural
    from .yamlio import parse_yaml, read_text

    made = read_history(history)
    if not made:
        raise TierplanError(f"{history}: the history has no measurement yet", hint="run tierplan measure ... --history FILE")
    planner = make_planner(profile, catalog_dir=catalog)
    scale = _scale_now(made, units, history)
    unit = planner.profile.scale.unit
    _fitted, changes, skipped = fit(planner.profile.point_data, planner.assumptions, scale, _latest_figures(made), str(profile))
    day = today().isoformat()
    edits = []
    for c in changes:
        why = (
            f"calibrated {day}: was {fmt_num(c.old)}; measured {fmt_num(c.measured)} {metric_words(c.metric)} "
            f"({c.component}) at {fmt_num(c.units)} {plural(unit)}, the profile gave {fmt_num(c.predicted)}"
        )
        edits.append((c.path, c.new, why))
    text = set_values(read_text(Path(profile), "app profile (app.yaml)"), edits, profile)
    # the edited text must say what was fitted (a self-check, not a user error)
    check = parse_profile(parse_yaml(text, profile)[0], profile).point_data
    for c in changes:
        got = check
        for k in c.path:
            got = got[k]
        assert abs(float(got) - c.new) <= 1e-9 * max(1.0, abs(c.new)), (c.key, got, c.new)
    summary = [
        f"{c.key}: {fmt_num(c.old)} -> {fmt_num(c.new)} (measured {fmt_num(c.measured)} {metric_words(c.metric)} on {c.component}; the profile gave {fmt_num(c.predicted)})"
        for c in changes
    ] + [f"left alone: {s.component} {metric_words(s.metric)}: {s.why}" for s in skipped]
    if format is TextJsonFormat.json:
        doc = {
            "units": scale,
            "changes": [
                {"key": c.key, "old": c.old, "new": c.new, "component": c.component, "metric": c.metric,
                 "measured": c.measured, "predicted": c.predicted}
                for c in changes
            ],
            "skipped": [
                {"component": s.component, "metric": s.metric, "measured": s.measured, "predicted": s.predicted, "why": s.why}
                for s in skipped
            ],
        }
        if output is not None:
            _write(text, output, force)
        _write(json.dumps(doc, indent=2, ensure_ascii=False), None, False)
        return
    _write(text, output, force)
    for line in summary or ["nothing to change: the profile predicts what was measured"]:
        _err().print(line, markup=False, highlight=False)


@app.command()
@handled
def watch(
    profile: ProfileArg,
    history: Annotated[Path, typer.Option("--history", help="The history to append to and forecast from.")],
    postgres: PostgresOpt = None,
    redis: RedisOpt = None,
    access_log: AccessLogOpt = None,
    log_format: LogFormatOpt = LogFormat.combined,
    prometheus: PrometheusOpt = None,
    usage_csv: UsageCsvOpt = None,
    units: UnitsNowOpt = None,
    seconds: SecondsOpt = 5.0,
    within_days: Annotated[
        int, typer.Option("--within-days", min=0, max=3650, help="Exit 4 when a limit may be reached within this many days.")
    ] = 30,
    interval_minutes: Annotated[
        float | None,
        typer.Option("--interval", min=1, max=100_000, help="Measure every this many minutes until a limit is due (default: once)."),
    ] = None,
    systemd: Annotated[
        Path | None,
        typer.Option("--systemd", help="Write a systemd service and timer that run this watch daily to this directory, and exit."),
    ] = None,
    force: ForceOpt = False,
    catalog: CatalogOpt = None,
) -> None:
    """Measure, forecast, and exit 4 when a limit of the plan may be reached within --within-days
    (for cron, a systemd timer or CI); 0 otherwise."""
    import time as clock_time

    from .api import make_planner
    from .engine.plan import plan as make_plan
    from .measure.collect import measure as collect
    from .measure.history import append, read_history
    from .report.forecast import forecast_report

    if systemd is not None:
        _write_systemd(systemd, profile, history, within_days, force)
        return
    prof_planner = make_planner(profile, catalog_dir=catalog)
    the_plan = make_plan(prof_planner)
    sources = _sources(postgres, redis, access_log, log_format, prometheus, usage_csv, units, seconds)
    while True:
        now = dt.datetime.now(dt.UTC)
        append(history, prof_planner.profile.name, _with_rates(history, collect(prof_planner.profile, sources, now)))
        doc = forecast_report(the_plan, prof_planner.profile.scale.unit, read_history(history), units)
        due = _due(doc, now.date(), within_days)
        stamp = now.strftime("%Y-%m-%d %H:%M UTC")
        if due:
            for r in due:
                when = "reached" if r["reached"] else f"may be reached from {r['eta_low'] or r['eta_date']}"
                _write(f"{stamp}: {r['component']} {r['metric']} {when} (the plan moves at {r['threshold']:g})", None, False)
            raise typer.Exit(4)
        _err().print(f"{stamp}: no limit within {within_days} days", markup=False, highlight=False)
        if interval_minutes is None:
            return
        clock_time.sleep(interval_minutes * 60)


def _due(doc: dict[str, Any], day: dt.date, within_days: int) -> list[dict[str, Any]]:
    """Triggers reached, or whose earliest date (the interval's, else the fit's) is within the days."""
    limit = day + dt.timedelta(days=within_days)
    out = []
    for r in doc["triggers"]:
        first = r["eta_low"] or r["eta_date"]
        if r["reached"] or (first is not None and dt.date.fromisoformat(first) <= limit):
            out.append(r)
    return out


def _write_systemd(directory: Path, profile: Path, history: Path, within_days: int, force: bool) -> None:
    """A oneshot service running `tierplan watch` and a daily timer. Secrets stay in an
    EnvironmentFile the user writes (TIERPLAN_POSTGRES, TIERPLAN_REDIS), never in the unit."""
    import shlex

    from .outputs import write_tree

    exe = shlex.quote(sys.argv[0]) if sys.argv and sys.argv[0].endswith("tierplan") else "tierplan"
    cmd = f"{exe} watch {shlex.quote(str(profile.resolve()))} --history {shlex.quote(str(history.resolve()))} --within-days {within_days}"
    service = (
        "# Generated by tierplan watch --systemd: measure the app, forecast its limits, fail (exit 4)\n"
        "# when one may be reached within the days. Put the DSN and URL in the EnvironmentFile, mode 600:\n"
        "#   TIERPLAN_POSTGRES=postgresql://user@host:5432/db   (password in PGPASSWORD= or ~/.pgpass)\n"
        "#   TIERPLAN_REDIS=redis://host:6379/0\n"
        "[Unit]\nDescription=tierplan watch: the hosting plan's limits\n\n"
        "[Service]\nType=oneshot\nEnvironmentFile=-%h/.config/tierplan/watch.env\n"
        f"ExecStart={cmd}\n"
        "# exit 4 marks the unit failed: see it with `systemctl --user status tierplan-watch`, or hook OnFailure=\n"
    )
    timer = (
        "# Generated by tierplan watch --systemd. Enable: systemctl --user enable --now tierplan-watch.timer\n"
        "[Unit]\nDescription=Run tierplan watch daily\n\n"
        "[Timer]\nOnCalendar=daily\nPersistent=true\nRandomizedDelaySec=15m\n\n"
        "[Install]\nWantedBy=timers.target\n"
    )
    write_tree(directory, {"tierplan-watch.service": service, "tierplan-watch.timer": timer}, force, None)
    _err().print(f"wrote tierplan-watch.service and tierplan-watch.timer to {directory}", markup=False)
