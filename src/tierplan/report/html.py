"""Standalone HTML reports: a report's Markdown as a page, with the plan's inline SVG charts
(report/charts.py; no scripts, no network)."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml

from ..templates_env import environment
from .charts import cost_chart_svg, margins_chart_svg, tornado_chart_svg
from .markdown import render_markdown

__all__ = ["render_html", "html_page", "markdown_to_html"]

def render_html(doc: dict[str, Any], point: bool = False) -> str:
    """The plan page: its Markdown (it opens with "Do this now"), with the cost chart (and the band
    of --samples) under the summary's heading, the margins chart at the economics section and the
    tornado at the uncertainty section."""
    if point:
        return html_page(render_markdown(doc, point=True), title=f"{doc['app']}: hosting plan")
    body_charts = {
        "<h2>Summary</h2>": cost_chart_svg(doc),
        "<h2>Economics</h2>": margins_chart_svg(doc),
        "<h2>Uncertainty</h2>": tornado_chart_svg(doc),
    }
    return html_page(
        render_markdown(doc),
        title=f"{doc['app']}: hosting plan",
        after_headings={h: f'<div class="chart">{svg}</div>' for h, svg in body_charts.items() if svg},
    )


# -- Markdown to a standalone page (plan, compare, diff, audit) ---------------------------------------

#: the only raw HTML tierplan's own Markdown uses inline; everything else, user text included, is escaped
_INLINE_TAGS = re.compile(r"&lt;(br|sub|/sub)&gt;")
#: block-level: a collapsible section around Markdown (plan notes, diff details)
_DETAILS_OPEN = re.compile(r"^<details><summary>(.*)</summary>\s*$")
_DETAILS_CLOSE = "</details>"


def _text_rule(self: Any, tokens: list[Any], idx: int, options: Any, env: Any) -> str:
    return _INLINE_TAGS.sub(r"<\1>", escapeHtml(tokens[idx].content))


@cache
def _markdown_it() -> MarkdownIt:
    md = MarkdownIt("commonmark", {"html": False}).enable("table")
    md.add_render_rule("text", _text_rule)
    return md


def markdown_to_html(text: str) -> str:
    """Markdown (CommonMark with tables) to HTML. Raw HTML is escaped (html=False), so text that
    came from a profile, stack file or document can never become markup; only the tags tierplan's
    templates use (<br>, <sub>, a <details><summary> line and its </details>) are kept."""
    md = _markdown_it()
    out: list[str] = []
    chunk: list[str] = []
    for line in text.splitlines():
        m = _DETAILS_OPEN.match(line)
        if m or line.strip() == _DETAILS_CLOSE:
            out.append(md.render("\n".join(chunk)))
            chunk = []
            out.append(
                f"<details><summary>{md.renderInline(m.group(1))}</summary>\n" if m else "</details>\n"
            )
        else:
            chunk.append(line)
    out.append(md.render("\n".join(chunk)))
    return "".join(out)


def _first_heading(text: str) -> str:
    for line in text.splitlines():
        m = re.match(r"#{1,6} (.+)", line)
        if m:
            return m.group(1).strip()
    return "report"


def html_page(
    markdown: str, *, title: str | None = None, after_h1: str = "", after_headings: dict[str, str] | None = None
) -> str:
    """A standalone page (inline CSS; no scripts, fonts or anything from the network) of a Markdown
    report. ``title`` defaults to the first heading; ``after_h1`` is trusted HTML put after it, and
    ``after_headings`` trusted HTML after each of those rendered headings (its first occurrence)."""
    body = markdown_to_html(markdown)
    if after_h1:
        body = body.replace("</h1>", "</h1>\n" + after_h1, 1)
    for heading, html in (after_headings or {}).items():
        body = body.replace(heading, heading + "\n" + html, 1)
    page_title = title or _first_heading(markdown)
    if "tierplan" not in page_title:
        page_title += " (tierplan)"
    return environment().get_template("page.html.j2").render(title=page_title, body=body)
