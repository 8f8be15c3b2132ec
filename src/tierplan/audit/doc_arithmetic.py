"""Arithmetic written out in a plan's prose and list items: "2 x $7 = $14", "8 GB x $0.35/GB-month
= $2.80", "0,5 CU × 300 h = 150 CU-horas × US$ 0,106 = US$ 15,90" (issue 12).

A line (joined with the next when the formula wraps) is split at its "=" signs; each side is read
as numbers joined by +, -, x/×/*, / and parentheses, with the words, units and currency signs
between them set aside. A side must equal the side before it, or start with it (a chain that goes
on: "0.5 x 300 = 150 x 0.106 = 15.90"). Numbers are read in either convention (1,018.56 or
1.018,56; 0,106 is a decimal). A side with a range ($60-90), a percentage or nothing to compute is
not checked. Pure functions.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass

__all__ = [
    "ArithmeticSlip",
    "read_number",
    "evaluate",
    "arithmetic_slips",
    "yearly_slips",
    "each_slips",
    "MONTHLY_AMOUNT",
    "YEARLY_AMOUNT",
]

#: a number: grouped thousands (1,018.56 / 1.018,56), a decimal comma or point, or plain digits
_NUMBER = r"\d{1,3}(?:[.,]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_TOKEN = re.compile(rf"(?P<num>{_NUMBER})|(?P<op>[+\-*/×x()])|(?P<word>[^\s\d+\-*/×x()]+)|\s+")
_RANGE = re.compile(rf"(?:{_NUMBER})\s*[-–]\s*\$?(?:{_NUMBER})\b(?!\s*[x×*/])")
#: words that scale the number before them ("100 mil", "2 million")
_SCALE_WORDS = {
    "k": 1000,
    "mil": 1000,
    "thousand": 1000,
    "tausend": 1000,
    "m": 1_000_000,
    "million": 1_000_000,
    "millions": 1_000_000,
    "milhão": 1_000_000,
    "milhões": 1_000_000,
    "millón": 1_000_000,
    "millones": 1_000_000,
    "millionen": 1_000_000,
}
#: relative difference accepted between a stated result and the computed one (rounding)
REL_TOLERANCE = 0.01


@dataclass(frozen=True)
class ArithmeticSlip:
    line: int
    stated: str  # the formula as written, up to the wrong result
    computed: float
    result: float
    #: how the computed figure was reached, before it in the message
    how: str = "the formula computes to"


def read_number(text: str) -> float:
    """A number in either convention: 1,018.56 = 1.018,56 = 1018.56; 0,106 = 0.106; 300.000 =
    300000 (a group of three after a non-zero lead is thousands)."""
    if re.fullmatch(r"[1-9]\d{0,2}(?:,\d{3})+(?:\.\d+)?", text):
        return float(text.replace(",", ""))
    if re.fullmatch(r"[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?", text):
        return float(text.replace(".", "").replace(",", "."))
    if re.fullmatch(r"[1-9]\d{0,2}[.,]\d{3}", text):
        return float(text.replace(",", "").replace(".", ""))
    return float(text.replace(",", "."))


def _tokens(side: str) -> list[str] | None:
    """The arithmetic tokens of one side of an "=", or None when it holds something this reader
    does not compute (a percentage, a range)."""
    if "%" in side or _RANGE.search(side):
        return None
    # a hyphen between letters is part of a word (CU-hours, e-mails), not a minus
    side = re.sub(r"(?<=[^\W\d_])-(?=[^\W\d_])", "_", side).replace("÷", "/")
    # a label in parentheses ("$30 (base) + ...") is words, not a group
    side = re.sub(r"\([^()\d]*\)", lambda m: " " * len(m.group(0)), side)
    out: list[str] = []
    for m in _TOKEN.finditer(side):
        if m.group("num"):
            out.append(m.group("num"))
        elif m.group("word") and out and _is_num(out[-1]):
            scale = _SCALE_WORDS.get(m.group("word").lower())
            if scale is not None:
                out += ["*", str(scale)]
        elif m.group("op"):
            op = m.group("op")
            before = side[m.start() - 1 : m.start()]
            after = side[m.end() : m.end() + 1]
            if op in "x×" and not (
                out
                and (_is_num(out[-1]) or out[-1] == ")")
                and before in (" ", "") + tuple("0123456789)")
                and (after in (" ", "$", "(") or after.isdigit())
            ):
                continue  # an "x" inside a word (max, Linux), or not between two factors
            if op == "-" and not (before == " " and after == " "):
                continue  # a dash in a name or a date, not a minus sign
            if op == "/" and out and _is_num(out[-1]):
                # "$0.35/GB-month": a unit after the slash, not a division
                rest = side[m.end() :].lstrip()
                if not rest[:1].isdigit() and not rest.startswith("("):
                    continue
            out.append({"×": "*", "x": "*"}.get(op, op))
    # words between numbers are dropped: "20 GB × US$ 0,15" reads 20 * 0,15
    return out


_EQUALS = re.compile(r"(=|≈|~=)")
_APPROX_HEAD = re.compile(r"\s*(?:~|≈|about\b|approx\.?|roughly\b|around\b|ca\.|circa\b|aprox\.?|cerca\s+de\b|env\.)", re.I)
#: how far a rounded result ("~29", "≈ $0.53") may be from the computed one
_ROUGHLY = 0.05


def _roughly(result: float, computed: float, *, head: str) -> bool:
    """A result stated as rounded: within ``_ROUGHLY`` of the computed one, or within half a unit
    of its last written digit."""
    digits = re.search(r"\d[\d,]*(?:\.(\d+))?", head)
    half_unit = 0.5 * 10 ** -(len(digits.group(1)) if digits and digits.group(1) else 0)
    return abs(result - computed) <= max(_ROUGHLY * max(abs(result), abs(computed)), half_unit + 1e-9)


def _decimal_reading(part: str) -> tuple[float, ...]:
    """The other reading of a number with one group of three digits after its separator
    ("19.345", "1,500"), which read_number takes for thousands: as decimals."""
    m = re.search(r"(?<![\d.,])([1-9]\d{0,2})[.,](\d{3})(?![\d.,]*\d)", part)
    return (float(f"{m.group(1)}.{m.group(2)}"),) if m else ()


def _is_num(tok: str) -> bool:
    return tok[:1].isdigit()


def evaluate(side: str) -> tuple[float, float] | None:
    """(value, first number) of one side, or None when it cannot be computed."""
    toks = _tokens(side)
    if not toks or not any(_is_num(t) for t in toks):
        return None
    pos = 0

    def expr() -> float:
        nonlocal pos
        v = term()
        while pos < len(toks) and toks[pos] in "+-":
            op = toks[pos]
            pos += 1
            r = term()
            v = v + r if op == "+" else v - r
        return v

    def term() -> float:
        nonlocal pos
        v = atom()
        while pos < len(toks) and toks[pos] in "*/":
            op = toks[pos]
            pos += 1
            r = atom()
            if op == "/" and r == 0:
                raise ValueError("division by zero")
            v = v * r if op == "*" else v / r
        return v

    def atom() -> float:
        nonlocal pos
        if pos >= len(toks):
            raise ValueError("incomplete")
        t = toks[pos]
        pos += 1
        if t == "(":
            v = expr()
            if pos >= len(toks) or toks[pos] != ")":
                raise ValueError("unbalanced")
            pos += 1
            return v
        if _is_num(t):
            return read_number(t)
        raise ValueError(f"unexpected {t}")

    try:
        value = expr()
    except ValueError:
        return None
    if pos != len(toks):
        return None  # two numbers side by side ("20 e-mails 3 days"): not one expression
    first = next(read_number(t) for t in toks if _is_num(t))
    return value, first


def _close(a: float, b: float) -> bool:
    return abs(a - b) <= max(REL_TOLERANCE * max(abs(a), abs(b)), 0.005)


#: a result's label, and an operator that starts another formula: "$13.40 (API) + "
_LABELLED = re.compile(r"\d\s*\([^()\d]+\)\s*[+]\s*")
_TABLE_CHARS = re.compile(r"[|│┃┆┊╎║┌┐└┘├┤┬┴┼]")
_HEAD_END = re.compile(r"\(|,\s|;\s|\.\s|\.$|\s(?:a|per|por|each|and|or|plus|ou|e|for)\s")
_TAIL_START = re.compile(r"[:;][*_]*\s|\.\s+|,\s|\s(?:so|and|then|is|are|at|for|of|ou|e|é|são)\s")


def _head(side: str) -> str:
    """The figure a right side states: up to where its own words go on ("$14 (R$ 75,60)",
    "$3.20 a month", "$0.547. Yearly: ...")."""
    return _HEAD_END.split(side, maxsplit=1)[0]


def _tail(side: str) -> str:
    """The formula a left side states: after the last sentence break or colon before it."""
    return _TAIL_START.split(side)[-1]


def _value(part: str) -> tuple[float, float] | None:
    if any(w in _SCALE_WORDS for w in re.findall(r"[^\W\d_]+", part.lower())):
        return None  # "20 x 100 mil x $0.20": the scale word may name the price's unit
    return evaluate(part)


def arithmetic_slips(lines: list[tuple[int, str]]) -> list[ArithmeticSlip]:
    """Every "=" chain on a line whose sides do not compute to each other."""
    out: list[ArithmeticSlip] = []
    for no, text in lines:
        if not ("=" in text or "≈" in text) or "==" in text or _TABLE_CHARS.search(text):
            continue  # table rows and diagrams are checked as tables, or not at all
        # "=" and "≈" both state a result; "≈ $0.53", "= ~29" state it rounded
        parts = _EQUALS.split(text)
        sides = parts[::2]
        approx_sides = {i for i in range(1, len(sides)) if parts[2 * i - 1] != "="}
        prev: tuple[float, float] | None = None  # the claim the next side must equal
        # "$13.40 (API) + 1 x $3.69 = $3.69 (worker)": a labelled result may end one formula and
        # the next one start after its label; the side agrees when either reading computes
        after_label: tuple[float, float] | None = None
        prev_money = False
        left_text = ""
        for i, side in enumerate(sides):
            if i > 0 and prev is not None:
                head = _head(side)
                cur = _value(head)
                money = _is_money(head)
                converts = _converts_currency(left_text, head)
                if cur is not None and (money == prev_money or converts is False) and not converts and not _converts_time(left_text, head):
                    if _only_number(head):
                        wrong = not _close(cur[0], prev[0])
                        result = cur[0]
                    else:  # computes on: starts with the left's result, or equals it
                        wrong = not (_close(cur[1], prev[0]) or _close(cur[0], prev[0]))
                        result = cur[1]
                    if wrong and after_label is not None and _close(result, after_label[0]):
                        wrong = False
                    approx = i in approx_sides or bool(_APPROX_HEAD.match(side))
                    roughly = functools.partial(_roughly, head=head) if approx else None
                    if wrong and _in_other_size_unit(prev[0], result, left_text, head, roughly):
                        wrong = False
                    if wrong and _only_number(head) and any(_close(v, prev[0]) for v in _decimal_reading(head)):
                        wrong = False  # "$19.345": three decimals, not 19,345
                    if wrong and approx and _roughly(result, prev[0], head=head):
                        wrong = False  # "10 GB / 0.35 GB = ~29 centres" (28.57 rounded)
                    if wrong:
                        out.append(
                            ArithmeticSlip(no, f"{left_text.strip()} = {head.strip()}", prev[0], result)
                        )
                        break
            if i == len(sides) - 1:
                break
            label = _LABELLED.search(side)
            rest = side[label.end() :] if label else ""
            after_label = _value(rest) if label and not _only_number(rest) else None
            tail = _tail(side)
            chained = i > 0 and tail.strip() == side.strip() and prev is not None
            if chained:
                cur = _value(_head(side))
                prev = cur if cur is not None and not _only_number(_head(side)) else prev
                prev_money = _is_money(side)
                left_text = _head(side)
                continue
            cur = _value(tail)
            left_text = tail
            # only a side that computes something makes an arithmetic claim ("US$ 1 = R$ 6,00" is
            # a conversion, "2 million commands = 20 x ..." a restatement)
            prev = cur if cur is not None and not _only_number(tail) else None
            prev_money = _is_money(tail)
    return out


_TIME_UNITS = {
    "ms": "ms", "s": "s", "sec": "s", "secs": "s", "second": "s", "seconds": "s", "min": "min",
    "mins": "min", "minute": "min", "minutes": "min", "h": "h", "hr": "h", "hrs": "h", "hour": "h",
    "hours": "h", "horas": "h", "heures": "h", "stunden": "h", "jam": "h", "day": "d", "days": "d",
}  # fmt: skip


def _time_units(part: str) -> set[str]:
    return {_TIME_UNITS[w] for w in re.findall(r"[^\W\d_]+", part.lower()) if w in _TIME_UNITS}


_SIZE_STEPS = {"kb": 1, "mb": 2, "gb": 3, "tb": 4, "kib": 1, "mib": 2, "gib": 3, "tib": 4}


def _in_other_size_unit(
    computed: float, result: float, left: str, right: str, close: Callable[[float, float], bool] | None = None
) -> bool:
    """ "4,000 minutes x 22.5 MB = 90 GB": the result is the product in a larger (or smaller) unit of
    size, by 1,000 or 1,024 a step."""
    a = {_SIZE_STEPS[w] for w in re.findall(r"[^\W\d_]+", left.lower()) if w in _SIZE_STEPS}
    b = {_SIZE_STEPS[w] for w in re.findall(r"[^\W\d_]+", right.lower()) if w in _SIZE_STEPS}
    if len(a) != 1 or len(b) != 1 or a == b:
        return False
    steps = next(iter(b)) - next(iter(a))
    close = close or _close
    return any(close(computed / base**steps, result) for base in (1000, 1024))


def _converts_time(left: str, right: str) -> bool:
    """ "2,880 runs x 30 s = 24 hours": the right side is the left in another unit of time."""
    a, b = _time_units(left), _time_units(right)
    return bool(a and b and not a & b)


_CURRENCY = re.compile(
    r"US\$|R\$|[$€£₹₦¤₺₫₵]|\bRp\b|\b(?:USD|EUR|GBP|KES|BRL|MXN|INR|NGN|IDR|COP|XOF|XAF|FCFA|MZN|MT|ZAR|GHS|EGP|TRY|"
    r"TL|PKR|BDT|VND|CLP|ARS|PEN|TZS|UGX|RWF|ZWG|MAD|KSh)\b"
)
_SAME_CURRENCY = {"US$": "USD", "$": "USD", "MZN": "MT", "₺": "TRY", "TL": "TRY", "₦": "NGN", "₹": "INR", "€": "EUR", "£": "GBP"}


def _converts_currency(left: str, right: str) -> bool | None:
    """Whether "left = right" restates an amount in another currency ("30 000 MT ≈ USD 468,75"):
    True; a formula that converts with its rate ("USD 38,49 × 64 = 2 263 MT") is arithmetic to
    check: False; None when the two sides do not name two currencies."""
    a, b = _CURRENCY.search(left), _CURRENCY.search(right)
    if a is None or b is None:
        return None
    ca, cb = (_SAME_CURRENCY.get(m.group(0), m.group(0)) for m in (a, b))
    if ca == cb:
        return None
    return _only_number(left)


def _is_money(part: str) -> bool:
    return bool(_CURRENCY.search(part))


def _only_number(part: str) -> bool:
    toks = _tokens(part) or []
    return len([t for t in toks if _is_num(t)]) == 1 and not any(t in "+-*/" for t in toks)


_AMOUNT = rf"(?:US\$|R\$|\$|€|£|USD\s?|EUR\s?)\s?({_NUMBER})"
MONTHLY_AMOUNT = re.compile(
    _AMOUNT
    + r"\s*(?:/\s?(?:month|mo|mês|mes|mese|ay|tháng)\b|(?:a|per|por|al)\s(?:month|mês|mes|mese)\b|monthly\b|aylık\b)",
    re.I,
)
YEARLY_AMOUNT = re.compile(
    _AMOUNT
    + r"\s*(?:/\s?(?:year|yr|ano|año|anno|yıl|năm)\b|(?:a|per|por|al|all')\s?(?:year|ano|año|anno)\b|annually\b|yearly\b|"
    r"yıllık\b)",
    re.I,
)


def yearly_slips(lines: list[tuple[int, str]]) -> list[ArithmeticSlip]:
    """A line that gives one monthly amount and one yearly amount ("$90.13 a month, or $1,081.56
    a year"): the yearly one must be 12 times the monthly one."""
    out: list[ArithmeticSlip] = []
    for no, text in lines:
        if _TABLE_CHARS.search(text):
            continue
        monthly, yearly = MONTHLY_AMOUNT.findall(text), YEARLY_AMOUNT.findall(text)
        if len(monthly) != 1 or len(yearly) != 1:
            continue
        m, y = read_number(monthly[0]), read_number(yearly[0])
        if not _close(12 * m, y):
            out.append(
                ArithmeticSlip(
                    no, f"{monthly[0]} a month, {yearly[0]} a year", 12 * m, y, f"12 x {monthly[0]} is"
                )
            )
    return out


#: small numbers written as words, in the languages of the corpus
_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "dos": 2, "tres": 3, "cuatro": 4,
    "cinco": 5, "dois": 2, "duas": 2, "três": 3, "quatro": 4, "zwei": 2, "drei": 3, "vier": 4,
    "fünf": 5, "dua": 2, "tiga": 3, "empat": 4, "lima": 5,
}  # fmt: skip
_EACH = re.compile(
    rf"\b(?P<n>\d+|{'|'.join(_NUMBER_WORDS)})\s+[^\d$=]{{1,40}}?\s(?:at|à|a|zu|@|for|por|de|seharga)\s+"
    rf"\$\s?(?P<p>{_NUMBER})\s*(?:each|apiece|chacune|chacun|cada\s+un[ao]|cada|je|pro\s+stück|masing-masing)\b"
    rf"[^\d$]{{0,12}}?(?:so|soit|i\.e\.|that\s+is|makes|thus|então|o\s+sea|also|jadi|=|→|:)\s*\$\s?(?P<t>{_NUMBER})",
    re.I,
)


def each_slips(lines: list[tuple[int, str]]) -> list[ArithmeticSlip]:
    """A count at a unit price "each", then the product: "two Standard instances at $25 each, so
    $60" (and "deux instances à 25 $ chacune, soit 60 $"): the product must be count x price."""
    out: list[ArithmeticSlip] = []
    for no, text in lines:
        for m in _EACH.finditer(text):
            n_text = m.group("n").lower()
            n = float(_NUMBER_WORDS.get(n_text) or n_text)
            price, total = read_number(m.group("p")), read_number(m.group("t"))
            if not _close(n * price, total):
                out.append(
                    ArithmeticSlip(no, m.group(0), n * price, total, f"{m.group('n')} x ${m.group('p')} is")
                )
    return out
