"""Totals that must add up: a table's TOTAL / Subtotal rows against the rows above them (ranges as
ranges, optional rows in the upper bound only, increases added to the total before them), each
stage column's total in a table with a column per stage, and a fenced YAML-like cost block's
"total_usd" against its entries. Findings of kind ``total_mismatch``. Pure functions."""

from __future__ import annotations

import re

from .doc_arithmetic import read_number
from .doc_findings import DocAudit, DocFinding, Tolerance, consistent, range_text, usd_text
from .doc_stages import (
    CODE_TOTAL,
    NOT_A_MONTH,
    OTHER_CURRENCY,
    TOTAL_WORD,
    cell_amount,
    column_keys,
    population_nouns,
    says_dollars,
)
from .doc_tables import Line, Money, Row, Table, is_fence, is_total_label

__all__ = ["check_code_totals", "check_stage_columns", "check_totals"]


def _optional(row: Row) -> bool:
    return any(re.search(r"\boptional\b", c, re.I) for c in row.cells)


def check_totals(tables: list[Table], tol: Tolerance, audit: DocAudit) -> list[tuple[int, Money]]:
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


#: one cost entry of a YAML-like block: "  render_standard:    25.00        # 1 instance"
_CODE_ENTRY = re.compile(
    r"^\s*[\"']?(?P<key>[A-Za-z][\w .-]*?)[\"']?\s*[:=]\s*[\"']?(?P<value>[^#\"']*?)[\"']?\s*(?:#.*)?$"
)
_CODE_AMOUNT = re.compile(r"(?:US)?\$?\s?(?P<amount>\d{1,3}(?:,\d{3})*\.\d{2}|\d+\.\d{2})")
#: entries that are not this month's dollar costs: other currencies, revenue, a year, per head
_NOT_A_COST_KEY = re.compile(
    r"(?:^|_)(?:ngn|eur|brl|mxn|kes|inr|idr|cop|xof|gbp|zar|local)(?:_|$)|revenue|income|year|annual|per_|margin|"
    r"price|rate",
    re.I,
)


def check_code_totals(lines: list[Line], tol: Tolerance, audit: DocAudit) -> None:
    """A YAML-like cost block in a fence: its "total_usd: 122.61" is the sum of the dollar entries
    above it (since the fence or the previous total). A block with any other entry (a count, a
    text) is not a list of costs and is left alone."""
    entries: list[tuple[int, float]] = []
    costs_only = True
    for ln in lines:
        if not ln.in_code or is_fence(ln.text):
            entries, costs_only = [], True
            continue
        entry = _CODE_ENTRY.match(ln.text)
        if entry is None or not entry.group("value").strip():
            continue  # a block's name ("s2:") or a blank line
        key, value = entry.group("key"), entry.group("value").strip()
        total = CODE_TOTAL.match(ln.text.strip())
        if total is not None:
            if costs_only and len(entries) >= 2:
                stated = read_number(total.group("amount"))
                summed = sum(v for _, v in entries)
                audit.totals_checked += 1
                if not consistent(stated, stated, summed, summed, tol):
                    used = [n for n, _ in entries]
                    audit.findings.append(
                        DocFinding(
                            "total_mismatch",
                            "error",
                            ln.no,
                            f"'{total.group('key')}' {usd_text(stated)} does not add up: the entries above it"
                            f" (lines {used[0]}-{used[-1]}) sum to {usd_text(summed)}"
                            f" ({'over' if stated > summed else 'under'} by {usd_text(abs(stated - summed))})",
                            stated=usd_text(stated),
                            expected=usd_text(summed),
                            lines_used=tuple(used),
                        )
                    )
            entries, costs_only = [], True
            continue
        if _NOT_A_COST_KEY.search(key) or TOTAL_WORD.search(key.replace("_", " ")):
            continue
        amount = _CODE_AMOUNT.fullmatch(value)
        if amount is None:
            costs_only = False
        else:
            entries.append((ln.no, read_number(amount.group("amount"))))


def check_stage_columns(lines: list[Line], tables: list[Table], tol: Tolerance, audit: DocAudit) -> None:
    """A table with a column per stage: each column's total row is the sum of that column's rows
    above it (since the previous total)."""
    by_no = {ln.no: ln for ln in lines}
    nouns = population_nouns(lines, tables)
    for t in tables:
        columns = {i: k for i, h in enumerate(t.header) if (k := column_keys(h, nouns))}
        if len(columns) < 2:
            continue
        dollars = says_dollars(t, by_no)
        segment: list[Row] = []
        for r in t.rows:
            if not is_total_label(r.label):
                segment.append(r)
                continue
            if OTHER_CURRENCY.search(r.label) or NOT_A_MONTH.search(r.label):
                continue
            for i in columns:
                stated = cell_amount(r.cells[i], dollars) if i < len(r.cells) else None
                items = [
                    (x.line, cell_amount(x.cells[i], dollars) if i < len(x.cells) else None) for x in segment
                ]
                if stated is None or stated.delta or not items or any(m is None for _, m in items):
                    continue
                audit.totals_checked += 1
                lo = sum(m.lo for _, m in items if m is not None)
                hi = sum(m.hi for _, m in items if m is not None)
                if consistent(stated.lo, stated.hi, lo, hi, tol):
                    continue
                used = [n for n, _ in items]
                diff = (stated.hi + stated.lo) / 2 - (hi + lo) / 2
                audit.findings.append(
                    DocFinding(
                        "total_mismatch",
                        "error",
                        r.line,
                        f"'{t.header[i]}' total {stated.label()} does not add up: the column's rows above it"
                        f" (lines {used[0]}-{used[-1]}) sum to {range_text(lo, hi)}"
                        f" ({'over' if diff > 0 else 'under'} by {usd_text(abs(diff))})",
                        stated=stated.label(),
                        expected=range_text(lo, hi),
                        lines_used=tuple(used),
                    )
                )
            segment = []


#: the columns of a table row that multiply out: a quantity and a price per unit, whose product is
#: the row's amount ("| Fly API | 2 | 8.73 | 17.46 |", "S2,web,...,2,8.73,19.46")
_QTY_HEADER = re.compile(
    r"^(?:qty|quantity|count|units|n|#|cantidad|cant\.?|menge|anzahl|adet|qtd\.?|quantidade|quantité|qté|jumlah)$",
    re.I,
)
_UNIT_PRICE_HEADER = re.compile(
    r"\bunit\b|\beach\b|\brate\b|per\s+unit|unitario|unitário|unitaire|einzelpreis|satuan|birim", re.I
)
_NUMBER_CELL = re.compile(r"^\W*(?:US)?\$?\s*(\d[\d,]*(?:\.\d+)?)\W*$")


def check_row_products(tables: list[Table], audit: DocAudit) -> None:
    """A row whose quantity times its unit price is not its amount (to the cent, or 1%)."""
    for t in tables:
        if not t.is_cost_table or t.money_col is None:
            continue
        heads = [re.sub(r"[*_`]", " ", h).strip() for h in t.header]
        qty = next((i for i, h in enumerate(heads) if _QTY_HEADER.match(h)), None)
        unit = next(
            (i for i, h in enumerate(heads) if _UNIT_PRICE_HEADER.search(h) and i not in (qty, t.money_col)), None
        )
        if qty is None or unit is None:
            continue
        for r in t.rows:
            if is_total_label(r.label) or max(qty, unit) >= len(r.cells):
                continue
            q, p, amount = _NUMBER_CELL.match(r.cells[qty]), _NUMBER_CELL.match(r.cells[unit]), t.money(r)
            if q is None or p is None or amount is None or amount.lo != amount.hi:
                continue
            n, price = read_number(q.group(1)), read_number(p.group(1))
            computed = n * price
            if abs(computed - amount.lo) <= max(0.01, 0.01 * max(computed, amount.lo)):
                continue
            audit.findings.append(
                DocFinding(
                    "arithmetic",
                    "error",
                    r.line,
                    f"'{r.label}': {q.group(1)} x {p.group(1)} is {usd_text(computed)}, not {usd_text(amount.lo)} "
                    f"(columns '{t.header[qty]}' x '{t.header[unit]}' = '{t.header[t.money_col]}')",
                    stated=usd_text(amount.lo),
                    expected=usd_text(computed),
                )
            )
