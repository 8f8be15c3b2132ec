"""Reading a hand-written hosting plan: money amounts, headings, cost tables and cost lists.

Pure functions over the document text. Shapes recognised (wherever they are, in code fences too):

* Markdown pipe tables (``| a | b |`` rows, an optional ``|---|`` separator);
* box-drawing tables (``│ a │ b │`` rows between ``┌─┬─┐`` / ``├─┼─┤`` borders);
* aligned-column tables inside code fences (a header line and rows whose cells are separated by
  two or more spaces, at least one cell per row being a monthly amount);
* cost lists: consecutive ``label: ... $N/month`` lines closed by a ``Total: $N`` line.

A table or list that looks like one but cannot be read is returned in ``unparsed`` with the reason.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field

from .doc_prefilter import without_caret

__all__ = [
    "Money",
    "Line",
    "Row",
    "Table",
    "Extraction",
    "parse_money",
    "find_money",
    "split_lines",
    "is_fence",
    "extract",
    "stage_keys",
    "is_total_label",
    "PER_WORDS",
    "STAGE_ID",
]

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
#: "per" in the languages plan documents are written in: "$0.30 per million", "0,30 $ ogni 1.000"
PER_WORDS = r"per|por|par|pro|je|ogni|cada|chaque|setiap|tiap"
_UNIT_PRICE_AFTER = re.compile(
    rf"^\s*(?:/|(?:{PER_WORDS})\s+)"
    r"(?:\s*(?:additional|extra|each|1|one|started\s+block\s+of|block\s+of)\s+)?\s*"
    r"(?:gb|mb|tb|hr|hour|h\b|min|minute|second|s\b|k\b|m\b|million|thousand|100k|1k|1m|\d[\d,.]*\s*(?:k|m)?\b|request|req|"
    r"mill[óo]n|milion[ei]|milh[ãa]o|juta|ribu|go\b|to\b|"
    r"user|seat|cpu|vcpu|gib|unit|message|conversation|email|call|op|operation|command|read|write|"
    r"coop|member|invocation|event|row|mau|cu|year|yr|annum|day|week)",
    re.I,
)
_MONTH_AFTER = re.compile(r"^\s*(?:/\s*|per\s+|a\s+)(?:mo\b|month|mth)", re.I)
_UNIT_PRICE_AFTER_AT = without_caret(_UNIT_PRICE_AFTER)
_MONTH_AFTER_AT = without_caret(_MONTH_AFTER)
_PER_AT_END = re.compile(r"\s*per\s*$", re.I)
_FREE_WORDS = re.compile(r"^(?:free|\$?0|none|included|n/a)$", re.I)


@dataclass(frozen=True)
class Money:
    """A stated amount in USD: a value or a range (``lo == hi`` for a single value)."""

    lo: float
    hi: float
    text: str
    approx: bool = False
    #: "+$18/mo": an increase over something stated before
    delta: bool = False
    #: "$50+": at least
    open_ended: bool = False

    @property
    def is_range(self) -> bool:
        return self.hi != self.lo

    def label(self) -> str:
        def f(v: float) -> str:
            return f"${v:,.2f}".replace(".00", "") if v != int(v) else f"${int(v):,}"

        return f(self.lo) if not self.is_range else f"{f(self.lo)}-{f(self.hi)}"


def _num(s: str) -> float:
    return float(s.replace(",", ""))


def _clean(cell: str) -> str:
    return re.sub(r"[*_`]", "", cell).strip()


_MONEY_CELL = re.compile(
    rf"^(?P<approx>[~≈]|about\s+|approx\.?\s+|est\.?\s+)?\s*(?P<plus>\+)?\s*"
    rf"(?:(?P<free>free)|(?:US)?\$\s*(?P<a>{_NUM})(?P<k>[kK])?)"
    rf"(?:\s*(?:-|–|—|to)\s*\$?\s*(?P<b>{_NUM})(?P<k2>[kK])?)?"
    rf"(?P<open>\+)?\s*(?:/\s*(?:mo|month|mth)\b|per\s+month|a\s+month|monthly)?\s*\*?"
    rf"(?:\s*\((?P<paren>[^)]*)\))?\s*\*?$",
    re.I,
)


def parse_money(cell: str) -> Money | None:
    """A table cell that is a monthly amount: ``$19``, ``~$1,021``, ``$19-29``, ``FREE-$5/month``,
    ``+$18/mo``, ``$50+/month``, ``Free``. ``None`` for anything else (``1.5%``, ``$0.02/GB``)."""
    text = _clean(cell)
    if not text:
        return None
    if _FREE_WORDS.match(text.rstrip("*").strip()) and "$" not in text:
        return Money(0.0, 0.0, text)
    m = _MONEY_CELL.match(text)
    if not m:
        return None
    paren = m.group("paren") or ""
    if paren and "$" in paren and "/year" not in paren and "year" not in paren:
        return None
    mult = 1000.0 if m.group("k") else 1.0
    lo = 0.0 if m.group("free") else _num(m.group("a")) * mult
    hi = lo
    if m.group("b"):
        hi = _num(m.group("b")) * (1000.0 if m.group("k2") or m.group("k") else 1.0)
        if hi < lo:
            return None
    return Money(
        lo,
        hi,
        text,
        approx=bool(m.group("approx")),
        delta=bool(m.group("plus")),
        open_ended=bool(m.group("open")),
    )


_INLINE = re.compile(
    rf"(?P<approx>[~≈]\s*)?(?P<plus>\+\s*)?(?:(?P<free>\bfree\b)\s*(?:-|–|to)\s*)?\$\s*(?P<a>{_NUM})(?P<k>[kK]\b)?"
    rf"(?:\s*(?:-|–|—|to)\s*\$?\s*(?P<b>{_NUM})(?P<k2>[kK]\b)?)?(?P<open>\+)?",
    re.I,
)


def find_money(text: str, *, monthly_only: bool = False) -> list[tuple[Money, int, bool]]:
    """Dollar amounts in free text with their offset and whether each is a unit price
    (``$0.50 per million``, ``$0.015/GB``) rather than an amount. With ``monthly_only``, only
    amounts followed by ``/month`` (or nothing that makes them a unit price) are returned."""
    out: list[tuple[Money, int, bool]] = []
    for m in _INLINE.finditer(text):
        # what follows the amount, read in place (a copy of the rest of a long line per amount
        # is quadratic); "$0.02 per" at the end of a line is a unit price that wraps
        unit = bool(
            _UNIT_PRICE_AFTER_AT.match(text, m.end()) or _PER_AT_END.match(text, m.end())
        ) and not _MONTH_AFTER_AT.match(text, m.end())
        # "$5/month base", "$0.2 per 100k commands"
        mult = 1000.0 if m.group("k") else 1.0
        lo = 0.0 if m.group("free") else _num(m.group("a")) * mult
        hi = _num(m.group("a")) * mult
        if m.group("b"):
            hi = _num(m.group("b")) * (1000.0 if m.group("k2") or m.group("k") else 1.0)
            if hi < lo:
                hi = lo
            if m.group("free"):
                lo = 0.0
        elif m.group("free"):
            lo = 0.0
        money = Money(
            lo,
            hi,
            m.group(0).strip(),
            approx=bool(m.group("approx")),
            delta=bool(m.group("plus")),
            open_ended=bool(m.group("open")),
        )
        if monthly_only and unit:
            continue
        out.append((money, m.start(), unit))
    return out


# ---------------------------------------------------------------------------------------------
# lines, headings, stage keys


@dataclass(frozen=True)
class Line:
    no: int  # 1-based
    text: str
    in_code: bool
    #: headings above this line, outermost first
    headings: tuple[str, ...]


_FENCE = re.compile(r"^\s*(```|~~~)")


def is_fence(text: str) -> bool:
    """The line opens or closes a fenced code block."""
    return bool(_FENCE.match(text))


_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$")


#: a setext heading's underline: "=====" (level 1) or "-----" (level 2)
_SETEXT = re.compile(r"^\s{0,3}(=+|-{3,})\s*$")
#: a line that cannot be a setext heading's text: a list item, a table row, aligned columns
_NOT_SETEXT_TEXT = re.compile(r"^\s*(?:[-*+>|]|\d+[.)]\s)|\S\s{3,}\S|\S\s{2}\S.*\S\s{2,}\S|^\s*$")


def split_lines(text: str) -> list[Line]:
    out: list[Line] = []
    in_code = False
    stack: list[tuple[int, str]] = []
    raws = text.splitlines()
    for i, raw in enumerate(raws, start=1):
        if is_fence(raw):
            out.append(Line(i, raw, True, tuple(h for _, h in stack)))
            in_code = not in_code
            continue
        if not in_code:
            h = _HEADING.match(raw)
            under = _SETEXT.match(raws[i]) if i < len(raws) and not h else None
            if h or (under and not _NOT_SETEXT_TEXT.search(raw)):
                # "## Stage 2", or "Stage 2 - growth" over a line of dashes (Markdown's setext form)
                level = len(h.group(1)) if h else (1 if under and under.group(1)[0] == "=" else 2)
                title = h.group(2) if h else raw.strip()
                stack = [(lv, t) for lv, t in stack if lv < level]
                stack.append((level, title))
        out.append(Line(i, raw, in_code, tuple(t for _, t in stack)))
    return out


#: "Phase 2", "Stufe S2", "stage #3", "Tahap T1": a stage's word and number (a letter may lead it)
_STAGE = re.compile(
    r"\b(phase|stage|tier|step|level|milestone|fase|étape|etapa|tahap|stufe|aşama|evre|faz|giai\s+đoạn|awamu)"
    r"\s*#?\s*[A-Z]?(\d+)\b",
    re.I,
)
_POP_RANGE = re.compile(
    rf"(?<![\w$.,])({_NUM})\s*(?:-|–|—|to)\s*({_NUM})\+?\s+(?!gb\b|mb\b|tb\b|ms\b|s\b|seconds?\b|minutes?\b|"
    r"hours?\b|hrs?\b|days?\b|weeks?\b|months?\b|years?\b|%|x\b|req|lines?\b|files?\b)([a-z]+)",
    re.I,
)
_CURRENT = re.compile(r"\b(current|existing)\b", re.I)


#: "500 schools", "120 clínicas": a stage named by its size, a count (not inside a name such as
#: "R2") of a plural noun (not "class")
_POPULATION = re.compile(rf"(?<![\w$.,\-–])({_NUM})\s+([^\W\d_]{{3,}}(?<!s)s)\b(?!\s*[-–]\s*\d)", re.I)
_NOT_POPULATION = {
    "requests", "commands", "emails", "e-mails", "messages", "hours", "minutes", "seconds", "months",
    "years", "weeks", "days", "instances", "machines", "units", "operations", "reads", "writes", "events",
    "errors", "monitors", "connections", "invocations", "calls", "dollars", "cents", "mails", "builds",
    "horas", "minutos", "meses", "anos", "años", "dias", "días", "heures", "mois", "jours", "jams",
    "comandos", "correos", "requisições", "solicitudes", "requêtes", "transactions", "payments",
    "sessions", "bytes", "files", "lines", "steps", "tests", "runs", "jobs", "rows", "seats", "users",
    "projects", "databases", "sites", "pages", "apps", "regions", "services", "plans", "tiers", "costs",
}  # fmt: skip

#: the same word in the languages plan documents are written in here
_STAGE_SYNONYMS = {
    "fase": "phase", "étape": "stage", "etapa": "stage", "tahap": "stage", "stufe": "stage", "aşama": "stage",
    "evre": "stage", "faz": "phase", "giai đoạn": "stage", "awamu": "phase",
}  # fmt: skip


#: "Stage A", "Phase B", "stage_b:" (a YAML-like key): a stage named by a capital letter (or a
#: lower-case one joined by an underscore), not "at this stage a user ..."
_LETTER_STAGE = re.compile(
    r"\b(?i:(phase|stage|step|level|milestone|fase|étape|etapa|tahap|stufe|aşama|evre|faz))"
    r"(?:\s*[-#]?\s*([A-F])|_([a-fA-F]))(?![\w])"
)
_ORDINAL_STAGE = re.compile(r"(?<![\d.,])(\d+)\.\s*(aşama|evre|faz)\b", re.I)


def _stage_word(word: str) -> str:
    low = " ".join(word.lower().split())
    return _STAGE_SYNONYMS.get(low, low)


def stage_keys(text: str) -> set[str]:
    """Keys that name a stage of a plan: ``phase 2``, ``stage 1`` (``Fase 2``, ``étape 2``,
    ``Stufe 2``, ``Tahap 2``), a population range ``50-200`` (followed by a noun such as users or
    coops), ``current``."""
    keys = {f"{_stage_word(m.group(1))} {int(m.group(2))}" for m in _STAGE.finditer(text)}
    keys |= {f"{_stage_word(m.group(1))} {(m.group(2) or m.group(3)).upper()}" for m in _LETTER_STAGE.finditer(text)}
    # "2. Aşama": the ordinal first (Turkish)
    keys |= {f"{_stage_word(m.group(2))} {int(m.group(1))}" for m in _ORDINAL_STAGE.finditer(text)}
    for m in _POP_RANGE.finditer(text):
        keys.add(f"{_num(m.group(1)):g}-{_num(m.group(2)):g}")
    for m in _POPULATION.finditer(text):
        if m.group(2).lower() not in _NOT_POPULATION:
            keys.add(f"{_num(m.group(1)):g} {m.group(2).lower()}")
    if _CURRENT.search(text):
        keys.add("current")
    return keys


_TOTAL_LABEL = re.compile(
    r"^\W*(?:estimated\s+|grand\s+|monthly\s+|new\s+)?(total|subtotal|sum|suma|soma|summe|gesamt|jumlah|totale|"
    r"toplam|tổng(?:\s+cộng)?|jumla)\b",
    re.I,
)


def is_total_label(text: str) -> bool:
    return bool(_TOTAL_LABEL.match(_clean(text)))


# ---------------------------------------------------------------------------------------------
# tables


@dataclass(frozen=True)
class Row:
    line: int
    cells: tuple[str, ...]

    @property
    def label(self) -> str:
        return _clean(self.cells[0]) if self.cells else ""


@dataclass
class Table:
    """A table (or cost list) found in the document."""

    kind: str  # "pipe" | "box" | "aligned" | "html" | "csv" | "list"
    start_line: int
    end_line: int
    header: tuple[str, ...]
    rows: list[Row]
    headings: tuple[str, ...]
    #: index of the column holding monthly amounts, None when the table has none
    money_col: int | None = None
    #: a "Total: $N" line right after the table (line, amount)
    trailing_total: tuple[int, Money] | None = None
    #: the money column's header names US dollars ("US$/bulan") and its cells are bare numbers
    bare_dollars: bool = False

    def money(self, row: Row) -> Money | None:
        if self.money_col is None or self.money_col >= len(row.cells):
            return None
        cell = row.cells[self.money_col]
        return parse_money(cell) or (_bare_amount(cell) if self.bare_dollars else None)

    @property
    def is_cost_table(self) -> bool:
        return self.money_col is not None


@dataclass
class Extraction:
    lines: list[Line]
    tables: list[Table] = field(default_factory=list)
    #: (line, what, why) for shapes that could not be read
    unparsed: list[tuple[int, str, str]] = field(default_factory=list)
    #: line numbers that belong to a table or list
    table_lines: set[int] = field(default_factory=set)


_PIPE_SEP = re.compile(r"^\s*\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?\s*$")
_BOX_BORDER = re.compile(r"^\s*[┌├└╔╠╚┏┣┗+][─━═┬┼┴╦╬╩┳╋┻+\-\s]*[┐┤┘╗╣╝┓┫┛+]?\s*$")
_BOX_SEP = re.compile(r"[│┃║]")


def _pipe_cells(text: str) -> tuple[str, ...]:
    s = text.strip()
    if s.startswith("|"):
        s = s[1:]
    if s.endswith("|"):
        s = s[:-1]
    parts = re.split(r"(?<!\\)\|", s)
    return tuple(p.strip() for p in parts)


def _box_cells(text: str) -> tuple[str, ...]:
    s = text.strip()
    parts = _BOX_SEP.split(s)
    if parts and not parts[0].strip():
        parts = parts[1:]
    if parts and not parts[-1].strip():
        parts = parts[:-1]
    return tuple(p.strip() for p in parts)


_BARE = re.compile(rf"^\W*({_NUM})\W*$")
#: a header that says its column is in US dollars a month ("US$/bulan", "USD/month", "$ / mo")
_DOLLAR_HEADER = re.compile(r"(?:US)?\$|\bUSD\b", re.I)


def _bare_amount(cell: str) -> Money | None:
    m = _BARE.match(cell.strip())
    if m is None:
        return None
    v = _num(m.group(1))
    return Money(v, v, m.group(1))


def _bare_dollar_col(header: tuple[str, ...], rows: list[Row]) -> int | None:
    """A column headed in US dollars whose cells are all bare numbers ("| 14.00 |")."""
    for c, head in enumerate(header):
        if (
            c == 0
            or not _DOLLAR_HEADER.search(head)
            or re.search(
                r"year|annual|per\s|/user|revenue|income|mrr|receita|ingresos|umsatz|\bunit\b|\beach\b|\brate\b", head, re.I
            )
        ):
            continue
        cells = [r.cells[c] for r in rows if c < len(r.cells) and _clean(r.cells[c])]
        if len(cells) >= 2 and all(_bare_amount(x) or parse_money(x) for x in cells):
            return c
    return None


def _money_col(header: tuple[str, ...], rows: list[Row]) -> int | None:
    """The column whose cells are monthly amounts (most cells parse, at least one with ``$``)."""
    if not rows:
        return None
    ncols = max(len(r.cells) for r in rows)
    best: tuple[float, int] | None = None
    for c in range(1, ncols):
        cells = [r.cells[c] for r in rows if c < len(r.cells) and _clean(r.cells[c])]
        if not cells:
            continue
        parsed = [parse_money(x) for x in cells]
        ok = sum(1 for p in parsed if p is not None)
        dollars = sum(1 for x, p in zip(cells, parsed, strict=True) if p is not None and "$" in x)
        if dollars == 0 or ok / len(cells) < 0.6:
            continue
        head = header[c].lower() if c < len(header) else ""
        score = ok / len(cells) + (0.5 if re.search(r"cost|price|month|/mo|\$|usd|fee", head) else 0)
        score -= 0.4 if re.search(r"year|annual|per\s+user|/user|/coop|per\s+coop", head) else 0
        if best is None or score > best[0]:
            best = (score, c)
    return best[1] if best else None


_HTML_CELL = re.compile(r"<t[dh][^>]*>(.*?)</t[dh]>", re.I)
_GRID_BORDER = re.compile(r"^\+[-=:+\s]*\+$")


def _clean_html(cell: str) -> str:
    return re.sub(r"<[^>]+>", "", cell).strip()


def _finish(tables: list[Table], ex: Extraction, t: Table) -> None:
    t.money_col = _money_col(t.header, t.rows)
    if t.money_col is None:
        t.money_col = _bare_dollar_col(t.header, t.rows)
        t.bare_dollars = t.money_col is not None
    tables.append(t)
    ex.table_lines.update(range(t.start_line, t.end_line + 1))


_TOTAL_LINE = re.compile(
    r"^\W*(?:\*\*)?\s*(?:estimated\s+|grand\s+|new\s+)?(?:monthly\s+)?total(?:\s+(?:monthly\s+)?cost)?\s*(?:\*\*)?\s*[:=]",
    re.I,
)


def _total_line(text: str) -> Money | None:
    if not _TOTAL_LINE.match(text.strip().lstrip("#-*> ").strip()):
        return None
    found = find_money(text, monthly_only=True)
    return found[0][0] if found else None


def _attach_trailing_totals(ex: Extraction) -> None:
    by_no = {ln.no: ln for ln in ex.lines}
    for t in ex.tables:
        if t.kind == "list" or not t.is_cost_table or any(is_total_label(r.label) for r in t.rows):
            continue
        n = t.end_line + 1
        skipped = 0
        while n in by_no and skipped <= 2:
            text = by_no[n].text.strip()
            if not text:
                n += 1
                skipped += 1
                continue
            m = _total_line(text)
            if m is not None:
                t.trailing_total = (n, m)
                ex.table_lines.add(n)
            break


#: the line under a plain-text table's header: a group of dashes per column
_DASH_GROUPS = re.compile(r"^\s*-{2,}(?:\s{2,}-{2,}){2,}\s*$")


def _aligned_cells(text: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in re.split(r"\s{2,}", text.strip()) if p.strip())


_LIST_LINE = re.compile(r"^\s*(?:[-*•+]|\d+[.)])?\s*(?P<label>[^:$]{1,60}?)\s*:\s*(?P<rest>.*)$")


def _list_amount(rest: str) -> Money | None:
    """The monthly amount of one cost-list line: the value after ``=`` when there is one, else
    the first amount that is not a unit price; ``FREE`` counts as $0."""
    if "=" in rest:
        after = rest.rsplit("=", 1)[1]
        found = [m for m, _, unit in find_money(after) if not unit]
        if found:
            return found[0]
    found = [m for m, _, unit in find_money(rest) if not unit]
    if found:
        return found[0]
    if re.match(r"^\W*(?:\*\*)?\s*free\b", rest, re.I):
        return Money(0.0, 0.0, "FREE")
    return None


def _extract_lists(ex: Extraction) -> None:
    """Cost lists: runs of ``label: amount`` lines ending with a ``Total:`` line."""
    run: list[tuple[Line, Money | None]] = []
    #: a line of the block could not be read as "label: amount" after an amount was read (a
    #: formula wrapped onto its own line, a sub-list): the run may miss items, so its total
    #: is not checked
    broken = False
    for ln in ex.lines:
        text = ln.text.strip()
        if not text or ln.no in ex.table_lines or is_fence(ln.text):
            run = []
            broken = False
            continue
        total = _total_line(text)
        if total is not None:
            priced = [(x, m) for x, m in run if m is not None]
            if len(priced) >= 2 and not broken:
                rows = [
                    Row(x.no, (_LIST_LINE.match(x.text.strip()).group("label"), m.text if m else ""))  # type: ignore[union-attr]
                    for x, m in run
                ]
                rows.append(Row(ln.no, ("Total", total.text)))
                t = Table("list", run[0][0].no, ln.no, ("item", "amount"), rows, ln.headings, money_col=1)
                ex.tables.append(t)
                ex.table_lines.update(range(t.start_line, t.end_line + 1))
            run = []
            continue
        m = _LIST_LINE.match(text)
        if not m or not m.group("rest").strip():
            broken = broken or any(a is not None for _, a in run)
            run = []
            continue
        amount = _list_amount(m.group("rest"))
        if amount is None and not re.search(r"\bfree\b|included", m.group("rest"), re.I):
            # a "label: value" line without an amount (e.g. "Memory: 512MB") stays in the run
            # only when it says it costs nothing; anything else starts a new run
            if run and any(a is not None for _, a in run):
                run.append((ln, None))
            else:
                run = []
            continue
        if amount is None:
            amount = Money(0.0, 0.0, "free")
        run.append((ln, amount))


def _csv_cells(text: str) -> tuple[str, ...]:
    return tuple(c.strip() for c in next(csv.reader([text.strip()])))


#: a header cell of comma-separated values: a name, not a figure ("stage", "unit_usd", "monthly_usd")
_CSV_HEADER_CELL = re.compile(r"^[A-Za-z_][\w /()%.-]*$|^$")
#: a stage's number or letter standing alone ("2", "S2", "B"): a row label under a "Stage" column
STAGE_ID = re.compile(r"[A-Z]?\d+|[A-F]")


def _csv_block(lines: list[Line], i: int, width: int = 0) -> list[Line]:
    """Lines ``i``... of comma-separated values: a header row of names, then at least two rows
    with as many cells (four or more); none when line ``i`` starts no such block. With ``width``
    (the header of the tab above), the rows alone: at least two of that many cells."""
    text = lines[i].text
    if text.count(",") < 3 or lines[i].in_code:
        return []
    first = _csv_cells(text)
    if width:
        if len(first) != width or all(_CSV_HEADER_CELL.match(c) for c in first):
            return []
    elif len(first) < 4 or not all(_CSV_HEADER_CELL.match(c) for c in first):
        return []
    size = width or len(first)
    block = [lines[i]]
    j = i + 1
    while j < len(lines) and not lines[j].in_code and len(_csv_cells(lines[j].text)) == size:
        block.append(lines[j])
        j += 1
    return block if len(block) >= (2 if width else 3) else []


def _csv_row(cells: tuple[str, ...], header: tuple[str, ...]) -> tuple[str, ...]:
    """A row of a spreadsheet's cost tab whose first column is the stage ("S2,SUBTOTAL,,,,781.60"):
    the row's label says both, so that the subtotal is the stage's ("SUBTOTAL stage S2"). In a
    tab of facts ("key,value,unit"), the value is read with its unit: "resend_pro_overage,0.90,USD
    per 100 emails" states "$0.90 per 100 emails" of Resend Pro."""
    if [h.lower() for h in header[:3]] == ["key", "value", "unit"] and len(cells) >= 3:
        value, unit = cells[1], cells[2]
        said = f"${value}{unit[3:]}" if re.match(r"USD\b", unit) else f"{value} {unit}"
        return (cells[0].replace("_", " "), said, *cells[3:])
    if (
        len(cells) >= 2
        and header
        and header[0].lower() == "stage"
        and STAGE_ID.fullmatch(cells[0])
        and is_total_label(cells[1])
    ):
        return (f"{cells[1]} stage {cells[0]}", *cells[1:])
    return cells


def extract(text: str) -> Extraction:
    """Find every table and cost list of ``text``."""
    lines = split_lines(text)
    ex = Extraction(lines)
    csv_header: tuple[str, ...] = ()  # the header of the last comma-separated tab
    i = 0
    n = len(lines)
    while i < n:
        ln = lines[i]
        s = ln.text.strip()
        # rows of comma-separated values pasted from a spreadsheet, under a header row
        csv_block = _csv_block(lines, i)
        if csv_block:
            csv_header = tuple(c.replace("_", " ") for c in _csv_cells(csv_block[0].text))  # "monthly usd"
            body = csv_block[1:]
        else:
            # the same tab goes on after a note between its rows ("S2,web,...")
            body = _csv_block(lines, i, len(csv_header)) if csv_header else []
        if body:
            rows = [Row(b.no, _csv_row(_csv_cells(b.text), csv_header)) for b in body]
            start = (csv_block or body)[0].no
            _finish(ex.tables, ex, Table("csv", start, body[-1].no, csv_header, rows, ln.headings))
            i += len(csv_block or body)
            continue
        # an HTML table: one <tr> per line, <th> cells for the header
        if s.lower().startswith("<tr"):
            j = i
            hblock: list[Line] = []
            while j < n and lines[j].text.strip().lower().startswith(("<tr", "</tr", "<th", "<td")):
                hblock.append(lines[j])
                j += 1
            rows_html = [(b, _HTML_CELL.findall(b.text)) for b in hblock]
            rows_html = [(b, c) for b, c in rows_html if c]
            if len(rows_html) >= 2:
                head_cells = (
                    tuple(_clean_html(c) for c in rows_html[0][1])
                    if "<th" in rows_html[0][0].text.lower()
                    else ()
                )
                body_rows = rows_html[1:] if head_cells else rows_html
                hrows = [Row(b.no, tuple(_clean_html(c) for c in cells)) for b, cells in body_rows]
                _finish(
                    ex.tables, ex, Table("html", hblock[0].no, hblock[-1].no, head_cells, hrows, ln.headings)
                )
            i = max(j, i + 1)
            continue
        # Markdown pipe table (grid tables too: "+----+" borders between the rows)
        if s.startswith("|") and s.count("|") >= 2:
            j = i
            block: list[Line] = []
            borders: set[int] = set()  # rows a "+---+" border follows
            while j < n and (
                lines[j].text.strip().startswith("|") or (block and _GRID_BORDER.match(lines[j].text.strip()))
            ):
                if lines[j].text.strip().startswith("|"):
                    block.append(lines[j])
                else:
                    borders.add(block[-1].no)
                j += 1
            if len(block) >= 2:
                header = _pipe_cells(block[0].text)
                body = block[1:]
                if body and _PIPE_SEP.match(body[0].text):
                    body = body[1:]
                elif block[0].no not in borders:
                    header = ()
                    body = block
                rows = [Row(b.no, _pipe_cells(b.text)) for b in body if not _PIPE_SEP.match(b.text)]
                width = len(header) if header else max(len(r.cells) for r in rows)
                bad = [r for r in rows if len(r.cells) != width]
                for r in bad:
                    ex.unparsed.append(
                        (r.line, "table row", f"has {len(r.cells)} cells, the table has {width} columns")
                    )
                good = [r for r in rows if len(r.cells) == width]
                _finish(ex.tables, ex, Table("pipe", block[0].no, block[-1].no, header, good, ln.headings))
            i = j
            continue
        # box-drawing table: rows with at least two inner separators
        if len(_BOX_SEP.findall(s)) >= 3 or (_BOX_BORDER.match(s) and ("┬" in s or "╦" in s or "┳" in s)):
            j = i
            block = []
            while j < n and (
                len(_BOX_SEP.findall(lines[j].text)) >= 2 or _BOX_BORDER.match(lines[j].text.strip() or "x")
            ):
                block.append(lines[j])
                j += 1
            data = [
                b
                for b in block
                if not _BOX_BORDER.match(b.text.strip()) and len(_BOX_SEP.findall(b.text)) >= 3
            ]
            if len(data) >= 2:
                cells = [Row(b.no, _box_cells(b.text)) for b in data]
                width = max(len(r.cells) for r in cells)
                uniform = [r for r in cells if len(r.cells) == width]
                if len(uniform) >= 2 and width >= 2:
                    t = Table("box", block[0].no, block[-1].no, uniform[0].cells, uniform[1:], ln.headings)
                    t.money_col = _money_col(t.header, t.rows)
                    if t.money_col is not None:
                        ex.tables.append(t)
                        ex.table_lines.update(range(t.start_line, t.end_line + 1))
                    else:
                        ex.tables.append(t)
            i = max(j, i + 1)
            continue
        # aligned columns inside a code fence: header + >= 2 rows, 3+ columns, amounts in a column;
        # in plain text, the header must be underlined by a dash group per column ("-----   -----")
        underlined = (
            not ln.in_code
            and i + 1 < n
            and bool(_DASH_GROUPS.match(lines[i + 1].text))
            and len(lines[i + 1].text.split()) == len(_aligned_cells(s))
        )
        if (ln.in_code or underlined) and len(_aligned_cells(s)) >= 3 and not find_money(s):
            j = i + 1
            block = [ln]
            while (
                j < n
                and lines[j].in_code == ln.in_code
                and len(_aligned_cells(lines[j].text)) >= 2
                and not is_fence(lines[j].text)
            ):
                block.append(lines[j])
                j += 1
            header = _aligned_cells(block[0].text)
            rows = [
                Row(b.no, _aligned_cells(b.text)) for b in block[1:] if not set(b.text.strip()) <= set("-=─ ")
            ]
            if len(rows) >= 2 and all(len(r.cells) == len(header) for r in rows):
                t = Table("aligned", block[0].no, block[-1].no, header, rows, ln.headings)
                t.money_col = _money_col(header, rows)
                if t.money_col is None and underlined:
                    t.money_col = _bare_dollar_col(header, rows)  # "infra USD/mo" over bare amounts
                    t.bare_dollars = t.money_col is not None
                if t.money_col is not None:
                    ex.tables.append(t)
                    ex.table_lines.update(range(t.start_line, t.end_line + 1))
                    i = j
                    continue
        i += 1
    _attach_trailing_totals(ex)
    _extract_lists(ex)
    ex.tables.sort(key=lambda t: t.start_line)
    return ex
