"""One error hierarchy; the CLI maps each class to a message and an exit code.

The library never prints or exits: it raises these.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

__all__ = ["TierplanError", "InputError", "CatalogError", "InfeasibleError", "Problem", "usage_error"]


class TierplanError(Exception):
    """Base class. ``exit_code`` is what the CLI returns."""

    exit_code = 1

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message}\nTo fix: {self.hint}"


def usage_error(message: str, *, hint: str | None = None) -> TierplanError:
    """A command line that cannot be run as given: options that do not combine, a value the
    command cannot use (exit 2, like a file the user gave that is invalid)."""
    e = TierplanError(message, hint=hint)
    e.exit_code = 2
    return e


class Problem:
    """One thing wrong in an input file: where (key path, line) and what."""

    __slots__ = ("key_path", "line", "message")

    def __init__(self, key_path: str, message: str, line: int | None = None) -> None:
        self.key_path = key_path
        self.message = message
        self.line = line

    def render(self) -> str:
        if not self.key_path:
            return f"line {self.line}: {self.message}" if self.line is not None else self.message
        where = self.key_path
        if self.line is not None:
            where = f"{where} (line {self.line})"
        return f"{where}: {self.message}"


class InputError(TierplanError):
    """A file the user gave is missing, unreadable or invalid (exit 2)."""

    exit_code = 2
    #: problems shown in the message (a file with 250,000 unknown keys gets 20 lines, not 250,000)
    SHOWN = 20

    def __init__(
        self,
        path: Path | str,
        problems: list[Problem] | str,
        *,
        hint: str | None = None,
    ) -> None:
        self.path = str(path)
        if isinstance(problems, str):
            problems = [Problem("", problems)]
        self.problems = problems
        lines = [
            f"{self.path}: {p.render()}" if p.key_path or p.line else f"{self.path}: {p.message}"
            for p in problems[: self.SHOWN]
        ]
        if len(problems) > self.SHOWN:
            lines.append(f"{self.path}: ... and {len(problems) - self.SHOWN:,} more problems")
        super().__init__("\n".join(lines), hint=hint)

    def located(
        self,
        path: Path | str | None = None,
        prefix: str = "",
        line_of: Callable[[str], int | None] | None = None,
    ) -> InputError:
        """The same problems in another file or under a key prefix (an inline workload's problems
        belong to the stack file, under ``workload``), with the line of every problem that had none
        looked up by its key path (``line_of``: e.g. yamlio.LineMap.locate)."""
        probs = []
        for p in self.problems:
            key = f"{prefix}.{p.key_path}" if prefix and p.key_path else (prefix or p.key_path)
            line = p.line
            if line is None and line_of is not None and key:
                line = line_of(key)
            probs.append(Problem(key, p.message, line))
        return type(self)(self.path if path is None else path, probs, hint=self.hint)


class CatalogError(InputError):
    """A catalog data file is invalid (exit 2)."""


class InfeasibleError(TierplanError):
    """No stack satisfies the profile (exit 3). ``reasons`` name the component and constraint."""

    exit_code = 3

    #: reasons shown in the message; all of them stay in ``reasons`` (and in the JSON error)
    SHOWN = 12

    def __init__(self, message: str, reasons: list[str]) -> None:
        self.reasons = reasons
        shown = reasons[: self.SHOWN]
        more = len(reasons) - len(shown)
        tail = f"\n  ... and {more} more (all of them: `--format json`)" if more > 0 else ""
        super().__init__(message + "".join(f"\n  - {r}" for r in shown) + tail)
