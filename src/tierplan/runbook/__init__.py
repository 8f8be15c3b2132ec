"""The migration runbook between two phases of the plan: `tierplan runbook` (docs/generators.md#runbooks).

Everything here is derived from what changes between the two phases' stacks. For each component
the provider, plan, instance size, region and instance count at the end of the first phase are
compared with the start and the end of the second (changes.py); a component where none of them
changes does not appear. Each change becomes ordered steps with shell commands for the platforms
involved, each from that platform's adapter (tierplan.platforms):

* count only: scale out; size only: resize in place; same provider and region, another plan: a
  plan change (capacity.py);
* another provider or region: a move. Services are deployed on the new host before traffic moves
  (DNS for web-facing ones; services.py); data stores are provisioned, copied and cut over
  (stores.py, postgres.py: dump/restore or logical replication); SaaS components get new
  credentials on every host (saas.py).

Every step that changes something says how to undo it. Commands read every value that is not known
from the plan (connection strings, API keys, domains) from shell variables, listed with where to
find them (context.py); the checklist (checklist.py) is derived from the steps. All functions are
pure except `write_runbook`.

Modules: model (the data), changes, context (the builder), capacity, services, stores, postgres,
saas, checklist, build (the entry points), render (Markdown, JSON, file).
"""

from __future__ import annotations

from .build import build_runbook, runbook
from .changes import diff_stacks
from .model import Change, DataMove, MoveCost, Placement, Runbook, Step, Variable
from .postgres import choose_db_method, dump_restore_minutes
from .render import render_markdown, runbook_json, write_runbook

__all__ = [
    "Placement",
    "Change",
    "DataMove",
    "MoveCost",
    "Variable",
    "Step",
    "Runbook",
    "runbook",
    "build_runbook",
    "diff_stacks",
    "dump_restore_minutes",
    "choose_db_method",
    "render_markdown",
    "runbook_json",
    "write_runbook",
]
