"""Deploy files for a chosen stack: `tierplan gen` (see docs/generators.md).

deploy.py turns one phase of the plan into a plain `Deploy` model (services, stores, variables,
alerts); files.py renders the files from it; the CLI writes them. Everything here is pure except
`write_files`.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import InputError
from ..optimizer import Planner
from ..phases import Phase, _watch
from .deploy import Deploy, deploy_model
from .files import render_files

__all__ = ["generate", "phase_of", "write_files", "Deploy"]


def phase_of(planner: Planner, phase: int | None = None, at: int | None = None) -> tuple[Phase, int | None]:
    """The phase to generate for: the K-th (1-based) of the plan, or the stack at one scale."""
    from ..api import run_sweep, stack_at

    p = planner.profile
    if at is not None:
        pt = stack_at(planner, at)
        ph = Phase(at, None, at, pt, pt)
        ph.watch = _watch(planner, ph, max(at, p.scale.last))
        return ph, None
    sw = planner.__dict__.get("_gen_sweep")
    if sw is None:
        sw = planner.__dict__["_gen_sweep"] = run_sweep(planner)
    k = 1 if phase is None else phase
    if not 1 <= k <= len(sw.phases):
        raise InputError(
            planner.path,
            f"--phase {k}: the plan has {len(sw.phases)} phase{'s' if len(sw.phases) != 1 else ''} "
            f"(1-{len(sw.phases)})",
        )
    return sw.phases[k - 1], k


def generate(
    planner: Planner, phase: int | None = None, at: int | None = None
) -> tuple[Deploy, dict[str, str]]:
    """The deploy model and the files (relative path -> text) for a phase or a scale."""
    ph, k = phase_of(planner, phase, at)
    dep = deploy_model(planner, ph, k)
    return dep, render_files(dep)


def write_files(files: dict[str, str], out: Path, force: bool = False) -> list[Path]:
    """Write the files under ``out``, all or nothing; existing files are not overwritten unless
    ``force`` (outputs.write_tree)."""
    from ..outputs import write_tree

    return write_tree(out, files, force)
