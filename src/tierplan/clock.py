"""Today's date, overridable with SOURCE_DATE_EPOCH for reproducible reports and tests."""

from __future__ import annotations

import datetime as dt
import os

__all__ = ["today"]


def today() -> dt.date:
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC).date()
    return dt.date.today()
