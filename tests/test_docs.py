"""Documentation stays in step with the code."""

from __future__ import annotations

import re

from pydantic import BaseModel

from tierplan import profile as prof_mod
from tierplan.metrics import METRICS

from .conftest import ROOT


def _models() -> list[type[BaseModel]]:
    out = []
    for v in vars(prof_mod).values():
        if isinstance(v, type) and issubclass(v, BaseModel) and v.__module__ == prof_mod.__name__:
            out.append(v)
    return out


def test_profile_doc_names_every_key() -> None:
    text = (ROOT / "docs" / "profile.md").read_text()
    missing = [f"{m.__name__}.{f}" for m in _models() for f in m.model_fields if f not in text]
    assert not missing, f"keys missing from docs/profile.md: {missing}"


def test_catalog_doc_lists_metrics_per_kind() -> None:
    text = (ROOT / "docs" / "catalog.md").read_text()
    for kind in ("web_service", "postgres", "object_storage", "turn", "messaging"):
        assert f"| {kind}" in text


def test_readme_quick_start_has_exactly_two_commands() -> None:
    text = (ROOT / "README.md").read_text()
    section = text.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None
    cmds = [ln for ln in block.group(1).splitlines() if ln.strip() and not ln.strip().startswith("#")]
    assert len(cmds) == 2
    assert cmds[1] in (ROOT / ".ci" / "run").read_text()


def test_workload_doc_mentions_every_workload_metric() -> None:
    text = (ROOT / "docs" / "workload.md").read_text()
    missing = [m for m, spec in METRICS.items() if not spec.derived and m not in text]
    assert not missing, f"metrics missing from docs/workload.md: {missing}"
