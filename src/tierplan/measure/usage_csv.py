"""A usage export as CSV, for when the app's services cannot be reached from where tierplan runs:
one figure a row, ``component,metric,value`` and optionally ``date`` (YYYY-MM-DD), in any column
order. Metric names are the catalog's (metrics.py; ``tierplan measure --help`` points there), so a
provider's own export needs its column names mapped once (docs/measure.md shows a spreadsheet
formula). Rows with a date become one measurement per date in the history, the latest also what
``measure`` prints; rows without one belong to the measurement being made.
"""

from __future__ import annotations

import csv
import datetime as dt
import math
from pathlib import Path

from ..errors import InputError, Problem
from ..metrics import METRICS
from .model import EXTRA_FIGURES

__all__ = ["read_usage_csv", "REQUIRED_COLUMNS"]

REQUIRED_COLUMNS = ("component", "metric", "value")

#: usage by date (None: undated rows) -> component -> metric -> value
Usage = dict[dt.date | None, dict[str, dict[str, float]]]


def read_usage_csv(path: Path, components: set[str]) -> Usage:
    """The rows of ``path``; InputError naming the file, line and column of every bad row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except OSError as e:
        raise InputError(path, f"cannot read: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise InputError(path, "not UTF-8 text (save the export as CSV UTF-8)") from None
    reader = csv.DictReader(text.splitlines())
    header = [h.strip().lower() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise InputError(
            path,
            f"line 1: the header needs the columns {', '.join(REQUIRED_COLUMNS)} (and may have date); missing: {', '.join(missing)}",
        )
    reader.fieldnames = header
    out: Usage = {}
    problems: list[Problem] = []
    for n, row in enumerate(reader, 2):
        if not any((v or "").strip() for v in row.values()):
            continue
        comp = (row.get("component") or "").strip()
        metric = (row.get("metric") or "").strip()
        raw = (row.get("value") or "").strip()
        raw_date = (row.get("date") or "").strip()
        if comp not in components:
            problems.append(Problem("component", f"{comp!r} is not a component of the profile ({', '.join(sorted(components))})", n))
            continue
        if metric not in METRICS and metric not in EXTRA_FIGURES:
            problems.append(Problem("metric", f"{metric!r} is not a metric tierplan knows (see docs/measure.md)", n))
            continue
        try:
            value = float(raw)
        except ValueError:
            problems.append(Problem("value", f"{raw!r} is not a number", n))
            continue
        if not math.isfinite(value) or value < 0:
            problems.append(Problem("value", f"{raw!r} must be a finite number >= 0", n))
            continue
        day: dt.date | None = None
        if raw_date:
            try:
                day = dt.date.fromisoformat(raw_date)
            except ValueError:
                problems.append(Problem("date", f"{raw_date!r} is not a date (YYYY-MM-DD)", n))
                continue
        out.setdefault(day, {}).setdefault(comp, {})[metric] = value
    if problems:
        raise InputError(path, problems)
    if not out:
        raise InputError(path, "no rows under the header")
    return out
