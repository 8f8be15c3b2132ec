"""The findings of `tierplan audit --doc` and the figures every check shares: what a finding
says (DocFinding), the audit's result (DocAudit), how money is written in messages and how close
two amounts must be to agree (Tolerance, from assumptions.yaml)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Any

from ..assumptions import Assumptions, load_assumptions

KINDS = (
    "total_mismatch",
    "arithmetic",
    "range_mismatch",
    "catalog_mismatch",
    "fee_formula",
    "terms",
    "latency",
    "unmatched_claim",
    "unparsed",
)


@dataclass(frozen=True)
class DocFinding:
    kind: str
    severity: str  # "error" | "warning" | "info"
    line: int
    message: str
    stated: str | None = None
    expected: str | None = None
    #: catalog entry (provider/service/plan[#metric]) the finding compares with
    catalog: str | None = None
    source: str | None = None
    as_of: str | None = None
    #: document lines the figure was computed from (rows of a total, the other statement)
    lines_used: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "line": self.line,
            "message": self.message,
            "stated": self.stated,
            "expected": self.expected,
            "catalog": self.catalog,
            "source": self.source,
            "as_of": self.as_of,
            "lines_used": list(self.lines_used),
        }


@dataclass(frozen=True)
class DocTable:
    kind: str  # pipe | box | aligned | list
    start_line: int
    end_line: int
    columns: tuple[str, ...]
    rows: int
    money_column: str | None
    total_lines: tuple[int, ...]


@dataclass
class DocAudit:
    path: str
    lines: int
    tables: list[DocTable] = field(default_factory=list)
    findings: list[DocFinding] = field(default_factory=list)
    #: claims compared with the catalog and found consistent
    claims_ok: int = 0
    totals_checked: int = 0
    catalog_as_of: str = ""

    def of_kind(self, kind: str) -> list[DocFinding]:
        return [f for f in self.findings if f.kind == kind]

    @property
    def counts(self) -> dict[str, int]:
        return {k: len(self.of_kind(k)) for k in KINDS}


def usd_text(v: float) -> str:
    if math.isinf(v):
        return "unlimited"
    return f"${v:,.2f}".replace(".00", "") if abs(v - round(v)) > 1e-9 else f"${round(v):,}"


def range_text(lo: float, hi: float) -> str:
    return usd_text(lo) if abs(hi - lo) < 1e-9 else f"{usd_text(lo)}-{usd_text(hi)}"


@dataclass(frozen=True)
class Tolerance:
    usd: float
    fraction: float
    quota_fraction: float

    def of(self, amount: float) -> float:
        return max(self.usd, self.fraction * abs(amount))


def tolerances(assumptions: Assumptions | None) -> Tolerance:
    a = assumptions or load_assumptions()
    return Tolerance(
        a["audit.doc_total_tolerance_usd"],
        a["audit.doc_total_tolerance_fraction"],
        a["audit.doc_quota_tolerance_fraction"],
    )


def consistent(s_lo: float, s_hi: float, r_lo: float, r_hi: float, tol: Tolerance) -> bool:
    t = tol.of(max(s_hi, r_hi))
    s_range, r_range = s_hi - s_lo > 1e-9, r_hi - r_lo > 1e-9
    if s_range and r_range:
        return abs(s_lo - r_lo) <= t and abs(s_hi - r_hi) <= t
    # one side is a single figure: it must fall in the other's range
    return s_lo - t <= r_hi and r_lo <= s_hi + t


#: lines about revenue, savings or per-user figures: amounts there are not hosting costs
#: words that say an amount is a month's, in the languages plan documents are written in ("/mo",
#: "month", "mês", "mois", "Monat", "bulan", "mese", "aylık", "/ay", "tháng", "mwezi")
MONTH_WORDS = r"/\s*mo|month|m[eê]s\b|mois|monat|bulan|mese|aylık|/\s*ay\b|tháng|mwezi"
NOT_COST = re.compile(
    r"revenue|profit|income|margin|saving|subscription|break-?even|\bprice per\b|/user|per user|×|\bx\s+\$|=",
    re.I,
)
