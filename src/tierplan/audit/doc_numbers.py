"""How a plan document writes its numbers. A document in Portuguese, Spanish, French, German or
Indonesian usually writes "US$ 1.991,60" or "52,10 $" where an English one writes "$1,991.60";
and "R$", "MX$" or "A$" are not US dollars. The document audit reads every figure in the English
convention, so a document that writes a decimal comma is rewritten into it first, character for
character (each line keeps its length and its columns), and other currencies' dollar signs are
taken out of the way.

``decimal_comma(text)`` decides the convention from the amounts themselves; ``point_convention``
does the rewrite. Pure functions."""

from __future__ import annotations

import re

__all__ = ["decimal_comma", "point_convention"]

#: "US$ 164,30", "$ 1.991,60", "52,10 $", "0,20 US$": an amount with a decimal comma
_COMMA_AMOUNT = re.compile(
    r"(?:\$|€|£)\s{0,3}\d{1,3}(?:\.\d{3})*,\d{1,2}(?!\d)|(?<![\d.,])\d{1,3}(?:\.\d{3})*,\d{1,2}(?![\d,])\s?(?:\$|€|£|US\$|USD|EUR)"
)
#: "$1,991.60", "$0.20": an amount with a decimal point
_POINT_AMOUNT = re.compile(r"(?:\$|€|£)\s{0,3}\d{1,3}(?:,\d{3})*\.\d{1,4}(?!\d)")
#: a number in the decimal-comma convention: "1.991,60", "10.000", "164,30", "0,106"
_COMMA_NUMBER = re.compile(r"(?<![\d.,])(?:[1-9]\d{0,2}(?:\.\d{3})+(?:,\d+)?|\d+,\d+)(?![\d]|[.,]\d)")
#: an amount with the currency after it, read once its number is in the point convention
_TRAILING_SIGN = re.compile(r"(?<![\d.,$])(\d[\d.,]*\d|\d)([ \t]?)\$(?![\w$])")
#: dollar signs of other currencies: Brazilian real, Mexican, Australian, Canadian, ... dollars
_OTHER_DOLLARS = re.compile(r"\b(R|MX|A|C|NZ|S|HK|NT|RD)\$")


#: a number whose thousands are grouped by a space: "9 000", "1 200 000", "15 000,50"
_SPACE_GROUPED = re.compile(r"(?<![\d.,])[1-9]\d{0,2}(?:[ \u00a0\u202f]\d{3})+(?![\d]|[.,]\d{3})")


def decimal_comma(text: str) -> bool:
    """True when the document's amounts mostly carry a decimal comma."""
    return len(_COMMA_AMOUNT.findall(text)) > len(_POINT_AMOUNT.findall(text))


def _swap(m: re.Match[str]) -> str:
    return m.group(0).translate(str.maketrans(".,", ",."))


#: "19 USD", "USD 19": US dollars written with the code, read as "$19" (same length)
_USD_AFTER = re.compile(r"(?<![\w$.,])(\d[\d.,]*\d|\d)([ \t]?)USD\b")
#: "0,20 US$", "20.00 US$": US dollars with their sign after the number (Portuguese, Spanish)
_US_SIGN_AFTER = re.compile(r"(?<![\w$.,])(\d[\d.,]*\d|\d)([ \t]?)US\$(?![\w$])")
_USD_BEFORE = re.compile(r"(?<![\w$])USD([ \t]?)(?=\d)")


def point_convention(text: str) -> str:
    """``text`` with its numbers in the English convention, each line as long as before."""
    text = _OTHER_DOLLARS.sub(lambda m: m.group(1) + "¤", text)
    text = _USD_AFTER.sub(lambda m: "$" + m.group(1) + m.group(2) + "  ", text)
    text = _USD_BEFORE.sub(lambda m: "$  " + m.group(1), text)
    text = _US_SIGN_AFTER.sub(lambda m: "$" + m.group(1) + m.group(2) + "  ", text)
    if not decimal_comma(text):
        return text
    # "9 000", "1 200,50": thousands grouped by a space (French, also a no-break or thin space)
    text = _SPACE_GROUPED.sub(lambda m: re.sub(r"[ \u00a0\u202f]", ".", m.group(0)), text)
    text = _COMMA_NUMBER.sub(_swap, text)
    # "52.10 $" -> "$52.10 ": the sign first, as the readers expect, in the same number of characters
    return _TRAILING_SIGN.sub(lambda m: "$" + m.group(1) + m.group(2), text)
