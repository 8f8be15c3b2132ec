"""The HiGHS solver, silent: nothing it prints reaches standard output.

highspy 1.16 prints a two-line banner ("Running HiGHS ...", "Includes third-party software ...")
from C++ on file descriptor 1 when the first solver object of a process is created, before any
option can turn its output off. Machine formats (``--format json|md|html``) must be exactly the
document on stdout, so the solver is created with descriptor 1 pointed at the null device, and its
log is switched off before it solves anything. Python's ``sys.stdout`` cannot see or stop what a C
extension writes to the descriptor, which is why this works at the descriptor level.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import sys
from collections.abc import Iterator
from typing import Any

__all__ = ["new_highs", "native_stdout_silenced", "stop_solver_threads"]


def _flush_c_stdio() -> None:
    """Flush C's stdio buffers (a banner may sit in them until the process exits)."""
    try:
        ctypes.CDLL(None).fflush(None)
    except (OSError, AttributeError):  # pragma: no cover - no C library to flush
        pass


@contextlib.contextmanager
def native_stdout_silenced() -> Iterator[None]:
    """Point file descriptor 1 at the null device for the duration (C and C++ writes included)."""
    try:
        sys.stdout.flush()
    except (OSError, ValueError):
        pass
    _flush_c_stdio()
    try:
        saved = os.dup(1)
    except OSError:  # descriptor 1 is closed: nothing can reach it anyway
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        _flush_c_stdio()
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def new_highs() -> Any:
    """A HiGHS solver object with its console output off (and its start-up banner discarded)."""
    import highspy

    with native_stdout_silenced():
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("log_to_console", False)
    return h


def stop_solver_threads() -> None:
    """Stop the solver's worker threads (HiGHS starts them at its first solve and keeps them), for
    a process about to fork: a child has none of its parent's threads, and a scheduler that waits
    for them would hang. The next solve starts them again. Nothing to do if no solver was loaded."""
    if "highspy" in sys.modules:
        sys.modules["highspy"].Highs.resetGlobalScheduler(True)
