"""Where a claim in a plan document takes its provider and plan from, when its own words do not
name them: the lines just above it (no blank line between, sibling bullets skipped), its heading,
a title or label line above ("Free Tier Details:", "- **Piano Free**", a YAML-like key "pro:"),
and the lines of the same item or paragraph it continues (a figure at the start of a wrapped line
reads the words before it). Pure functions over the document's lines; doc_catalog.py compares
what they find with the catalog."""

from __future__ import annotations

import dataclasses
import re

from .doc_claims import Quantity, UnitPrice, find_quantities, find_unit_prices, quantity_role
from .doc_tables import Line
from .doc_vocabulary import Vocabulary

__all__ = [
    "line_context",
    "sibling_names_provider",
    "segments",
    "continued",
    "continuation",
    "wrapped_quantities",
    "wrapped_unit_prices",
]


_TITLE = re.compile(r"^\W*(?:\*\*.*\*\*\W*|.*[:?]\W*)$")
_PLAN_LABEL = re.compile(
    r"^\W*(?:plan|free(?:\s+tier)?|paid(?:\s+tier)?|pricing)\b[^:]*:|tier\b.*:\W*$|:\W*$|"
    # "pro:          $25/month per org", "Hobby: free up to ...": a plan's name as the key
    r"^\W*(?:pro|hobby|payg|pay[\s-]as[\s-]you[\s-]go|starter|standard|launch|scale|team|business|developer|"
    r"basic|growth|enterprise)\b[^:]{0,20}:|"
    # "- **Piano Free**", "Plano Pro:", "Tarif Free": a plan named as a label, in other languages too
    r"^\W*(?:plan|piano|plano|paket|tarif|tarifa|forfait|offre|paquete)\s+[^:]{1,40}?(?::|\*\*\s*$)",
    re.I,
)


def _indent(text: str) -> int:
    return len(text) - len(text.lstrip())


def _marker(text: str) -> str:
    t = re.sub(r"^[\s│┃║├└┌─→|]*", "", text)
    m = re.match(r"^([-*•+]|\d+[.)])\s", t)
    return m.group(1) if m else ""


def line_context(lines: list[Line], idx: int, vocab: Vocabulary) -> tuple[str, str, str]:
    """(provider context, plan context) of a line: where a bullet like "- 10,000 commands/day"
    gets its provider and plan. The provider comes from the lines just above (no blank line
    between, sibling bullets skipped), else the innermost heading, else the nearest title line
    above (bold, or ending with ':' or '?'). The plan comes from the nearest label line above
    ("Free Tier Details:", "Plan: Workers Paid")."""
    ln = lines[idx]
    heading = ln.headings[-1] if ln.headings else ""
    marker = _marker(ln.text)
    adjacent_ctx = title_ctx = plan_ctx = ""
    titles: list[str] = []
    plan_done = False
    j = idx - 1
    adjacent = True
    seen = 0
    while j >= 0 and seen < 25 and lines[j].headings == ln.headings:
        t = lines[j].text.strip()
        j -= 1
        if not t or t.startswith("```"):
            adjacent = False
            continue
        if re.match(r"^#{1,6}\s", t) and not lines[j + 1].in_code:
            break
        seen += 1
        if not plan_done and seen <= 6 and _PLAN_LABEL.search(t):
            plan_done = True
            if not re.search(r"(exceed|beyond|after|above|over)\s+(the\s+)?free", t, re.I):
                plan_ctx = t
        sibling = (
            bool(marker)
            and _marker(lines[j + 1].text) == marker
            and _indent(lines[j + 1].text) == _indent(ln.text)
        )
        if adjacent and not adjacent_ctx and not sibling and vocab.providers_in(t):
            adjacent_ctx = t
        if _TITLE.match(t):
            titles.append(t)
            if not title_ctx and vocab.providers_in(t):
                title_ctx = t
    heading_ctx = heading if vocab.providers_in(heading) else ""
    far_ctx = heading_ctx or title_ctx
    if not adjacent_ctx and far_ctx and marker:
        # a bullet among bullets that name other providers ("- api: Render Starter", "- database:
        # Neon Launch", "- api egress: 8 GB x $0.15/GB"): the heading's provider is not its own
        far = set(vocab.providers_in(far_ctx))
        if any(set(vocab.providers_in(t)) - far for t in _sibling_items(lines, idx)):
            far_ctx = ""
    return adjacent_ctx or far_ctx, plan_ctx, " ".join([heading, *titles])


def _sibling_items(lines: list[Line], idx: int) -> list[str]:
    """The first lines of the other items of the list the bullet at ``idx`` is an item of (same
    marker and indent, no blank line or shallower line between)."""
    marker, indent = _marker(lines[idx].text), _indent(lines[idx].text)
    out: list[str] = []
    for step in (-1, 1):
        j = idx + step
        while 0 <= j < len(lines) and abs(j - idx) <= 40:
            t = lines[j].text
            if not t.strip() or _indent(t) < indent or lines[j].headings != lines[idx].headings:
                break
            if _indent(t) == indent:
                if _marker(t) != marker:
                    break
                out.append(t)
            j += step
    return out


def sibling_names_provider(lines: list[Line], idx: int, vocab: Vocabulary) -> bool:
    """The bullet just above is a sibling whose label names a provider ("- UptimeRobot: ..."):
    this bullet's own label then names another (unknown) provider."""
    marker = _marker(lines[idx].text)
    if not marker or idx == 0:
        return False
    prev = lines[idx - 1].text
    if _marker(prev) != marker:
        return False
    lab = re.match(r"^\W*(?:\d+[.)]\s*)?([^:]{1,40}):", prev.strip())
    return bool(lab and vocab.providers_in(lab.group(1)))




_SENTENCE_END = re.compile(r"(?<=[a-z0-9)%][.;])\s+(?=[A-Z(*])")


def segments(text: str) -> list[str]:
    return [s for s in _SENTENCE_END.split(text.strip()) if s.strip()] if text.strip() else []


def wrapped_quantities(before: str, text: str) -> list[Quantity]:
    """The quantities of ``text``, the first sentence of a line that goes on with ``before`` (the
    sentence the line before began): a figure's role reads the words before it there too ("R2
    storage reaches about" / "8 GB, still inside the free 10 GB": 8 GB is the app's own)."""
    if re.search(r"[,;:(—–]\s*$", before):
        return find_quantities(text)  # the line starts a clause of its own
    joined = f"{before} {text}"
    out: list[Quantity] = []
    for q in find_quantities(text):
        at = text.find(q.text)
        if q.role == "" and at >= 0:
            first = re.match(r"\S+", q.text)
            start = len(before) + 1 + at
            role = quantity_role(joined, start, start + (first.end() if first else 0))
            q = dataclasses.replace(q, role=role) if role == "usage" else q
        out.append(q)
    return out


def wrapped_unit_prices(before: str, text: str) -> list[UnitPrice]:
    """The unit prices of ``text``, the first sentence of a line that goes on with ``before``: a
    rate's noun may be on the line before ("with the change history billed at" / "$0.20/GB-month")."""
    joined = f"{before} {text}"
    start = len(before) + 1
    return [up for up in find_unit_prices(joined) if joined.find(up.text, start) >= 0 and up.text in text]


#: a line that starts an item of its own: "Label: ...", or a lower-case key of a YAML-like block
#: ("storage:      10 GB-month free")
_KEY_LABEL = re.compile(r"^\W*[A-Z][\w .&/-]{1,30}?\s*:|^\s*[a-z][\w.-]{1,30}:(?:\s|$)")


def continued(lines: list[Line], idx: int) -> str:
    """The text of the lines the line at ``idx`` continues: the same list item or paragraph, when
    the line itself starts no new item."""
    own = lines[idx].text
    if _marker(own) or idx == 0 or lines[idx].in_code or _KEY_LABEL.match(own):
        return ""  # a new item, a "Label: ..." line, or a line of a code block
    out: list[str] = []
    j = idx - 1
    while j >= 0 and len(out) < 6:
        t = lines[j].text
        if not t.strip() or re.match(r"^\s{0,3}#{1,6}\s", t) or lines[j].in_code != lines[idx].in_code:
            break
        out.append(t.strip())
        if _marker(t):
            break
        j -= 1
    return " ".join(reversed(out))


def continuation(lines: list[Line], idx: int) -> str:
    """The first words of the next line when it goes on with the sentence the line at ``idx``
    ends in (no sentence end there, and the next line starts no new item, label or heading)."""
    own = lines[idx].text.rstrip()
    if idx + 1 >= len(lines) or not own or re.search(r"[.!?:;|]\W*$", own):
        return ""
    nxt = lines[idx + 1]
    t = nxt.text
    if (
        not t.strip()
        or nxt.in_code != lines[idx].in_code
        or _marker(t)
        or re.match(r"^\s{0,3}#{1,6}\s|^\s*\|", t)
        or _KEY_LABEL.match(t)
    ):
        return ""
    return " ".join(t.split()[:3])
