"""What every command prints on standard output, through the installed `tierplan` console script
run as a real subprocess (CliRunner cannot see what a C extension writes to file descriptor 1).

Every command x every format it accepts runs once on one example; JSON also on every example and
stack file. Each output is parsed as what it claims to be: JSON, Markdown (a heading first), HTML
(a whole, well-nested page with no network resources, tables where the Markdown has them), CSV.
Piped text is never cut with "…" (also at COLUMNS=60), `catalog list` is one plan per line, help
lists exactly the formats a command accepts, and text from the user is printed literally (never
read as rich markup) and HTML-escaped in pages.

The runs go through one thread pool, so the module takes a fraction of the sum of its runs.
"""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from tierplan.cli import Format, ListFormat, RunbookFormat, TextJsonFormat, app

TIERPLAN = str(Path(sys.executable).parent / "tierplan")
ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
STACKS = EXAMPLES / "stacks"
EX = EXAMPLES / "coop-erp.yaml"  # the one example every format runs on
STACK = STACKS / "suoops-current.yaml"
ELLIPSIS = "\u2026"

#: the name and unit of the profile that must print literally (rich markup, HTML)
NAME = "x [/] [bold] <script>alert(1)</script>"
UNIT = "u[/]"

#: a plan document of our own (audit --doc), with lines rich would read as markup
DOC = """\
# Hosting plan [/] for the [red]shop[/red]

## Stage 1 costs [/]

| Service | Plan | Cost/month |
|---|---|---|
| Vercel [red] | Hobby | $0 |
| Render [/] | Starter | $7 |
| Upstash | Fixed 250MB [bold] | $10 |
| **Total** | | **$25** |

- Upstash free tier [/]: 10,000 commands/day, 256 MB.
- Acme [red]Cloud[/red] free tier: 5 GB storage.
"""


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]
    fmt: str  # what stdout is: text, md, json, html, csv; "" = not checked here
    columns: int | None = None
    exit_code: int = 0
    tags: tuple[str, ...] = field(default=())


def _fmt_args(fmt: str) -> tuple[str, ...]:
    return ("--format", fmt)


def _cases() -> dict[str, Case]:
    c: dict[str, Case] = {}
    full = [f.value for f in Format]
    for f in full:
        c[f"plan-{f}"] = Case(("plan", str(EX), *_fmt_args(f)), f)
        if f != "html":  # the point page is the same page helper as the plan's
            c[f"plan-at-{f}"] = Case(("plan", str(EX), "--at", "60", *_fmt_args(f)), f)
        c[f"compare-{f}"] = Case(("compare", str(EX), *_fmt_args(f)), f)
        c[f"audit-{f}"] = Case(("audit", str(STACK), *_fmt_args(f)), f)
        c[f"audit-doc-{f}"] = Case(("audit", "--doc", "{tmp}/doc[bold].md", *_fmt_args(f)), f)
        c[f"diff-{f}"] = Case(("diff", str(STACK), str(STACKS / "suoops-target.yaml"), *_fmt_args(f)), f)
    for f in (x.value for x in TextJsonFormat):
        c[f"explain-{f}"] = Case(("explain", str(EX), "--at", "60", *_fmt_args(f)), f)
        c[f"assumptions-{f}"] = Case(("assumptions", *_fmt_args(f)), f)
        c[f"catalog-show-{f}"] = Case(("catalog", "show", "cloudflare", *_fmt_args(f)), f)
        c[f"check-{f}"] = Case(("check", str(EX), "--budget", "100000", *_fmt_args(f)), f)
    for f in (x.value for x in RunbookFormat):
        c[f"runbook-{f}"] = Case(("runbook", str(EX), "--from", "1", *_fmt_args(f)), f)
    for f in (x.value for x in ListFormat):
        c[f"catalog-list-{f}"] = Case(("catalog", "list", *_fmt_args(f)), f)
    c["catalog-check-text"] = Case(("catalog", "check"), "text")
    c["schema-json"] = Case(("schema",), "json")
    # JSON on every example and stack file
    for p in sorted(EXAMPLES.glob("*.yaml")):
        if p != EX:
            c[f"plan-json-{p.stem}"] = Case(("plan", str(p), "--format", "json"), "json")
    for s in sorted(STACKS.glob("*.yaml")):
        if s != STACK:
            c[f"audit-json-{s.stem}"] = Case(("audit", str(s), "--format", "json"), "json")
    # piped text at a narrow COLUMNS: folded, never cut
    c["catalog-list-text-60"] = Case(("catalog", "list"), "text", columns=60)
    c["compare-text-60"] = Case(("compare", str(EX)), "text", columns=60)
    # catalog list filters
    c["list-filtered"] = Case(
        (
            "catalog",
            "list",
            "--provider",
            "cloudflare",
            "--provider",
            "neon",
            "--hosts",
            "postgres",
            "-f",
            "json",
        ),
        "json",
    )
    c["list-bad-provider"] = Case(("catalog", "list", "--provider", "cloudfare"), "", exit_code=2)
    c["list-bad-kind"] = Case(("catalog", "list", "--hosts", "postgress"), "", exit_code=2)
    # a format a command does not accept
    for name, args, enum in (
        ("explain", ("explain", str(EX), "--at", "60", "-f", "html"), TextJsonFormat),
        ("runbook", ("runbook", str(EX), "--from", "1", "-f", "text"), RunbookFormat),
        ("catalog-list", ("catalog", "list", "-f", "html"), ListFormat),
        ("plan", ("plan", str(EX), "-f", "csv"), Format),
    ):
        c[f"bad-format-{name}"] = Case(args, "", columns=200, exit_code=2, tags=tuple(e.value for e in enum))
    # user text that rich would read as markup, and HTML in pages
    prof = "{tmp}/markup.yaml"
    for key, args in (
        ("plan", ("plan", prof)),
        ("plan-at", ("plan", prof, "--at", "60")),
        ("compare", ("compare", prof)),
        ("explain", ("explain", prof, "--at", "60")),
        ("audit", ("audit", "{tmp}/stack.yaml")),
    ):
        c[f"markup-{key}"] = Case(args, "text", tags=("markup",))
    c["markup-plan-html"] = Case(("plan", prof, "-f", "html"), "html", tags=("markup",))
    return c


CASES = _cases()

#: the command whose help lists each enum
HELP = {
    "plan": Format,
    "compare": Format,
    "audit": Format,
    "diff": Format,
    "explain": TextJsonFormat,
    "assumptions": TextJsonFormat,
    "check": TextJsonFormat,
    "catalog show": TextJsonFormat,
    "runbook": RunbookFormat,
    "catalog list": ListFormat,
}


def _env(columns: int | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "FORCE_COLOR", "TTY_COMPATIBLE")}
    env["SOURCE_DATE_EPOCH"] = "1795000000"
    if columns is not None:
        env["COLUMNS"] = str(columns)
    return env


def _write_inputs(tmp: Path) -> None:
    (tmp / "doc[bold].md").write_text(DOC, encoding="utf-8")
    prof = yaml.safe_load(EX.read_text(encoding="utf-8"))
    prof["name"] = NAME
    prof["scale"]["unit"] = UNIT
    (tmp / "markup.yaml").write_text(yaml.safe_dump(prof, sort_keys=False), encoding="utf-8")
    comps = {
        "api": {"provider": "render", "plan": "starter", "size": "starter", "region": "singapore"},
        "db": {"provider": "render", "plan": "basic-256mb", "size": "basic-256mb", "region": "singapore"},
    }
    stack = {"name": "stack [/] [red]today", "profile": "markup.yaml", "components": comps}
    (tmp / "stack.yaml").write_text(yaml.safe_dump(stack, sort_keys=False), encoding="utf-8")


@pytest.fixture(scope="module")
def out(tmp_path_factory: pytest.TempPathFactory) -> dict[str, subprocess.CompletedProcess[str]]:
    tmp = tmp_path_factory.mktemp("streams")
    _write_inputs(tmp)

    def run(case: Case) -> subprocess.CompletedProcess[str]:
        args = [a.replace("{tmp}", str(tmp)) for a in case.args]
        return subprocess.run(
            [TIERPLAN, *args], capture_output=True, text=True, env=_env(case.columns), timeout=300
        )

    workers = max(2, min(6, 2 * (os.cpu_count() or 1)))
    with ThreadPoolExecutor(max_workers=workers) as pool:
        results = dict(zip(CASES, pool.map(run, CASES.values()), strict=True))
    return results


def _ok(out: dict[str, subprocess.CompletedProcess[str]], key: str) -> str:
    r = out[key]
    assert "Traceback" not in r.stderr, r.stderr
    assert r.returncode == CASES[key].exit_code, f"{key}: exit {r.returncode}\n{r.stderr[-2000:]}"
    return r.stdout


class _Page(HTMLParser):
    """Start tags in order; fails on an end tag that does not close the innermost open element."""

    VOID = {"br", "meta", "hr", "img", "input", "link", "col", "wbr"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[str] = []
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag not in self.VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
        else:
            self.stack.pop()


def parse_html(text: str) -> _Page:
    assert text.lstrip().lower().startswith("<!doctype html>"), text[:80]
    p = _Page()
    p.feed(text)
    p.close()
    assert not p.errors, p.errors[:5]
    assert not p.stack, f"unclosed: {p.stack}"
    assert p.tags[:1] == ["html"] and text.rstrip().endswith("</html>")
    assert {"head", "title", "body"} <= set(p.tags)
    # standalone: nothing from the network, no scripts
    assert "script" not in p.tags and "link" not in p.tags and "iframe" not in p.tags
    assert "@import" not in text and "url(" not in text
    return p


def _has_md_table(md: str) -> bool:
    return any(ln.startswith("|") for ln in md.splitlines())


FORMAT_CASES = sorted(k for k, c in CASES.items() if c.fmt and "markup" not in c.tags)


@pytest.mark.parametrize("key", FORMAT_CASES)
def test_stdout_parses_as_its_format(out: dict[str, subprocess.CompletedProcess[str]], key: str) -> None:
    case = CASES[key]
    text = _ok(out, key)
    assert text.strip(), f"{key}: empty stdout"
    if case.fmt == "json":
        json.loads(text)
    elif case.fmt == "md":
        assert text.lstrip().startswith("#"), text[:80]
    elif case.fmt == "html":
        page = parse_html(text)
        md_key = key[: -len("html")] + "md"
        if md_key in CASES and _has_md_table(_ok(out, md_key)):
            assert "table" in page.tags, f"{key}: the Markdown has a table, the page none"
    elif case.fmt == "csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0][:3] == ["provider", "service", "plan"] and "source" in rows[0]
        assert len(rows) > 1 and all(len(r) == len(rows[0]) for r in rows)
    else:
        assert ELLIPSIS not in text, f"{key}: a cell is cut with '…'"


def test_catalog_list_is_one_plan_per_line(out: dict[str, subprocess.CompletedProcess[str]]) -> None:
    """`tierplan catalog list | grep -c cloudflare` counts Cloudflare's plans, at any COLUMNS."""
    records = json.loads(_ok(out, "catalog-list-json"))
    want = sum(r["provider"] == "cloudflare" for r in records)
    assert want > 0
    for key in ("catalog-list-text", "catalog-list-text-60"):
        lines = _ok(out, key).splitlines()
        assert sum("cloudflare" in ln for ln in lines) == want, key
        for r in records:  # each record whole on one line
            assert any(
                ln.split()[:3] == [r["provider"], r["service"], r["plan"]] and r["as_of"] in ln
                for ln in lines
            ), (key, r)
    rows = list(csv.DictReader(io.StringIO(_ok(out, "catalog-list-csv"))))
    assert [(r["provider"], r["plan"], r["as_of"], r["source"]) for r in rows] == [
        (r["provider"], r["plan"], r["as_of"], r["source"]) for r in records
    ]
    md = _ok(out, "catalog-list-md")
    assert sum(ln.startswith("| ") for ln in md.splitlines()) == len(records) + 1  # the header row too


def test_catalog_list_filters(out: dict[str, subprocess.CompletedProcess[str]]) -> None:
    recs = json.loads(_ok(out, "list-filtered"))
    assert recs and all(r["provider"] in ("cloudflare", "neon") and "postgres" in r["hosts"] for r in recs)
    assert {"source", "as_of", "hosts", "fee", "sizes", "available"} <= set(recs[0])
    assert "did you mean 'cloudflare'" in out["list-bad-provider"].stderr
    _ok(out, "list-bad-provider")
    assert "did you mean 'postgres'" in out["list-bad-kind"].stderr
    _ok(out, "list-bad-kind")


def test_compare_piped_keeps_each_stack_item_on_one_line(
    out: dict[str, subprocess.CompletedProcess[str]],
) -> None:
    doc = json.loads(_ok(out, "compare-json"))
    text = _ok(out, "compare-text")
    for r in doc["rows"]:
        for it in r["stack"]:
            assert f"{it['component']}: {it['label']}" in text
    assert ELLIPSIS not in _ok(out, "compare-text-60")
    assert ELLIPSIS not in _ok(out, "catalog-list-text-60")


def _one_line(stderr: str) -> str:
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", stderr).split())


@pytest.mark.parametrize("key", sorted(k for k in CASES if k.startswith("bad-format-")))
def test_unsupported_format_names_the_accepted_ones(
    out: dict[str, subprocess.CompletedProcess[str]], key: str
) -> None:
    _ok(out, key)
    msg = _one_line(out[key].stderr)
    m = re.search(r"is not one of (.*?)\.", msg)
    assert m, msg
    assert re.findall(r"'(\w+)'", m.group(1)) == list(CASES[key].tags), msg


@pytest.mark.parametrize("cmd", sorted(HELP))
def test_help_lists_exactly_the_accepted_formats(cmd: str) -> None:
    """In-process (help is pure Python; it saves ten interpreter start-ups)."""
    r = CliRunner().invoke(app, [*cmd.split(), "--help"], env={"COLUMNS": "200"})
    assert r.exit_code == 0, r.output
    text = r.output
    lines = [ln for ln in text.splitlines() if "--format" in ln]
    assert len(lines) == 1, text
    m = re.search(r"<([a-z|]+)>(.*)", lines[0])
    assert m, lines[0]
    choices = m.group(1).split("|")
    assert choices == [f.value for f in HELP[cmd]]
    described = {w for w in ("text", "md", "json", "html", "csv") if re.search(rf"\b{w}\b", m.group(2))}
    assert described <= set(choices), f"{cmd} --format help names {described - set(choices)}"


@pytest.mark.parametrize("key", sorted(k for k, c in CASES.items() if "markup" in c.tags))
def test_user_text_prints_literally(out: dict[str, subprocess.CompletedProcess[str]], key: str) -> None:
    """Markup-like user text ([/], [bold], [red]) never reaches rich's markup parser, and HTML in
    user text is escaped in pages."""
    text = _ok(out, key)
    if CASES[key].fmt == "html":
        parse_html(text)
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in text
        return
    if key == "markup-audit":
        assert "stack [/] [red]today" in text
        assert f"{UNIT}s" in text
    else:
        assert NAME in text
    if key in ("markup-plan", "markup-explain", "markup-compare"):
        assert f"{UNIT}s" in text


def test_document_lines_print_literally(out: dict[str, subprocess.CompletedProcess[str]]) -> None:
    text = _ok(out, "audit-doc-text")
    assert "doc[bold].md" in text  # the path, in the header
    assert "Acme [red]Cloud[/red] free tier" in text  # a document line, in a finding
    md = _ok(out, "audit-doc-md")
    assert "Acme [red]Cloud[/red]" in md
