"""The Prometheus text exposition format: the ``tierplan_usage{service, metric}`` series the
generated alert rules read (gen/monitoring.py), from a saved file or a /metrics URL on this machine,
parsed with the official client's parser.

A level (a metric without a period: storage_gb, connections) is read as it stands. A flow (per day
or per month) is published as a counter that only grows, so one reading says nothing of its rate:
from a URL the page is read twice ``seconds`` apart and the increase becomes the flow; from a file
flows are left out with a note.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

from ..errors import InputError, TierplanError
from ..metrics import DAYS_PER_MONTH, METRICS, SECONDS_PER_DAY

__all__ = ["read_exposition", "usage_of", "scrape", "LOCAL_HOSTS", "USAGE_SERIES"]

USAGE_SERIES = "tierplan_usage"
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def usage_of(text: str, where: str) -> dict[tuple[str, str], float]:
    """(service, metric) -> value of every ``tierplan_usage`` sample in an exposition. InputError
    when the text is not the exposition format."""
    from prometheus_client.parser import text_string_to_metric_families

    out: dict[tuple[str, str], float] = {}
    try:
        for fam in text_string_to_metric_families(text):
            for s in fam.samples:
                if s.name not in (USAGE_SERIES, f"{USAGE_SERIES}_total"):
                    continue
                service, metric = s.labels.get("service"), s.labels.get("metric")
                if service and metric:
                    out[(service, metric)] = out.get((service, metric), 0.0) + float(s.value)
    except (ValueError, TypeError, IndexError) as e:
        raise InputError(where, f"not the Prometheus text exposition format: {e}") from None
    return out


def read_exposition(source: str) -> str:
    """The exposition text of a file, or of an http(s) URL on this machine."""
    if "://" not in source:
        try:
            return Path(source).read_text(encoding="utf-8")
        except OSError as e:
            raise InputError(source, f"cannot read: {e.strerror or e}") from None
    parts = urlsplit(source)
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in LOCAL_HOSTS:
        raise InputError(
            source,
            "a metrics URL must be http(s) on this machine (localhost, 127.0.0.1 or ::1)",
            hint="tierplan does not reach the network; save the page with curl and pass the file",
        )
    try:
        with urllib.request.urlopen(source, timeout=10) as r:  # noqa: S310 - a local http(s) URL, checked above
            return r.read().decode("utf-8", errors="replace")
    except (urllib.error.URLError, OSError) as e:
        raise TierplanError(f"cannot read {source}: {getattr(e, 'reason', e)}") from None


def scrape(source: str, seconds: float) -> tuple[dict[str, dict[str, float]], list[str]]:
    """Per component (the series' ``service``), the figures; and notes."""
    first = usage_of(read_exposition(source), source)
    notes: list[str] = []
    second: dict[tuple[str, str], float] | None = None
    t0 = time.monotonic()
    is_url = "://" in source
    if is_url and any(_period(m) != "none" for _s, m in first):
        time.sleep(seconds)
        second = usage_of(read_exposition(source), source)
    elapsed = max(time.monotonic() - t0, 1e-9)
    out: dict[str, dict[str, float]] = {}
    for (service, metric), v in sorted(first.items()):
        period = _period(metric)
        if period is None:
            notes.append(f"{source}: {USAGE_SERIES} metric {metric!r} is not in the catalog's vocabulary; left out")
            continue
        if period == "none":
            out.setdefault(service, {})[metric] = v
            continue
        if second is None or (service, metric) not in second:
            notes.append(
                f"{source}: {service} {metric} is a counter; its rate needs two readings (a /metrics URL)"
            )
            continue
        per_day = max(0.0, second[(service, metric)] - v) / elapsed * SECONDS_PER_DAY
        out.setdefault(service, {})[metric] = per_day if period == "day" else per_day * DAYS_PER_MONTH
    return out, notes


def _period(metric: str) -> str | None:
    m = METRICS.get(metric)
    return None if m is None else m.period
