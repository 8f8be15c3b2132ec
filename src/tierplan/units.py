"""The scale unit in words: its plural (companies, libraries, people), and a count of it.

The profile names its unit in the singular (`scale.unit: company`); every output that counts
several of them writes the plural through `plural`, from the `inflection` package's English rules
(the rules Rails uses), never by adding an "s".
"""

from __future__ import annotations

from functools import cache

__all__ = ["plural", "count"]


@cache
def plural(unit: str) -> str:
    """The plural of a unit name: company -> companies, person -> people, user -> users."""
    import inflection

    return str(inflection.pluralize(unit))


def count(n: float, unit: str) -> str:
    """``n`` units in words: "1 company", "2,500 companies"."""
    return f"{n:,} {unit if n == 1 else plural(unit)}"
