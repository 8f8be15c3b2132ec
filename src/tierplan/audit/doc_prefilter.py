"""Cheap tests that let the document audit skip work whose answer is known (issue 12, speed).

Each one is exact: it only skips a regular expression that cannot match, or a comparison whose
result it already knows, so the audit finds what it found without them.

* ``folded(text)`` and ``may_match(rx, low)``: an alias pattern (``_alias_re`` in doc_vocabulary.py:
  words joined by separators, case-insensitive) matches only a text that contains each of its
  words; a substring test on the lowercased text rules most aliases out before the regex runs.
  Python's case-insensitive matching also equates four non-ASCII letters with ASCII ones (ſ, ı,
  İ, the Kelvin sign); a text that holds one is not prefiltered.
* ``RefClasses``: ``ref in refs`` on catalog plans compares pydantic models field by field; equal
  plans share a class number, and a set of numbers answers the same question.
* windows (``tail``, ``head``, ``last_start_before``, ``without_caret``): what a
  figure's neighbourhood says, read from a bounded piece of a long line, or from positions found
  once per line, instead of a copy of everything before or after it (a 1 MB line holds tens of
  thousands of figures).
"""

from __future__ import annotations

import bisect
import functools
import re
import string
from collections.abc import Iterable, Iterator

from ..catalog.loader import PlanRef

__all__ = [
    "folded",
    "may_match",
    "alias_matches",
    "alias_search",
    "RefClasses",
    "tail",
    "head",
    "last_start_before",
    "match_ends",
    "without_caret",
]

#: a non-ASCII character that a case-insensitive pattern matches as an ASCII one
_FOLDS_TO_ASCII = re.compile(r"(?=[^\x00-\x7f])(?i:[\x00-\x7f])")
#: the shape of doc_vocabulary._alias_re: words (escaped) joined by separators, between lookarounds
_ALIAS = re.compile(r"\(\?<!\[a-z0-9\]\)(?P<body>.+)\(\?!\[a-z0-9\]\)", re.S)
_ALIAS_JOIN = r"[\s\-_./]*"


@functools.lru_cache(maxsize=256)
def folded(text: str) -> str | None:
    """``text`` lowercased for ``may_match``, as long as ``text`` (each position the same
    character): a character a case-insensitive pattern matches as an ASCII letter (Turkish "İ" and
    "ı", the long s, the Kelvin sign) becomes that letter, and one whose lower case is longer ("İ"
    is "i̇" in Python) stays one character."""
    if text.isascii():
        return text.lower()
    low = text.lower()
    if len(low) == len(text) and not _FOLDS_TO_ASCII.search(text):
        return low
    return "".join(_fold_char(c) for c in text)


@functools.cache
def _fold_char(c: str) -> str:
    if c.isascii():
        return c.lower()
    if _FOLDS_TO_ASCII.match(c):
        return next((a for a in string.ascii_lowercase if re.fullmatch(re.escape(c), a, re.I)), c)
    low = c.lower()
    return low if len(low) == 1 else c


@functools.cache
def _words(rx: re.Pattern[str]) -> tuple[str, ...] | None:
    """The words of an alias pattern, lowercased, in order; None when the pattern is not of the
    alias shape (it is then always run)."""
    m = _ALIAS.fullmatch(rx.pattern)
    if m is None or not rx.flags & re.I:
        return None
    words = []
    for escaped in m.group("body").split(_ALIAS_JOIN):
        word = re.sub(r"\\(.)", r"\1", escaped, flags=re.S)
        if not word or not word.isascii() or re.escape(word) != escaped:
            return None
        words.append(word.lower())
    return tuple(words)


@functools.cache
def _needle(rx: re.Pattern[str]) -> str | None:
    words = _words(rx)
    return max(words, key=len) if words else None


def may_match(rx: re.Pattern[str], low: str | None) -> bool:
    """False only when ``rx`` cannot match the text ``low`` was folded from."""
    if low is None:
        return True
    needle = _needle(rx)
    return needle is None or needle in low


def alias_matches(rx: re.Pattern[str], text: str, low: str | None) -> Iterator[re.Match[str]]:
    """``rx.finditer(text)`` for an alias pattern, tried only where its first word starts in
    ``low`` (``folded(text)``): a match starts with that word, and a pattern that opens with a
    lookbehind is otherwise tried at every position of a long line."""
    words = _words(rx)
    if low is None or words is None or len(low) != len(text):
        yield from rx.finditer(text)
        return
    if any(w not in low for w in words):
        return  # a match holds every word
    end = 0
    at = low.find(words[0])
    while at >= 0:
        if at >= end:
            m = rx.match(text, at)  # its lookbehind reads text[at - 1], as finditer's would
            if m:
                yield m
                end = m.end()
        at = low.find(words[0], at + 1)


def alias_search(rx: re.Pattern[str], text: str, low: str | None) -> re.Match[str] | None:
    """``rx.search(text)`` for an alias pattern (``alias_matches``)."""
    return next(alias_matches(rx, text, low), None)


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


# ---------------------------------------------------------------------------------------------
# windows: a long line read around one figure without copying or scanning all of it


def tail(text: str, lo: int, hi: int, nonspace: int) -> str:
    """``text[w:hi]`` for some ``w >= lo`` such that it holds at least ``nonspace``
    non-whitespace characters (else ``text[lo:hi]``). A pattern anchored at the end (``...$``)
    whose matches hold at most ``nonspace - 2`` non-whitespace characters finds on it what it
    finds on ``text[lo:hi]``: every match lies inside, with a character before it for ``\\b``."""
    width = 2 * nonspace
    while True:
        w = max(lo, hi - width)
        seg = text[w:hi]
        if w == lo or len("".join(seg.split())) >= nonspace:
            return seg
        width *= 4


def head(text: str, lo: int, nonspace: int) -> str:
    """``text[lo:w]`` holding at least ``nonspace`` non-whitespace characters (else
    ``text[lo:]``): a pattern anchored at the start that reads at most ``nonspace - 2`` of them
    (lookaheads included) matches on it as on ``text[lo:]``."""
    width = 2 * nonspace
    while True:
        w = min(len(text), lo + width)
        seg = text[lo:w]
        if w == len(text) or len("".join(seg.split())) >= nonspace:
            return seg
        width *= 4


@functools.lru_cache(maxsize=64)
def _spans(text: str, rx: re.Pattern[str]) -> tuple[list[int], list[int]]:
    starts, ends = [], []
    for m in rx.finditer(text):
        starts.append(m.start())
        ends.append(m.end())
    return starts, ends


def last_start_before(text: str, rx: re.Pattern[str], pos: int) -> int:
    """The start of the last match of ``rx`` in ``text`` that starts before ``pos``, -1 if none
    (for a one-character class: ``max(text.rfind(c, 0, pos) for c in the class)``)."""
    starts = _spans(text, rx)[0]
    i = bisect.bisect_left(starts, pos)
    return starts[i - 1] if i else -1


def match_ends(text: str, rx: re.Pattern[str]) -> list[int]:
    """The ends of the matches of ``rx`` in ``text`` (finditer), in order."""
    return _spans(text, rx)[1]


@functools.lru_cache(maxsize=256)
def without_caret(rx: re.Pattern[str]) -> re.Pattern[str]:
    """``rx`` (which starts with ``^``) for ``.match(text, pos)``, the same as
    ``rx.match(text[pos:])`` when nothing at its start looks behind ``pos`` (no ``\\b`` or
    lookbehind before its first character)."""
    assert rx.pattern.startswith("^"), rx.pattern
    return re.compile(rx.pattern[1:], rx.flags)
