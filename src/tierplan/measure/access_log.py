"""HTTP access logs: requests per day, peak requests per second (the busiest minute), bytes sent,
distinct users a day where the log names users.

Two formats: ``combined`` (nginx's and Apache's default, ``%h %l %u %t "%r" %>s %b "%{Referer}i"
"%{User-agent}i"``; ``common``, without the last two fields, reads too) and ``json`` (one object a
line, as nginx's ``escape=json`` log formats and most platforms' log drains write it: a time under
``time``, ``timestamp``, ``@timestamp`` or ``time_local`` as ISO 8601, epoch seconds or the
combined format's own; bytes under ``body_bytes_sent``, ``bytes_sent``, ``bytes`` or ``size``; a
user under ``remote_user``, ``user``, ``user_id`` or ``uid``). A file starting with gzip's magic
bytes is read through gzip whatever its name. Rates are per day of the time the log covers.
"""

from __future__ import annotations

import datetime as dt
import gzip
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from ..errors import InputError, Problem
from ..metrics import DAYS_PER_MONTH, SECONDS_PER_DAY
from .model import BYTES_PER_GB

__all__ = ["LogFormat", "LogSummary", "read_access_log", "summarize"]



class LogFormat(StrEnum):
    """The access-log formats read (``--log-format``)."""

    combined = "combined"
    json = "json"

_COMBINED = re.compile(
    r'^(?P<host>\S+) (?P<ident>\S+) (?P<user>\S+) \[(?P<time>[^\]]+)\] "(?P<request>(?:[^"\\]|\\.)*)" '
    r"(?P<status>\d{3}|-) (?P<bytes>\d+|-)(?: .*)?$"
)
_CLF_TIME = "%d/%b/%Y:%H:%M:%S %z"
_TIME_KEYS = ("time", "timestamp", "@timestamp", "time_local", "time_iso8601", "ts")
_BYTES_KEYS = ("body_bytes_sent", "bytes_sent", "bytes", "size", "response_size")
_USER_KEYS = ("remote_user", "user", "user_id", "uid")
#: lines with a problem listed in an error (the count of the others follows)
SHOWN_BAD_LINES = 5


@dataclass(frozen=True)
class Hit:
    at: dt.datetime
    bytes_sent: int
    user: str | None


@dataclass(frozen=True)
class LogSummary:
    requests: int
    first: dt.datetime
    last: dt.datetime
    bytes_sent: int
    #: requests in the busiest minute
    peak_minute_requests: int
    #: distinct users each calendar day (UTC) that has any named user
    users_by_day: dict[dt.date, int]
    skipped: int
    first_skipped_line: int | None

    @property
    def days(self) -> float:
        """The time the log covers, in days: from its first to its last request, at least a minute."""
        return max((self.last - self.first).total_seconds(), 60.0) / SECONDS_PER_DAY

    def figures(self) -> dict[str, float]:
        per_day = self.requests / self.days
        out = {
            "requests": float(self.requests),
            "log_days": self.days,
            "requests_per_day": per_day,
            "requests_per_month": per_day * DAYS_PER_MONTH,
            "peak_rps": self.peak_minute_requests / 60.0,
            "egress_gb_per_month": self.bytes_sent / BYTES_PER_GB / self.days * DAYS_PER_MONTH,
        }
        if self.users_by_day:
            out["daily_active_users"] = sum(self.users_by_day.values()) / len(self.users_by_day)
        return out


def _open(path: Path) -> IO[str]:
    with path.open("rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        return gzip.open(path, "rt", encoding="utf-8", errors="replace")
    return path.open("r", encoding="utf-8", errors="replace")


def _parse_time(v: Any) -> dt.datetime:
    if isinstance(v, int | float) and not isinstance(v, bool):
        return dt.datetime.fromtimestamp(float(v) / (1000.0 if v > 1e11 else 1.0), dt.UTC)
    if not isinstance(v, str):
        raise ValueError("the time is neither text nor a number")
    s = v.strip()
    try:
        t = dt.datetime.fromisoformat(s.replace("Z", "+00:00"))
    except ValueError:
        t = dt.datetime.strptime(s, _CLF_TIME)
    if t.tzinfo is None:
        raise ValueError(f"time {s!r} has no UTC offset")
    return t


def _combined(line: str) -> Hit:
    m = _COMBINED.match(line)
    if m is None:
        raise ValueError("not a combined (or common) log line")
    b = m.group("bytes")
    u = m.group("user")
    return Hit(dt.datetime.strptime(m.group("time"), _CLF_TIME), 0 if b == "-" else int(b), None if u == "-" else u)


def _json(line: str) -> Hit:
    try:
        obj = json.loads(line)
    except json.JSONDecodeError as e:
        raise ValueError(f"not JSON ({e.msg})") from None
    if not isinstance(obj, dict):
        raise ValueError("not a JSON object")
    key = next((k for k in _TIME_KEYS if k in obj), None)
    if key is None:
        raise ValueError(f"no time (one of {', '.join(_TIME_KEYS)})")
    at = _parse_time(obj[key])
    size = next((obj[k] for k in _BYTES_KEYS if k in obj), 0)
    user = next((obj[k] for k in _USER_KEYS if obj.get(k) not in (None, "", "-")), None)
    return Hit(at, _bytes(size), None if user is None else str(user))


def _bytes(v: Any) -> int:
    """A byte count as logged ("512", 512, "-" for none)."""
    try:
        return max(0, int(float(v)))
    except (TypeError, ValueError):
        return 0


def read_access_log(path: Path, fmt: LogFormat) -> Iterator[tuple[int, Hit | str]]:
    """(line number, the request or why the line was not read), blank lines left out."""
    parse = _combined if fmt == "combined" else _json
    with _open(path) as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\r\n")
            if not line.strip():
                continue
            try:
                yield n, parse(line)
            except ValueError as e:
                yield n, str(e)


def summarize(path: Path, fmt: LogFormat) -> LogSummary:
    """The access log's summary; InputError naming the file and lines when no line can be read."""
    minutes: Counter[dt.datetime] = Counter()
    users: dict[dt.date, set[str]] = defaultdict(set)
    requests = bytes_sent = skipped = 0
    first = last = None
    bad: list[Problem] = []
    try:
        for n, hit in read_access_log(path, fmt):
            if isinstance(hit, str):
                skipped += 1
                if len(bad) < SHOWN_BAD_LINES:
                    bad.append(Problem("", hit, n))
                continue
            requests += 1
            bytes_sent += hit.bytes_sent
            at = hit.at.astimezone(dt.UTC)
            minutes[at.replace(second=0, microsecond=0)] += 1
            first = at if first is None or at < first else first
            last = at if last is None or at > last else last
            if hit.user is not None:
                users[at.date()].add(hit.user)
    except (OSError, EOFError, gzip.BadGzipFile) as e:
        raise InputError(path, f"cannot read the access log: {e}") from None
    if first is None or last is None:
        if not bad:
            raise InputError(path, "the access log has no request lines")
        raise InputError(
            path,
            bad,
            hint=f"--log-format {fmt} was given; the other format is {'json' if fmt == 'combined' else 'combined'}",
        )
    return LogSummary(
        requests,
        first,
        last,
        bytes_sent,
        max(minutes.values()),
        {d: len(s) for d, s in users.items()},
        skipped,
        bad[0].line if bad else None,
    )
