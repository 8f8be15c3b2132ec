"""The runbook's outputs: Markdown (templates/runbook.md.j2), the JSON of `--format json`, and
writing it to a file."""

from __future__ import annotations

import re
from dataclasses import asdict
from pathlib import Path
from typing import Any

from ..outputs import write_file
from ..templates_env import environment
from .model import STAGE_TITLES, Runbook, gb, mins

__all__ = ["runbook_json", "render_markdown", "write_runbook"]


def runbook_json(rb: Runbook) -> dict[str, Any]:
    """The structured runbook (the JSON of `tierplan runbook --format json`)."""

    def r(x: float) -> float:
        return round(x, 2)

    doc = asdict(rb)
    doc["changes"] = [{**asdict(c), "summary": c.summary} for c in rb.changes]
    for s, d in zip(rb.steps, doc["steps"], strict=True):
        d["minutes_estimate"] = r(s.minutes_estimate)
        d["downtime_minutes"] = r(s.downtime_minutes)
        d["components"] = list(s.components)
    doc["data_moves"] = [
        {
            **asdict(d),
            **{
                k: r(getattr(d, k))
                for k in ("storage_gb", "dump_restore_minutes", "copy_minutes", "downtime_minutes")
            },
        }
        for d in rb.data_moves
    ]
    doc["moves"] = [
        {
            "phase": m.phase,
            "at": m.at,
            "forced": m.forced,
            "migration_usd": r(m.migration_usd),
            "saving_usd_month": r(m.saving_usd_month),
            "components": list(m.components),
            "work": [
                {"component": c, "hours": r(h), "downtime_minutes": r(mi), "transfer_gb": r(size)}
                for c, h, mi, size in m.work
            ],
        }
        for m in rb.moves
    ]
    doc["minutes_total"] = r(rb.minutes_total)
    doc["downtime_minutes"] = r(rb.downtime_minutes)
    return doc


def render_markdown(rb: Runbook) -> str:
    """The runbook document (templates/runbook.md.j2)."""
    env = environment()
    text = env.get_template("runbook.md.j2").render(rb=rb, stage_titles=STAGE_TITLES, mins=mins, gb=gb)
    # one blank line between blocks (commands hold no blank lines)
    return re.sub(r"\n{3,}", "\n\n", text).rstrip("\n") + "\n"


def write_runbook(text: str, out: Path, force: bool = False) -> Path:
    """Write the runbook to ``out``, all or nothing; an existing file is not overwritten unless
    ``force`` (outputs.write_file)."""
    return write_file(out, text, force)
