"""One measurement of the running app from the sources given: each source's figures filed under
the profile's component they belong to (``[COMPONENT=]SOURCE``: the component may be left out when
the profile has one component the source can describe)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import TierplanError, usage_error
from ..metrics import SECONDS_PER_DAY
from ..profile import Profile
from .access_log import LogFormat, summarize
from .model import Measurement, Source
from .secrets import redact

__all__ = ["Sources", "measure", "KINDS_OF_SOURCE"]

#: the component kinds each source can describe
KINDS_OF_SOURCE: dict[str, tuple[str, ...]] = {
    "postgres": ("postgres",),
    "redis": ("redis", "kv"),
    "access_log": ("web_service", "realtime", "web_frontend"),
}

_PREFIX = re.compile(r"^(?P<name>[A-Za-z_][A-Za-z0-9_-]*)=(?P<rest>.+)$", re.S)


@dataclass
class Sources:
    """What ``tierplan measure`` was given. Values may start with ``COMPONENT=``."""

    postgres: list[str] = field(default_factory=list)
    redis: list[str] = field(default_factory=list)
    access_logs: list[str] = field(default_factory=list)
    log_format: LogFormat = LogFormat.combined
    prometheus: list[str] = field(default_factory=list)
    usage_csv: list[Path] = field(default_factory=list)
    #: the app's scale now (users, coops), when the caller knows it
    units: float | None = None
    #: seconds between the two readings of a rate
    seconds: float = 5.0

    def empty(self) -> bool:
        return not (self.postgres or self.redis or self.access_logs or self.prometheus or self.usage_csv)


def _component(profile: Profile, source: str, value: str, secret: bool) -> tuple[str, str]:
    """(component, the source's own value) for ``[COMPONENT=]VALUE``; a usage error (exit 2)
    when the component is not named and several could be meant."""
    kinds = KINDS_OF_SOURCE[source]
    fitting = sorted(n for n, c in profile.components.items() if c.kind in kinds)
    m = _PREFIX.match(value)
    if m and m.group("name") in profile.components:
        name = m.group("name")
        if name not in fitting:
            raise usage_error(
                f"--{source.replace('_', '-')}: component {name!r} is a {profile.components[name].kind}, not one of {', '.join(kinds)}"
            )
        return name, m.group("rest")
    shown = redact(value) if secret else value
    if len(fitting) == 1:
        return fitting[0], value
    if not fitting:
        raise usage_error(f"--{source.replace('_', '-')} {shown}: the profile has no {' or '.join(kinds)} component")
    raise usage_error(
        f"--{source.replace('_', '-')} {shown}: the profile has several components it could describe ({', '.join(fitting)})",
        hint=f"name one: --{source.replace('_', '-')} {fitting[0]}=...",
    )


def measure(profile: Profile, sources: Sources, now: dt.datetime) -> list[Measurement]:
    """The measurements, oldest first: one a date of a usage CSV's dated rows (at 00:00 UTC that
    day), then the one made ``now`` from everything else (when it has figures). Raises InputError / TierplanError naming the source that failed (secrets
    redacted)."""
    from .postgres import measure_postgres
    from .prometheus import scrape
    from .redis_source import measure_redis
    from .usage_csv import read_usage_csv

    if sources.empty():
        raise usage_error("nothing to measure: give at least one of --postgres, --redis, --access-log, --prometheus, --usage-csv")
    m = Measurement(now, sources.units)
    servers = (("postgres", sources.postgres, measure_postgres), ("redis", sources.redis, measure_redis))
    for kind, values, read in servers:
        for value in values:
            comp, dsn = _component(profile, kind, value, secret=True)
            figures, notes = read(dsn, sources.seconds)
            m.add(comp, figures)
            m.notes += notes
            m.sources.append(Source(kind, comp, redact(dsn)))
    for value in sources.access_logs:
        comp, log = _component(profile, "access_log", value, secret=False)
        s = summarize(Path(log), sources.log_format)
        m.add(comp, s.figures())
        m.sources.append(Source("access_log", comp, log))
        if s.skipped:
            m.notes.append(f"{log}: {s.skipped:,} lines not read as {sources.log_format} (the first at line {s.first_skipped_line})")
        if s.days < 1:
            m.notes.append(f"{log}: covers {s.days * 24:.1f} hours; daily figures are extrapolated from them")
    for value in sources.prometheus:
        by_service, notes = scrape(value, sources.seconds)
        m.notes += notes
        for service, figures in by_service.items():
            if service not in profile.components:
                m.notes.append(f"{value}: service {service!r} is not a component of the profile; left out")
                continue
            m.add(service, figures)
            m.sources.append(Source("prometheus", service, value))
    dated: dict[dt.date, Measurement] = {}
    for path in sources.usage_csv:
        for day, usage in read_usage_csv(path, set(profile.components)).items():
            # a dated row is a measurement of its own day; an undated one belongs to this one
            into = m if day is None else dated.setdefault(day, Measurement(dt.datetime.combine(day, dt.time(), dt.UTC), None))
            for comp, figures in usage.items():
                into.add(comp, figures)
                into.sources.append(Source("usage_csv", comp, str(path)))
    out = [dated[d] for d in sorted(dated)]
    if m.components:
        out.append(m)
    elif not out:
        raise TierplanError(
            "the sources gave no figure for any component of the profile" + "".join(f"\n  - {n}" for n in m.notes)
        )
    else:
        # only dated figures: the latest date is "now" for the scale and the notes given
        out[-1].notes += m.notes
        if out[-1].units is None:
            out[-1].units = m.units
    return out


#: cumulative counters, and the rates each gives over the time between two measurements
#: (name -> factor from per second)
COUNTERS: dict[str, dict[str, float]] = {
    "transactions_total": {"transactions_per_s": 1.0},
    "commands_total": {"commands_per_s": 1.0, "commands_per_day": SECONDS_PER_DAY},
}
#: the least time between two measurements for a rate taken over it
MIN_SECONDS_BETWEEN = 60.0


def rates_since(past: list[Measurement], m: Measurement) -> Measurement:
    """``m`` with each rate a cumulative counter gives taken over the time since the latest earlier
    measurement of that counter at least a minute before (``past``, oldest first; the counter not
    reset meanwhile) instead of over the few seconds of one reading: the servers publish some
    counters late (PostgreSQL 15+: up to a minute), and a longer span averages the app's ups and
    downs. A note says which figures, over how long."""
    changed = []
    for comp, figures in m.components.items():
        for counter, rates in COUNTERS.items():
            if counter not in figures:
                continue
            before = max(
                (
                    p
                    for p in past
                    if counter in p.components.get(comp, {})
                    and (m.measured_at - p.measured_at).total_seconds() >= MIN_SECONDS_BETWEEN
                ),
                key=lambda p: p.measured_at,
                default=None,
            )
            if before is None or figures[counter] < before.components[comp][counter]:
                continue  # nothing long enough before, or the server restarted (the count began again)
            span = (m.measured_at - before.measured_at).total_seconds()
            per_s = (figures[counter] - before.components[comp][counter]) / span
            for name, factor in rates.items():
                figures[name] = per_s * factor
            changed.append(f"{comp} {', '.join(rates)} over the {span / 60:,.0f} minutes since {before.measured_at:%Y-%m-%d %H:%M} UTC")
    if changed:
        m.notes.append("rates since an earlier measurement: " + "; ".join(changed))
    return m
