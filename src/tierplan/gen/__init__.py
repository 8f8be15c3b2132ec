"""Deploy files for a chosen stack: `tierplan gen` (see docs/generators.md).

deploy.py turns one phase of the plan into a plain `Deploy` model (services, stores, images,
variables, alerts); files.py renders the files from it, with each deploy platform's own files,
workflow job and DEPLOY.md section from its adapter (tierplan.platforms); the CLI writes them.
Everything here is pure except `write_files`.
"""

from __future__ import annotations

from pathlib import Path

from ..engine.plan import optimum_at
from ..engine.planner import Planner
from ..engine.result import Phase, Plan, StackDoesNotFit
from ..engine.triggers import watch_limits
from ..errors import InputError
from .deploy import Deploy, deploy_model
from .files import render_files

__all__ = ["generate", "phase_of", "write_files", "Deploy"]


def phase_of(
    planner: Planner, plan: Plan | None, phase: int | None = None, at: int | None = None
) -> tuple[Phase, int | None]:
    """The phase to generate for: the K-th (1-based) of the plan, or the stack at one scale."""
    p = planner.profile
    if at is not None:
        # what the plan runs at that scale (one answer per scale); the fresh-start optimum only
        # where the plan does not reach
        pt = None
        if plan is not None and at >= plan.first:
            try:
                pt = plan.stack_at(at)
            except StackDoesNotFit:
                pt = None
        if pt is None:
            pt = optimum_at(planner, at)
        ph = Phase(at, None, at, pt, pt)
        ph.watch = watch_limits(planner, ph, max(at, p.scale.last))
        return ph, None
    assert plan is not None, "a phase needs the plan"
    k = 1 if phase is None else phase
    n = len(plan.phases)
    if not 1 <= k <= n:
        raise InputError(planner.path, f"--phase {k}: the plan has {n} phase{'s' if n != 1 else ''} (1-{n})")
    return plan.phases[k - 1], k


def generate(
    planner: Planner, plan: Plan | None, phase: int | None = None, at: int | None = None
) -> tuple[Deploy, dict[str, str]]:
    """The deploy model and the files (relative path -> text) for a phase of ``plan`` or the
    stack at one scale."""
    ph, k = phase_of(planner, plan, phase, at)
    dep = deploy_model(planner, ph, k)
    return dep, render_files(dep)


def write_files(files: dict[str, str], out: Path, force: bool = False) -> list[Path]:
    """Write the files under ``out``, all or nothing; existing files are not overwritten unless
    ``force`` (outputs.write_tree)."""
    from ..outputs import write_tree

    return write_tree(out, files, force)
