"""Cheap tests that let the document audit skip work whose answer is known (issue 12, speed).

Each one is exact: it only skips a regular expression that cannot match, or a comparison whose
result it already knows, so the audit finds what it found without them.

* ``folded(text)`` and ``may_match(rx, low)``: an alias pattern (``_alias_re`` in doc_claims.py:
  words joined by separators, case-insensitive) matches only a text that contains each of its
  words; a substring test on the lowercased text rules most aliases out before the regex runs.
  Python's case-insensitive matching also equates four non-ASCII letters with ASCII ones (ſ, ı,
  İ, the Kelvin sign); a text that holds one is not prefiltered.
* ``RefClasses``: ``ref in refs`` on catalog plans compares pydantic models field by field; equal
  plans share a class number, and a set of numbers answers the same question.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from ..catalog.loader import PlanRef

__all__ = ["folded", "may_match", "RefClasses"]

#: a non-ASCII character that a case-insensitive pattern matches as an ASCII one
_FOLDS_TO_ASCII = re.compile(r"(?=[^\x00-\x7f])(?i:[\x00-\x7f])")
#: the shape of doc_claims._alias_re: words (escaped) joined by separators, between lookarounds
_ALIAS = re.compile(r"\(\?<!\[a-z0-9\]\)(?P<body>.+)\(\?!\[a-z0-9\]\)", re.S)
_ALIAS_JOIN = r"[\s\-_./]*"


def folded(text: str) -> str | None:
    """``text`` lowercased for ``may_match``; None when it cannot be prefiltered."""
    if text.isascii() or not _FOLDS_TO_ASCII.search(text):
        return text.lower()
    return None


@functools.cache
def _needle(rx: re.Pattern[str]) -> str | None:
    """The longest word every match of an alias pattern contains, lowercased; None when the
    pattern is not of the alias shape (it is then always run)."""
    m = _ALIAS.fullmatch(rx.pattern)
    if m is None or not rx.flags & re.I:
        return None
    best = ""
    for escaped in m.group("body").split(_ALIAS_JOIN):
        word = re.sub(r"\\(.)", r"\1", escaped, flags=re.S)
        if not word or not word.isascii() or re.escape(word) != escaped:
            return None
        if len(word) > len(best):
            best = word
    return best.lower() or None


def may_match(rx: re.Pattern[str], low: str | None) -> bool:
    """False only when ``rx`` cannot match the text ``low`` was folded from."""
    if low is None:
        return True
    needle = _needle(rx)
    return needle is None or needle in low


class RefClasses:
    """A number per catalog plan, the same for plans that compare equal."""

    def __init__(self, refs: Iterable[PlanRef] = ()) -> None:
        self._by_id: dict[int, int] = {}
        self._by_key: dict[str, list[PlanRef]] = {}
        self._kept: list[PlanRef] = []  # keeps every numbered object alive, so its id stays its own
        for r in refs:
            self.of(r)

    def of(self, ref: PlanRef) -> int:
        n = self._by_id.get(id(ref))
        if n is not None:
            return n
        bucket = self._by_key.setdefault(ref.key, [])  # equal plans have equal keys
        n = next((self._by_id[id(o)] for o in bucket if o == ref), len(self._kept))
        bucket.append(ref)
        self._kept.append(ref)
        self._by_id[id(ref)] = n
        return n
