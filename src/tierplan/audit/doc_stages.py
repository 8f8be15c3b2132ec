"""The stages of a plan document and what each costs: a stage's figure wherever the document
gives one (a summary row, a heading, a table's total, a column per stage, a "total_usd" in a fenced
block, a total written as its formula, a yearly figure), and ``range_mismatch`` where a statement
disagrees with another figure for the same stage. Stages are named by phase or stage number in six
languages, by population ("200 clínicas") or by range ("50-200"); a heading that names a stage both
ways makes the two names one stage. Pure functions over the extracted lines and tables."""

from __future__ import annotations

import re
from dataclasses import dataclass

from .doc_arithmetic import MONTHLY_AMOUNT, YEARLY_AMOUNT, read_number
from .doc_findings import (
    MONTH_WORDS,
    NOT_COST,
    DocAudit,
    DocFinding,
    Tolerance,
    consistent,
    range_text,
    usd_text,
)
from .doc_tables import STAGE_ID, Line, Money, Row, Table, find_money, is_total_label, parse_money, stage_keys

__all__ = [
    "CODE_TOTAL",
    "NOT_A_MONTH",
    "OTHER_CURRENCY",
    "TOTAL_WORD",
    "StageValue",
    "cell_amount",
    "check_stages",
    "column_keys",
    "population_nouns",
    "says_dollars",
]


@dataclass
class StageValue:
    keys: set[str]
    lo: float
    hi: float
    line: int
    what: str
    statement: bool  # also a statement to check (summary rows, standalone totals, headings)


def heading_keys(headings: tuple[str, ...]) -> set[str]:
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


def cell_amount(cell: str, dollars: bool) -> Money | None:
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
OTHER_CURRENCY = re.compile(r"¤|€|£|₦|₹|\b(?:EUR|BRL|MXN|NGN|KES|INR|IDR|Rp|COP|XOF|FCFA|GBP|ZAR)\b")


_BARE_NUMBER = re.compile(r"\W*(\d{1,3}(?:,\d{3})+|\d+)\W*")


def population_nouns(lines: list[Line], tables: list[Table]) -> set[str]:
    """The nouns a document counts its stages in: "clínicas" from "Fase 2 — 200 clínicas", where a
    population stands beside a stage's name (looked for only when a table heads a column with a
    bare number)."""
    nouns: set[str] = set()
    if not any(_BARE_NUMBER.fullmatch(h.strip()) for t in tables for h in t.header):
        return nouns
    for ln in lines:
        keys = stage_keys(ln.text)
        if not any(re.fullmatch(r"(?:phase|stage|tier|step|level|milestone) \d+", k) for k in keys):
            continue
        for k in keys:
            m = re.fullmatch(r"[\d.]+ (\S+)", k)
            if m:
                nouns.add(m.group(1))
    return nouns


def column_keys(header: str, nouns: set[str]) -> set[str]:
    """A column's stage keys: its own ("Phase 2", "200 users"), or a bare population ("| 200 |") in
    the nouns the document counts its stages in."""
    keys = stage_keys(header)
    bare = _BARE_NUMBER.fullmatch(header.strip())
    if not keys and bare:
        n = float(bare.group(1).replace(",", ""))
        keys = {f"{n:g} {noun}" for noun in nouns}
    return keys


#: a month's total in a YAML-like block: "total_usd: 122.61", "total: $20.80", "monthly_total = 37"
CODE_TOTAL = re.compile(
    r"^[\"']?(?P<key>(?:monthly[_ -]?)?total(?:[_ -]?(?:usd|monthly|month|per[_ -]month|cost))?)[\"']?(?:\s*[:=]|\s{2,})\s*"
    r"[\"']?(?:US)?\$?\s*(?P<amount>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)[\"']?\s*(?:#.*)?$",
    re.I,
)


_FORMULA_RESULT = re.compile(r"=\s*(?:US)?\$\s?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")
TOTAL_WORD = re.compile(r"\b(?:total|subtotal|suma|soma|summe|gesamt|jumlah)\b", re.I)


def _stage_formula_total(text: str, prev: Line | None) -> tuple[set[str], float] | None:
    """A stage's total written as its sum: "Phase 2 total: $20 + $14 + ... = $95.85 per month", or
    that formula on the line after "Phase 2 total:". (keys, the result after the last "=")."""
    last_equals = text.rfind("=")
    result = _FORMULA_RESULT.match(text, last_equals) if last_equals >= 0 else None
    if (
        result is None
        or not re.search(r"\d\s*[+]\s*(?:US)?\$?\s?\d", text)
        or NOT_COST.search(text.replace("=", "").replace("×", ""))
    ):
        return None
    label = text[: text.find("$")] if "$" in text else ""
    if not (TOTAL_WORD.search(label) and stage_keys(label)):
        if (
            prev is None
            or find_money(prev.text)
            or not (TOTAL_WORD.search(prev.text) and stage_keys(prev.text))
        ):
            return None
        label = prev.text
    return stage_keys(label), read_number(result.group(1))


def says_dollars(t: Table, by_no: dict[int, Line]) -> bool:
    """Bare numbers in ``t`` are US dollars: its header or labels say so ("| TOTAL (US$) | 37.00 |"),
    or the text just above it does ("All figures USD per month")."""
    if re.search(r"\$|\bUSD\b", " ".join(t.header) + " ".join(r.label for r in t.rows)):
        return True
    above = [by_no[n].text for n in range(t.start_line - 3, t.start_line) if n in by_no]
    said = " ".join(above)
    return bool(re.search(r"\bUSD\b|US\$|\bdollars?\b", said, re.I)) and not OTHER_CURRENCY.search(said)


#: a total row of another period or per head ("Total per year", "Total per user"): not a month's sum
NOT_A_MONTH = re.compile(r"year|annual|jahr|\bano\b|año|\ban\b|tahun|per\s+(?:user|head)|%", re.I)


_ONE_PLAN = re.compile(r"\b(?:plan|plano|piano|paket|tarif|forfait)\b", re.I)
#: words that make an amount an add-on to a stage, not its cost
_ADD_ON = re.compile(r"\b(?:add|adds|adding|plus|extra|additional|add-on|upgrade\s+to)\b", re.I)
#: a verb saying what a stage costs, then its amount ("Stage 2 costs $48", "custa US$ 15", "runs
#: about $612"), not "costs more per podcaster than Stage 3 because ... $20"
_COSTS_AMOUNT = re.compile(
    r"\b(?:costs|comes\s+to|runs|totals|amounts\s+to|revient\s+à|custa|cuesta|kostet|biaya(?:nya)?)\b"
    r"(?!\s+(?:more|less|about\s+the\s+same))[^$\d.;]{0,25}?(?:US)?\$\s*\d",
    re.I,
)


def _parent_key(lines: list[Line], idx: int) -> str:
    """The key a line of a YAML-like block is indented under ("  stage_b:" above "    total: 53.30"):
    the nearest line above, within the block (no blank line), that is less indented and ends in a
    colon; "" when there is none."""
    own = lines[idx].text
    indent = len(own) - len(own.lstrip())
    if indent == 0 or not own.strip():
        return ""
    for j in range(idx - 1, max(-1, idx - 60), -1):
        t = lines[j].text
        if not t.strip():
            return ""
        lead = len(t) - len(t.lstrip())
        if lead < indent:
            return t.strip() if re.match(r"^[\w .'\"-]{1,40}:\s*(?:#.*)?$", t.strip()) else ""
    return ""


#: a first column that lists the stages ("| Stage | Clinics | ... |")
_STAGE_COLUMN_HEADER = re.compile(
    r"^\W*(?:stages?|phases?|etapas?|fases?|tahap|stufen?|étapes?|aşama|evre|giai\s+đoạn|milestones?)\W*$", re.I
)
#: a stage's own name ("Pilot", "Seed", "Growth"): one capitalised word
_STAGE_NAME = re.compile(r"[A-Z][a-z]{2,14}")


#: a cost per customer, not per month: "Per clinic: Pilot $2.93", "$2.60 per studio", "/user"
_PER_UNIT = re.compile(r"\bper\s+(?!month\b|mo\b|year\b)[a-z]+|/\s*(?!mo\b|month\b)[a-z]{3,}\b", re.I)


def stage_names(tables: list[Table]) -> set[str]:
    """Names the document gives its stages instead of numbers: the rows of a table whose first
    column is headed "Stage" ("| Seed | 250 | $3,750 |"), two names at least."""
    names: set[str] = set()
    for t in tables:
        if t.header and _STAGE_COLUMN_HEADER.match(t.header[0].strip("* ")):
            names |= {
                lab for r in t.rows if _STAGE_NAME.fullmatch(lab := r.label.strip("* ")) and not is_total_label(lab)
            }
    return names if len(names) >= 2 else set()


def name_keys(text: str, names: set[str]) -> set[str]:
    """The stage keys of the stage names ``text`` holds: "stage seed"."""
    return {f"stage {n.lower()}" for n in names if re.search(rf"\b{n}\b", text)}


#: a named stage's amount in a summary line: "**Seed $560.43**", "Seed: ~$98", "Growth — $2,850.71"
def _named_pairs(text: str, names: set[str]) -> list[tuple[str, Money]]:
    out: list[tuple[str, Money]] = []
    for n in names:
        for m in re.finditer(rf"\b{n}\b[*_]*\s*[:=—–-]?\s*[*_]*\s*(?=(?:~|≈)?\s*(?:US)?\$)", text):
            money = _first_amount(text[m.end() : m.end() + 30])
            if money is not None and not money.delta:
                out.append((f"stage {n.lower()}", money))
    return out


def stage_values(lines: list[Line], tables: list[Table], table_lines: set[int]) -> list[StageValue]:
    out: list[StageValue] = []
    by_no = {ln.no: ln for ln in lines}
    nouns = population_nouns(lines, tables)
    names = stage_names(tables)
    for ln in lines:
        # a summary line naming each stage with its month's cost: "**Pilot $117.15**, **Seed $560.43**"
        if (
            names
            and ln.no not in table_lines
            and not ln.in_code
            and re.search(r"month|/\s*mo\b|cost|mensal|mes\b", ln.text, re.I)
            and not _PER_UNIT.search(ln.text)
            and not NOT_COST.search(ln.text)
        ):
            for key, money in _named_pairs(ln.text, names):
                out.append(StageValue({key}, money.lo, money.hi, ln.no, "statement", True))
    for t in tables:
        # stage tables the other way round: a column per stage, a total row
        columns = {
            i: k for i, h in enumerate(t.header) if (k := column_keys(h, nouns) or name_keys(h.strip("* "), names))
        }
        dollars = says_dollars(t, by_no)
        if len(columns) >= 2:
            for r in t.rows:
                if (
                    not is_total_label(r.label)
                    or OTHER_CURRENCY.search(r.label)
                    or NOT_A_MONTH.search(r.label)
                ):
                    continue
                for i, keys in columns.items():
                    m = cell_amount(r.cells[i], dollars) if i < len(r.cells) else None
                    if m is not None and not m.delta:
                        out.append(
                            StageValue(keys, m.lo, m.hi, r.line, f"'{t.header[i]}' column total", False)
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
            if numbered and STAGE_ID.fullmatch(lab):
                return stage_keys(f"{t.header[0]} {lab}") | stage_keys(" ".join(r.cells[1:]))
            return stage_keys(" ".join(r.cells))

        staged = [
            r
            for r in t.rows
            if not is_total_label(r.label)
            and (stage_keys(r.label) or (numbered and STAGE_ID.fullmatch(r.label.strip("* "))))
        ]
        if len(staged) >= 2:
            for r in staged:
                m = t.money(r)
                if m is not None and not m.delta:
                    out.append(StageValue(row_keys(r), m.lo, m.hi, r.line, f"'{r.label}' row", True))
            continue
        keys = heading_keys(t.headings)
        for r in t.rows:
            # a total row that names its stage ("SUMME STUFE 3") says which stage it sums
            row_stage = stage_keys(r.label) or keys
            if row_stage and is_total_label(r.label):
                m = t.money(r)
                if m is not None and not m.delta:
                    out.append(StageValue(row_stage, m.lo, m.hi, r.line, "table total", False))
        if keys and t.trailing_total is not None:
            n, m = t.trailing_total
            out.append(StageValue(keys, m.lo, m.hi, n, "table total", False))
    for i, ln in enumerate(lines):
        if ln.no in table_lines:
            continue
        text = ln.text.strip()
        parent = _parent_key(lines, i)
        parent_keys = {k for k in stage_keys(parent) if not k[0].isdigit()} if parent else set()
        code_total = CODE_TOTAL.match(text) if ln.in_code or parent_keys else None
        if code_total:
            # "total_usd: 122.61" in a YAML-like block: under a key that names its stage
            # ("stage_b:"), else under the stage's heading
            keys = parent_keys or heading_keys(ln.headings)
            v = read_number(code_total.group("amount"))
            if keys:
                out.append(
                    StageValue(keys, v, v, ln.no, f"'{code_total.group('key')}' in a code block", False)
                )
            continue
        formula_total = _stage_formula_total(text, by_no.get(ln.no - 1))
        if formula_total is not None:
            out.append(
                StageValue(
                    formula_total[0], formula_total[1], formula_total[1], ln.no, "total's formula", False
                )
            )
            continue
        if not text or NOT_COST.search(text):
            continue
        own = stage_keys(text)
        m = _first_amount(text)
        if m is None or not re.search(r"\$\s*\d", text):
            continue
        heading_line = bool(re.match(r"^\s{0,3}#{1,6}\s", ln.text))
        # a heading that names a stage and one amount ("### S2 — 90 pharmacies: $639.21") gives
        # that stage's monthly cost; elsewhere the line must say it is a month's cost or a total
        one_amount_heading = heading_line and own and len(find_money(text)) == 1
        if not one_amount_heading and not re.search(
            rf"{MONTH_WORDS}|total|cost|toplam|tổng|maliyet|chi\s+phí|costo|gharama",
            text,
            re.I,
        ):
            continue
        total_line = bool(
            re.match(
                r"^\W*(?:\*\*)?\s*(?:estimated\s+|new\s+)?(?:monthly\s+)?(?:total|suma|soma|summe|gesamt|jumlah)\b",
                text,
                re.I,
            )
        )
        if _ADD_ON.search(text[: text.find(m.text)] if m.text in text else text):
            continue  # "Stage 3: add PITR (7 days) for $100/month": an add-on, not the stage's cost
        if not heading_line and _ONE_PLAN.search(text) and not re.search(r"total|suma|soma|summe|gesamt|jumlah", text, re.I):
            continue  # "Etapa 2: plan Team, US$ 26 al mes": one plan's price in that stage
        named_stages = {k for k in own if _NAMED_STAGE.fullmatch(k)}
        if len(named_stages) > 1 and not heading_line:
            continue  # "Stage 2 costs more per podcaster than Stage 3 because ... $20": a comparison
        if own and (
            heading_line
            or re.match(
                r"^\W*(?:\d+[.)]\s*)?\W*(phase|stage|tier|step|level|milestone|fase|étape|etapa|tahap|stufe)\b",
                text,
                re.I,
            )
            or (
                any(k.startswith(("phase ", "stage ")) for k in own)
                and _COSTS_AMOUNT.search(text)
            )
        ):
            out.append(StageValue(own, m.lo, m.hi, ln.no, "statement", True))
            continue
        prev = by_no.get(ln.no - 1)
        if (
            prev is not None
            and re.search(r"\bcost\b", text, re.I)
            and stage_keys(prev.text)
            and not find_money(prev.text)
        ):
            out.append(StageValue(stage_keys(prev.text), m.lo, m.hi, ln.no, "statement", True))
            continue
        if total_line:
            keys = heading_keys(ln.headings)
            if keys:
                out.append(StageValue(keys, m.lo, m.hi, ln.no, "stated total", True))
    return out


_CLAUSE_END = re.compile(r";|[.!?]\s")


#: a yearly amount that is the cost of running the stack, not revenue or a saving
_RUNNING_COST = re.compile(r"\bto\s+run\b|\brunning\s+costs?\b|\b(?:hosting|infrastructure|infra)\b", re.I)


def yearly_stage_values(lines: list[Line], table_lines: set[int]) -> list[StageValue]:
    """A stage's cost for a year ("a fase 2 custa US$ 1.991,60 por ano"), as a twelfth of it a
    month: each clause that names one stage and one yearly amount, and no monthly one."""
    out: list[StageValue] = []
    for ln in lines:
        if ln.no in table_lines or ln.in_code:
            continue
        text = ln.text
        for y in YEARLY_AMOUNT.finditer(text):
            starts = [b.end() for b in _CLAUSE_END.finditer(text, max(0, y.start() - 300), y.start())]
            end = _CLAUSE_END.search(text, y.end())
            clause = text[
                starts[-1] if starts else max(0, y.start() - 300) : end.start() if end else len(text)
            ]
            keys = {k for k in stage_keys(clause) if not k[0].isdigit()}
            if not keys:
                # "That's about $30,800 a year to run, against ... of subscriptions": the amount's
                # own part of the sentence, under the stage's heading
                comma = text.find(", ", y.end())
                own = text[starts[-1] if starts else max(0, y.start() - 300) : comma if comma >= 0 else len(text)]
                if _RUNNING_COST.search(own) and not NOT_COST.search(own):
                    keys = {k for k in heading_keys(ln.headings) if not k[0].isdigit()}
                    clause = own
            yearly = YEARLY_AMOUNT.findall(clause)
            if len(keys) != 1 or len(yearly) != 1 or MONTHLY_AMOUNT.search(clause) or NOT_COST.search(clause):
                continue
            monthly = read_number(yearly[0]) / 12
            what = f"yearly figure ({usd_text(read_number(yearly[0]))} a year)"
            out.append(StageValue(keys, monthly, monthly, ln.no, what, True))
    return out


#: a row label that is a stage's number or letter under a column headed "Stage" ("2", "B")
_NAMED_STAGE = re.compile(r"(?:phase|stage|tier|step|level|milestone) (?:\d+|[A-F])")


def _alias_stages(values: list[StageValue]) -> None:
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


def check_ranges(values: list[StageValue], tol: Tolerance, audit: DocAudit) -> None:
    """Each statement against every other figure for the same stage; one finding per statement. A
    total already found not to add up is not held against anything."""
    _alias_stages(values)
    wrong_totals = {f.line for f in audit.findings if f.kind == "total_mismatch"}
    values = [v for v in values if v.line not in wrong_totals]
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
        # a statement that agrees with a table's total of its stage is not held against another
        # statement: that one is reported at its own line
        if any(
            not v.statement and v.line != s.line and s.keys & v.keys and consistent(s.lo, s.hi, v.lo, v.hi, tol)
            for v in values
        ):
            bad = [v for v in bad if not v.statement]
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


def check_stages(
    lines: list[Line], tables: list[Table], table_lines: set[int], tol: Tolerance, audit: DocAudit
) -> None:
    """Every stage figure of the document, each statement checked against the others."""
    values = stage_values(lines, tables, table_lines) + yearly_stage_values(lines, table_lines)
    check_ranges(sorted(values, key=lambda v: v.line), tol, audit)
