"""`tierplan audit --doc plan.md`: check a hand-written hosting plan against its own arithmetic and
the price catalog.

``audit_document(text, path, catalog)`` finds the document's cost tables and cost lists
(doc_tables.py) and its statements about prices and free tiers (doc_claims.py), then reports:

* ``total_mismatch``: a TOTAL / Subtotal that is not the sum of the rows above it;
* ``arithmetic``: a formula written out in prose or a list item ("2 x $7 = $16") that does not
  compute (doc_arithmetic.py);
* ``range_mismatch``: a stage's cost stated in one place (a summary, a heading) that disagrees
  with the same stage's total elsewhere;
* ``catalog_mismatch``: a plan price, free-tier quota or unit price that disagrees with the
  catalog entry (cited with its source and as-of date), or that only a legacy plan had;
* ``fee_formula``: a messaging cost written with a retired billing rule (per conversation, free
  service messages) or another message category's rate (doc_fees.py);
* ``unmatched_claim``: a priced row or a claim that names no catalog plan, so it was not checked;
* ``unparsed``: a table row that could not be read.

Pure functions; ``read_document(path)`` is the only one touching a file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from ..assumptions import Assumptions, load_assumptions
from ..catalog.loader import Catalog
from ..errors import InputError
from ..yamlio import read_text
from .doc_arithmetic import (
    MONTHLY_AMOUNT,
    YEARLY_AMOUNT,
    arithmetic_slips,
    each_slips,
    read_number,
    yearly_slips,
)
from .doc_catalog import check_claims
from .doc_claims import Vocabulary
from .doc_fees import fee_findings
from .doc_findings import (
    KINDS,
    NOT_COST,
    DocAudit,
    DocFinding,
    DocTable,
    Tolerance,
    consistent,
    range_text,
    tolerances,
    usd_text,
)
from .doc_latency import latency_findings
from .doc_numbers import point_convention
from .doc_tables import Line, Money, Row, Table, extract, find_money, is_total_label, parse_money, stage_keys
from .doc_terms import terms_findings

__all__ = [
    "KINDS",
    "DocFinding",
    "DocTable",
    "DocAudit",
    "audit_document",
    "read_document",
]

# ---------------------------------------------------------------------------------------------
# reading


def read_document(path: Path | str) -> str:
    """The text of a plan document; InputError (exit 2) for a missing, empty, binary or non-UTF-8 file."""
    p = Path(path)
    text = read_text(p, "a Markdown or text document", encoding="utf-8-sig")
    if not text.strip():
        raise InputError(p, "is empty, expected a Markdown or text document (a hosting plan)")
    return text


def _optional(row: Row) -> bool:
    return any(re.search(r"\boptional\b", c, re.I) for c in row.cells)


# ---------------------------------------------------------------------------------------------
# totals


@dataclass
class _StageValue:
    keys: set[str]
    lo: float
    hi: float
    line: int
    what: str
    statement: bool  # also a statement to check (summary rows, standalone totals, headings)


def _check_totals(tables: list[Table], tol: Tolerance, audit: DocAudit) -> list[tuple[int, Money]]:
    """Recompute every total; return (line, stated) of each total in document order."""
    totals: list[tuple[int, Money]] = []
    for t in tables:
        if not t.is_cost_table:
            continue
        segment: list[Row] = []
        subtotals: list[tuple[Row, Money]] = []
        candidates = [(r, r.line) for r in t.rows]
        if t.trailing_total is not None:
            n, m = t.trailing_total
            candidates.append((Row(n, ("Total", m.text)), n))
        for row, _ in candidates:
            if not is_total_label(row.label):
                segment.append(row)
                continue
            stated = t.money(row) if row.line != (t.trailing_total or (0,))[0] else t.trailing_total[1]  # type: ignore[index]
            if stated is None:
                audit.findings.append(
                    DocFinding(
                        "unparsed",
                        "warning",
                        row.line,
                        f"total row '{row.label}' has no amount that could be read",
                        stated=" | ".join(row.cells),
                    )
                )
                segment = []
                continue
            is_sub = bool(re.match(r"^\W*sub", row.label, re.I))
            items: list[tuple[int, str, Money | None, bool]] = []
            if not is_sub and subtotals:
                items += [(r.line, r.label, m, False) for r, m in subtotals]
            items += [(r.line, r.label, t.money(r), _optional(r)) for r in segment]
            _check_one(t, row, stated, items, totals, tol, audit)
            totals.append((row.line, stated))
            if is_sub:
                subtotals.append((row, stated))
            else:
                subtotals = []
            segment = []
    return totals


def _check_one(
    t: Table,
    row: Row,
    stated: Money,
    items: list[tuple[int, str, Money | None, bool]],
    previous: list[tuple[int, Money]],
    tol: Tolerance,
    audit: DocAudit,
) -> None:
    audit.totals_checked += 1
    lo = hi = 0.0
    used: list[int] = []
    skipped: list[str] = []
    notes: list[str] = []
    counted = [(ln, lab, m, opt) for ln, lab, m, opt in items if m is not None]
    for ln, lab, m, opt in items:
        if m is None:
            cell = ""
            for r in t.rows:
                if r.line == ln and t.money_col is not None and t.money_col < len(r.cells):
                    cell = r.cells[t.money_col]
            if cell.strip():
                skipped.append(f"line {ln} ({lab}: {cell.strip()})")
            continue
        used.append(ln)
        lo += 0.0 if opt else m.lo
        hi += m.hi
        if opt:
            notes.append(f"'{lab}' is optional (counted in the upper bound only)")
        if m.open_ended:
            notes.append(f"'{lab}' is open-ended ({m.text}), counted as {usd_text(m.hi)}")
    if (
        counted
        and not stated.delta
        and all(m.delta or (m.hi == 0) for _, _, m, _ in counted)
        and any(m.delta for _, _, m, _ in counted)
    ):
        base = [p for p in previous if p[0] < t.start_line and not p[1].delta]
        if base:
            bl, bm = base[-1]
            lo += bm.lo
            hi += bm.hi
            used.insert(0, bl)
            notes.append(f"the rows are increases, added to the total {bm.label()} on line {bl}")
    if not used:
        audit.findings.append(
            DocFinding(
                "unparsed",
                "warning",
                row.line,
                f"total {stated.label()} has no rows above it with amounts that could be read",
                stated=stated.label(),
            )
        )
        return
    if consistent(stated.lo, stated.hi, lo, hi, tol):
        return
    diff = (stated.hi + stated.lo) / 2 - (hi + lo) / 2
    where = f"lines {used[0]}-{used[-1]}" if len(used) > 1 else f"line {used[0]}"
    msg = (
        f"total {stated.label()} does not add up: the rows above it ({where}) sum to {range_text(lo, hi)}"
        f" ({'over' if diff > 0 else 'under'} by {usd_text(abs(diff))})"
    )
    if notes:
        msg += "; " + "; ".join(dict.fromkeys(notes))
    if skipped:
        msg += "; not counted (no amount): " + ", ".join(skipped)
    audit.findings.append(
        DocFinding(
            "total_mismatch",
            "error",
            row.line,
            msg,
            stated=stated.label(),
            expected=range_text(lo, hi),
            lines_used=tuple(used),
        )
    )


# ---------------------------------------------------------------------------------------------
# stages and ranges


def _check_arithmetic(lines: list[Line], table_lines: set[int], audit: DocAudit) -> None:
    """Formulas in prose and list items (doc_arithmetic.py); a formula that wraps after an
    operator or an "=" is read with its next line."""
    # prose and list items, and lines of a code block that compute money ('"$122.61 x 12 = ..."')
    prose = [ln for ln in lines if (not ln.in_code or "$" in ln.text) and ln.no not in table_lines]
    joined = []
    for i, ln in enumerate(prose):
        text = ln.text
        if text.rstrip().endswith(("=", "×", " x", "+", "*")) and i + 1 < len(prose):
            text = text.rstrip() + " " + prose[i + 1].text.strip()
        joined.append((ln.no, text))
    # a sentence that wraps: each line is also read with the next one for "at $25 each, so $50"
    pairs = [(no, text + " " + joined[i + 1][1].strip()) for i, (no, text) in enumerate(joined[:-1])]
    each = {(s.line, s.stated): s for s in each_slips(pairs + joined[-1:])}
    for slip in [*yearly_slips(joined), *arithmetic_slips(joined), *each.values()]:
        audit.findings.append(
            DocFinding(
                "arithmetic",
                "error",
                slip.line,
                f"{slip.stated.strip()}: {slip.how} {_num(slip.computed)}, not {_num(slip.result)}",
                stated=_num(slip.result),
                expected=_num(slip.computed),
            )
        )


def _num(v: float) -> str:
    return f"{v:,.2f}" if abs(v - round(v)) > 1e-9 else f"{v:,.0f}"


def _heading_keys(headings: tuple[str, ...]) -> set[str]:
    for h in reversed(headings):
        k = stage_keys(h)
        if k:
            return k
    return set()


#: the header of a column that holds each stage's whole cost ("Monthly infrastructure cost",
#: "Biaya infrastruktur / bulan"); not a component's ("API monthly", "Total" of an R2 breakdown), a
#: revenue or a per-user figure
_STAGE_COST_HEADER = re.compile(
    r"^(?!.*(?:revenue|receita|ingresos|revenu|umsatz|pendapatan|\bper\s|\bpor\s|\bpar\s|\bpro\s)).*"
    r"(?:cost|biaya|custo|coste|costo|coût|kosten|infra|^\W*(?:US\$|USD|\$)\s*/\s*(?:mo|month|monat|m[eê]s|mois|bulan)\b)",
    re.I,
)


def _cell_amount(cell: str, dollars: bool) -> Money | None:
    m = parse_money(cell)
    bare = re.fullmatch(r"\W*(\d{1,3}(?:,\d{3})*(?:\.\d+)?|\d+(?:\.\d+)?)\W*", cell.strip())
    if m is None and dollars and bare:
        v = float(bare.group(1).replace(",", ""))
        return Money(v, v, bare.group(1))
    return m


def _first_amount(text: str) -> Money | None:
    found = [m for m, _, unit in find_money(text) if not unit and not m.delta]
    return found[0] if found else None


#: a label or header in another currency than US dollars ("TOTAL (R$ a 5,40)", "EUR / Monat"); "R$"
#: reads "R¤" once doc_numbers has put other dollars out of the way
_OTHER_CURRENCY = re.compile(r"¤|€|£|₦|₹|\b(?:EUR|BRL|MXN|NGN|KES|INR|IDR|Rp|COP|XOF|FCFA|GBP|ZAR)\b")


def _population_nouns(lines: list[Line]) -> set[str]:
    """The nouns a document counts its stages in: "clínicas" from "Fase 2 — 200 clínicas", where a
    population stands beside a stage's name."""
    nouns: set[str] = set()
    for ln in lines:
        keys = stage_keys(ln.text)
        if not any(re.fullmatch(r"(?:phase|stage|tier|step|level|milestone) \d+", k) for k in keys):
            continue
        for k in keys:
            m = re.fullmatch(r"[\d.]+ (\S+)", k)
            if m:
                nouns.add(m.group(1))
    return nouns


def _column_keys(header: str, nouns: set[str]) -> set[str]:
    """A column's stage keys: its own ("Phase 2", "200 users"), or a bare population ("| 200 |") in
    the nouns the document counts its stages in."""
    keys = stage_keys(header)
    bare = re.fullmatch(r"\W*(\d{1,3}(?:,\d{3})+|\d+)\W*", header.strip())
    if not keys and bare:
        n = float(bare.group(1).replace(",", ""))
        keys = {f"{n:g} {noun}" for noun in nouns}
    return keys


def _stage_values(lines: list[Line], tables: list[Table], table_lines: set[int]) -> list[_StageValue]:
    out: list[_StageValue] = []
    by_no = {ln.no: ln for ln in lines}
    nouns = _population_nouns(lines)
    for t in tables:
        # stage tables the other way round: a column per stage, a total row
        columns = {i: k for i, h in enumerate(t.header) if (k := _column_keys(h, nouns))}
        # bare numbers count as dollars when the table says so ("| TOTAL (US$) | 37.00 |")
        dollars = bool(re.search(r"\$|\bUSD\b", " ".join(t.header) + " ".join(r.label for r in t.rows)))
        if len(columns) >= 2:
            for r in t.rows:
                if not is_total_label(r.label) or _OTHER_CURRENCY.search(r.label):
                    continue
                for i, keys in columns.items():
                    m = _cell_amount(r.cells[i], dollars) if i < len(r.cells) else None
                    if m is not None and not m.delta:
                        out.append(
                            _StageValue(keys, m.lo, m.hi, r.line, f"'{t.header[i]}' column total", False)
                        )
            continue
        if not t.is_cost_table:
            continue
        # stage tables: row labels name stages
        # a first column headed "Stage" / "Tahap" numbers its rows ("| 2 | 1,000 | $89.62 |"), when
        # the amount is a stage's total ("Monthly infrastructure cost", not "API monthly")
        numbered = (
            bool(t.header)
            and bool(stage_keys(t.header[0] + " 1"))
            and t.money_col is not None
            and t.money_col < len(t.header)
            and bool(_STAGE_COST_HEADER.search(t.header[t.money_col]))
        )

        def row_keys(r: Row, t: Table = t, numbered: bool = numbered) -> set[str]:
            lab = r.label.strip("* ")
            if numbered and lab.isdigit():
                return stage_keys(f"{t.header[0]} {lab}") | stage_keys(" ".join(r.cells[1:]))
            return stage_keys(" ".join(r.cells))

        staged = [
            r
            for r in t.rows
            if not is_total_label(r.label)
            and (stage_keys(r.label) or (numbered and r.label.strip("* ").isdigit()))
        ]
        if len(staged) >= 2:
            for r in staged:
                m = t.money(r)
                if m is not None and not m.delta:
                    out.append(_StageValue(row_keys(r), m.lo, m.hi, r.line, f"'{r.label}' row", True))
            continue
        keys = _heading_keys(t.headings)
        for r in t.rows:
            # a total row that names its stage ("SUMME STUFE 3") says which stage it sums
            row_stage = stage_keys(r.label) or keys
            if row_stage and is_total_label(r.label):
                m = t.money(r)
                if m is not None and not m.delta:
                    out.append(_StageValue(row_stage, m.lo, m.hi, r.line, "table total", False))
        if keys and t.trailing_total is not None:
            n, m = t.trailing_total
            out.append(_StageValue(keys, m.lo, m.hi, n, "table total", False))
    for ln in lines:
        if ln.no in table_lines:
            continue
        text = ln.text.strip()
        if not text or NOT_COST.search(text):
            continue
        own = stage_keys(text)
        m = _first_amount(text)
        if m is None or not re.search(r"\$\s*\d", text):
            continue
        if not re.search(r"/\s*mo|month|total|cost|m[eê]s\b|mois|monat|bulan", text, re.I):
            continue
        heading_line = bool(re.match(r"^\s{0,3}#{1,6}\s", ln.text))
        total_line = bool(
            re.match(
                r"^\W*(?:\*\*)?\s*(?:estimated\s+|new\s+)?(?:monthly\s+)?(?:total|suma|soma|summe|gesamt|jumlah)\b",
                text,
                re.I,
            )
        )
        if own and (
            heading_line
            or re.match(
                r"^\W*(?:\d+[.)]\s*)?\W*(phase|stage|tier|step|level|milestone|fase|étape|etapa|tahap|stufe)\b",
                text,
                re.I,
            )
            or (
                any(k.startswith(("phase ", "stage ")) for k in own)
                and re.search(
                    r"\b(?:costs|comes\s+to|revient\s+à|custa|cuesta|kostet|biaya(?:nya)?)\b", text, re.I
                )
            )
        ):
            out.append(_StageValue(own, m.lo, m.hi, ln.no, "statement", True))
            continue
        prev = by_no.get(ln.no - 1)
        if (
            prev is not None
            and re.search(r"\bcost\b", text, re.I)
            and stage_keys(prev.text)
            and not find_money(prev.text)
        ):
            out.append(_StageValue(stage_keys(prev.text), m.lo, m.hi, ln.no, "statement", True))
            continue
        if total_line:
            keys = _heading_keys(ln.headings)
            if keys:
                out.append(_StageValue(keys, m.lo, m.hi, ln.no, "stated total", True))
    return out


def _yearly_stage_values(lines: list[Line], table_lines: set[int]) -> list[_StageValue]:
    """A stage's cost for a year ("a fase 2 custa US$ 1.991,60 por ano"), as a twelfth of it a
    month: each clause that names one stage and one yearly amount, and no monthly one."""
    out: list[_StageValue] = []
    for ln in lines:
        if ln.no in table_lines or ln.in_code:
            continue
        for clause in re.split(r";|(?<=[.!?])\s", ln.text):
            keys = {k for k in stage_keys(clause) if not k[0].isdigit()}
            yearly = YEARLY_AMOUNT.findall(clause)
            if len(keys) != 1 or len(yearly) != 1 or MONTHLY_AMOUNT.search(clause) or NOT_COST.search(clause):
                continue
            monthly = read_number(yearly[0]) / 12
            what = f"yearly figure ({usd_text(read_number(yearly[0]))} a year)"
            out.append(_StageValue(keys, monthly, monthly, ln.no, what, True))
    return out


_NAMED_STAGE = re.compile(r"(?:phase|stage|tier|step|level|milestone) \d+")


def _alias_stages(values: list[_StageValue]) -> None:
    """A stage named both ways in one place ("Fase 2 — 200 clínicas") is the same stage wherever
    either name stands alone: each value gets the other names of its stage too."""
    alias: dict[str, set[str]] = {}
    for v in values:
        named = [k for k in v.keys if _NAMED_STAGE.fullmatch(k)]
        if len(named) == 1:
            for k in v.keys:
                alias.setdefault(k, set()).update(v.keys)
    for v in values:
        v.keys = v.keys.union(*(alias.get(k, set()) for k in v.keys))


def _check_ranges(values: list[_StageValue], tol: Tolerance, audit: DocAudit) -> None:
    """Each statement against every other figure for the same stage; one finding per statement."""
    _alias_stages(values)
    reported: set[int] = set()
    for s in values:
        if not s.statement or s.line in reported:
            continue
        bad = [
            v
            for v in values
            if v.line != s.line
            and s.keys & v.keys
            and v.line not in reported
            and not consistent(s.lo, s.hi, v.lo, v.hi, tol)
        ]
        # a statement that disagrees with the others is reported once, at its own line;
        # when the other figure is itself a statement earlier in the text, the pair is reported once
        if not bad:
            continue
        reported.add(s.line)
        key = min(s.keys & bad[0].keys, key=lambda k: (not _NAMED_STAGE.fullmatch(k), k))
        others = ", ".join(f"{v.what} on line {v.line}: {range_text(v.lo, v.hi)}" for v in bad)
        audit.findings.append(
            DocFinding(
                "range_mismatch",
                "error",
                s.line,
                f"{key}: this {s.what} says {range_text(s.lo, s.hi)}/month but {others}",
                stated=range_text(s.lo, s.hi),
                expected="; ".join(range_text(v.lo, v.hi) for v in bad),
                lines_used=tuple(v.line for v in bad),
            )
        )


# ---------------------------------------------------------------------------------------------
# catalog claims


# ---------------------------------------------------------------------------------------------
# the audit


def audit_document(
    text: str, path: str, catalog: Catalog, assumptions: Assumptions | None = None
) -> DocAudit:
    """Check a hand-written hosting plan. Never raises on odd text: what it cannot read is reported."""
    tol = tolerances(assumptions)
    # figures are read in the English convention; each line keeps its length (doc_numbers.py)
    ex = extract(point_convention(text))
    audit = DocAudit(path=path, lines=len(ex.lines), catalog_as_of=str(catalog.as_of))
    for ln, what, why in ex.unparsed:
        audit.findings.append(DocFinding("unparsed", "warning", ln, f"{what} could not be read: {why}"))
    for t in ex.tables:
        if t.kind == "box" and not t.is_cost_table:
            continue
        totals = tuple(r.line for r in t.rows if is_total_label(r.label))
        if t.trailing_total:
            totals += (t.trailing_total[0],)
        audit.tables.append(
            DocTable(
                t.kind,
                t.start_line,
                t.end_line,
                t.header,
                len(t.rows),
                t.header[t.money_col] if t.money_col is not None and t.money_col < len(t.header) else None,
                totals,
            )
        )
        if t.is_cost_table and totals == () and any(is_total_label(c) for r in t.rows for c in r.cells[1:]):
            audit.findings.append(
                DocFinding(
                    "unparsed",
                    "warning",
                    t.start_line,
                    "a total in this table is not in its first column: not checked",
                )
            )
    _check_totals(ex.tables, tol, audit)
    _check_arithmetic(ex.lines, ex.table_lines, audit)
    _check_ranges(
        sorted(
            _stage_values(ex.lines, ex.tables, ex.table_lines)
            + _yearly_stage_values(ex.lines, ex.table_lines),
            key=lambda v: v.line,
        ),
        tol,
        audit,
    )
    vocab = Vocabulary(catalog)
    check_claims(ex.lines, ex.tables, ex.table_lines, vocab, tol, audit)
    audit.findings.extend(terms_findings(ex.lines, vocab))
    audit.findings.extend(latency_findings(ex.lines, catalog, assumptions or load_assumptions()))
    audit.findings.extend(fee_findings(ex.lines, catalog))
    order = {k: i for i, k in enumerate(KINDS)}
    audit.findings.sort(key=lambda f: (f.line, order[f.kind]))
    return audit
