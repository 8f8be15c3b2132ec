"""`tierplan audit --doc plan.md`: check a hand-written hosting plan against its own arithmetic and
the price catalog.

``audit_document(text, path, catalog)`` finds the document's cost tables and cost lists
(doc_tables.py) and its statements about prices and free tiers (doc_vocabulary.py, doc_claims.py,
doc_context.py), then reports:

* ``total_mismatch``: a TOTAL / Subtotal that is not the sum of the rows above it, a stage
  column's total, a total in a fenced cost block (doc_totals.py);
* ``arithmetic``: a formula written out in prose or a list item ("2 x $7 = $16") that does not
  compute (doc_arithmetic.py);
* ``range_mismatch``: a stage's cost stated in one place (a summary, a heading, a yearly figure)
  that disagrees with the same stage's total elsewhere (doc_stages.py);
* ``catalog_mismatch``: a plan price, free-tier quota or unit price that disagrees with the
  catalog entry (cited with its source and as-of date), or that only a legacy plan had
  (doc_catalog.py);
* ``terms`` and ``latency``: a commercial product on a non-commercial plan (doc_terms.py), a
  round trip far from the geography (doc_latency.py);
* ``fee_formula``: a messaging cost written with a retired billing rule (per conversation, free
  service messages) or another message category's rate (doc_fees.py), an overage that forgets
  what the plan includes (doc_overage.py);
* ``unmatched_claim``: a priced row or a claim that names no catalog plan, so it was not checked;
* ``unparsed``: a table row that could not be read.

Pure functions; ``read_document(path)`` is the only one touching a file.
"""

from __future__ import annotations

from pathlib import Path

from ..assumptions import Assumptions, load_assumptions
from ..catalog.loader import Catalog
from ..errors import InputError
from ..yamlio import read_text
from .doc_arithmetic import arithmetic_slips, each_slips, yearly_slips
from .doc_catalog import check_claims
from .doc_fees import fee_findings
from .doc_findings import KINDS, DocAudit, DocFinding, DocTable, tolerances
from .doc_latency import latency_findings
from .doc_numbers import point_convention
from .doc_overage import overage_findings
from .doc_stages import check_stages
from .doc_tables import Line, extract, is_total_label
from .doc_terms import terms_findings
from .doc_totals import check_code_totals, check_row_products, check_stage_columns, check_totals
from .doc_vocabulary import Vocabulary

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


# ---------------------------------------------------------------------------------------------
# arithmetic


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
    check_totals(ex.tables, tol, audit)
    check_row_products(ex.tables, audit)
    check_stage_columns(ex.lines, ex.tables, tol, audit)
    check_code_totals(ex.lines, tol, audit)
    _check_arithmetic(ex.lines, ex.table_lines, audit)
    check_stages(ex.lines, ex.tables, ex.table_lines, tol, audit)
    vocab = Vocabulary(catalog)
    check_claims(ex.lines, ex.tables, ex.table_lines, vocab, tol, audit)
    audit.findings.extend(terms_findings(ex.lines, vocab))
    audit.findings.extend(latency_findings(ex.lines, catalog, assumptions or load_assumptions()))
    audit.findings.extend(fee_findings(ex.lines, catalog))
    audit.findings.extend(overage_findings(ex.lines, vocab))
    order = {k: i for i, k in enumerate(KINDS)}
    audit.findings.sort(key=lambda f: (f.line, order[f.kind]))
    return audit
