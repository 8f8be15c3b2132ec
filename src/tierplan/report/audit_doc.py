"""A plan-document audit (audit/doc.py's DocAudit) as JSON, Markdown and terminal text."""

from __future__ import annotations

from typing import Any

from ..audit.doc import KINDS, DocAudit

__all__ = ["doc_audit_json", "doc_audit_markdown", "doc_audit_terminal"]



def doc_audit_json(a: DocAudit) -> dict[str, Any]:
    return {
        "path": a.path,
        "lines": a.lines,
        "catalog_as_of": a.catalog_as_of,
        "summary": {
            **a.counts,
            "totals_checked": a.totals_checked,
            "claims_ok": a.claims_ok,
            "tables": len(a.tables),
        },
        "tables": [
            {
                "kind": t.kind,
                "start_line": t.start_line,
                "end_line": t.end_line,
                "columns": list(t.columns),
                "rows": t.rows,
                "money_column": t.money_column,
                "total_lines": list(t.total_lines),
            }
            for t in a.tables
        ],
        "findings": [f.to_dict() for f in a.findings],
    }


def doc_audit_markdown(a: DocAudit) -> str:
    from ..templates_env import environment

    return environment().get_template("audit_doc.md.j2").render(doc=doc_audit_json(a), kinds=KINDS, titles=_TITLES)


_TITLES = {
    "total_mismatch": "Totals that do not add up",
    "arithmetic": "Arithmetic that does not compute",
    "range_mismatch": "Stage costs that disagree",
    "catalog_mismatch": "Prices and limits that disagree with the catalog",
    "fee_formula": "Messaging fees written with a retired rule or another category's rate",
    "terms": "Plans whose terms forbid this use",
    "latency": "Latency claims the geography rules out",
    "unmatched_claim": "Not checked (no catalog entry matched)",
    "unparsed": "Could not be read",
}


#: kinds whose findings cite a catalog entry (its source and as-of date)
_CITED = ("catalog_mismatch", "fee_formula")


def doc_audit_terminal(a: DocAudit, console: Any) -> None:
    from rich.markup import escape
    from rich.text import Text

    from .console import Table as RichTable

    c = a.counts
    console.print(
        f"[bold]{escape(a.path)}[/bold]: {len(a.tables)} tables, {a.totals_checked} totals checked, "
        f"{a.claims_ok} claims match the catalog (as of {a.catalog_as_of})"
    )
    for kind in KINDS:
        fs = a.of_kind(kind)
        if not fs:
            continue
        t = RichTable(title=f"{_TITLES[kind]} ({c[kind]})", title_justify="left", show_lines=False)
        t.add_column("line", justify="right")
        t.add_column("finding")
        if kind in _CITED:
            t.add_column("catalog entry")
        for f in fs:
            style = {"error": "red", "warning": "yellow"}.get(f.severity, "")
            cells: list[Any] = [str(f.line), Text(f.message, style=style)]
            if kind in _CITED:
                cells.append(f"{f.catalog}\n{f.source} ({f.as_of})")
            t.add_row(*cells, end_section=False)
        console.print(t)
    if not a.findings:
        console.print("No findings.")
