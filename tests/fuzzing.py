"""The robustness sweep's cases: mutated inputs, each run through the real command.

A case is the files a user could hand tierplan (a profile, a stack file, a policy, a plan
document, a catalog directory), mutated the ways real files go wrong, and the command that reads
them. ``run_case`` runs it and returns what a user would see; tests/test_fuzz.py states what must
hold (exit 0, 2, 3 or 4; no traceback; bounded time and memory; no partial output file).

Mutations: a value replaced by a wrong type, an extreme number (huge, negative, NaN, infinite,
400 digits, denormal), unicode, rich markup, a YES/NO word, an invalid date; a key deleted or an
unknown one added; the YAML text truncated, spliced with random characters, given bad explicit
tags, a recursive alias or an alias bomb; the file replaced by nothing, binary, 5 MB, a directory
or a missing path; the output sent into a directory, under a regular file, to /dev/full, to an
over-long name or onto an existing file.
"""

from __future__ import annotations

import copy
import math
import os
import resource
import shutil
import signal
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from hypothesis import strategies as st

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
PROFILES = sorted(EXAMPLES.glob("*.yaml"))
STACKS = sorted((EXAMPLES / "stacks").glob("*.yaml"))
DOCS = sorted((Path(__file__).parent / "data" / "docs").glob("*"))
CATALOG = ROOT / "src" / "tierplan" / "data" / "catalog"

POLICY = {
    "budget_usd": 500,
    "max_increase": "25%",
    "max_catalog_age_days": 365,
    "ignore_providers": ["twilio"],
}

#: odd values a user (or a typo) can put anywhere
ODD_VALUES: list[Any] = [
    None,
    True,
    "NO",
    "on",
    "",
    [],
    {},
    [1, "x"],
    {"a": 1},
    -1,
    0,
    -0.0,
    1e308,
    -1e308,
    math.nan,
    math.inf,
    -math.inf,
    10**400,
    1e-308,
    5e-324,
    "ünïcödé 🙂 ✓",
    "[/]",
    "[bold]x[/bold] [/]",
    "2026-02-30",
    "x" * 5000,
    "../../etc/passwd",
    "\t\n",
    # in range, but at the edges: the planner must stay fast and exact
    100_000_000,
    1_000_000,
    500,
    120,
    0.001,
    1,
]

#: text spliced into a YAML file
SPLICES = [
    "\nzz_tag: !!int notanumber\n",
    "\nzz_ts: !!timestamp nodate\n",
    "\nzz_date: 2026-13-01\n",
    "\nzz_rec: &rec [*rec]\n",
    "\n" + "".join(f"l{i}: &l{i} [" + ",".join([f"*l{i - 1}" if i else "x"] * 9) + "]\n" for i in range(9)),
    "\nzz_dup: 1\nzz_dup: 2\n",
    "\n: : :\n",
    "\n\t- tab\n",
    "\n%TAG ! tag:x,2000:\n",
    "\u0000",
    "\n" + "[" * 300 + "]" * 300 + "\n",
]


@dataclass
class Case:
    """Files to write (relative path -> bytes, or None for a directory), the command line with
    ``{dir}`` standing for the case's directory, and the output path a run must not leave behind
    when it fails."""

    files: dict[str, bytes | None]
    args: list[str]
    output: str | None = None
    label: str = ""
    notes: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- tree mutations
def _paths(node: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(node, dict):
        for k, v in node.items():
            out += _paths(v, path + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out += _paths(v, path + (i,))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated_tree(draw: st.DrawFn, data: Any) -> Any:
    """``data`` with one to three mutations at random places."""
    data = copy.deepcopy(data)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(data) if p]
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        parent = _get(data, path[:-1])
        key = path[-1]
        op = draw(st.sampled_from(["replace", "replace", "replace", "delete", "unknown", "grow"]))
        if op == "replace":  # a copy: a later "grow" must not change the shared table
            parent[key] = copy.deepcopy(draw(st.sampled_from(ODD_VALUES)))
        elif op == "delete":
            del parent[key]
        elif op == "unknown" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["zz_unknown", "NO", "nmae", "kind", "[/]"]))] = copy.deepcopy(
                draw(st.sampled_from(ODD_VALUES))
            )
        elif op == "grow":
            target = parent[key]
            if isinstance(target, list):
                target.extend(copy.deepcopy(target[:1]) * draw(st.integers(0, 50)))
            elif isinstance(target, int | float) and not isinstance(target, bool):
                parent[key] = target * draw(st.sampled_from([1000, 10**6, -1, 0]))
    return data


def dump(data: Any) -> bytes:
    """YAML text of ``data`` (NaN and infinities written as YAML's .nan/.inf)."""
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=4096).encode("utf-8")


@st.composite
def mutated_text(draw: st.DrawFn, text: bytes) -> bytes:
    op = draw(st.sampled_from(["truncate", "splice", "splice", "random", "empty", "binary", "huge", "none"]))
    if op == "truncate":
        return text[: draw(st.integers(0, len(text)))]
    if op == "splice":
        at = draw(st.integers(0, len(text)))
        return text[:at] + draw(st.sampled_from(SPLICES)).encode("utf-8") + text[at:]
    if op == "random":
        at = draw(st.integers(0, len(text)))
        junk = draw(st.text(min_size=1, max_size=20)).encode("utf-8", "surrogatepass")
        return text[:at] + junk + text[at:]
    if op == "empty":
        return draw(
            st.sampled_from([b"", b"\n", b"# only a comment\n", b"---\n", b"null\n", b"[]\n", b"7\n"])
        )
    if op == "binary":
        return draw(st.binary(min_size=1, max_size=200)) + b"\x00\xff"
    if op == "huge":
        return text + b"\n#" + b"x" * (5 * 1024 * 1024) + b"\n"
    return text


# --------------------------------------------------------------------------- cases
def _load(path: Path) -> Any:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def _stack_with_profile(path: Path) -> dict[str, Any]:
    data = _load(path)
    if isinstance(data.get("profile"), str):
        data["profile"] = "profile.yaml"
    return data


OUTPUTS = [
    None,
    None,
    None,
    "out/deeper/result.txt",  # parents are created
    "existing.txt",  # exists: refused without --force
    "adir",  # a directory
    "afile/child.txt",  # under a regular file
    "/dev/full",
    "x" * 300 + ".txt",  # a name over 255 bytes
]

PROFILE_COMMANDS: list[list[str]] = [
    ["plan", "{input}"],
    ["plan", "{input}", "--format", "json"],
    ["plan", "{input}", "--format", "md"],
    ["plan", "{input}", "--format", "html"],
    ["plan", "{input}", "--at", "120", "--format", "json"],
    ["plan", "{input}", "--per-component", "--format", "json"],
    ["explain", "{input}", "--at", "50", "--format", "json"],
    ["check", "{input}", "--budget", "100", "--format", "json"],
    ["runbook", "{input}", "--from", "1"],
    ["diff", "{orig}", "{input}", "--format", "json"],
    ["gen", "{input}", "-o", "{dir}/deploy"],
]


@st.composite
def cases(draw: st.DrawFn, compare: bool = False) -> Case:
    """One mutated input and the command that reads it."""
    kind = draw(st.sampled_from(["profile"] * 5 + ["stack"] * 2 + ["policy", "doc", "catalog", "path"]))
    files: dict[str, bytes | None] = {
        "existing.txt": b"keep me\n",
        "afile": b"a regular file\n",
        "adir": None,
    }
    output: str | None = None
    if kind == "profile":
        src = draw(st.sampled_from(PROFILES))
        files["orig.yaml"] = src.read_bytes()
        text = dump(draw(mutated_tree(_load(src)))) if draw(st.booleans()) else src.read_bytes()
        files["input.yaml"] = draw(mutated_text(text)) if draw(st.booleans()) else text
        cmds = PROFILE_COMMANDS + ([["compare", "{input}", "--format", "json"]] if compare else [])
        args = list(draw(st.sampled_from(cmds)))
    elif kind == "stack":
        src = draw(st.sampled_from(STACKS))
        data = _stack_with_profile(src)
        prof = _load(src).get("profile")
        if isinstance(prof, str):
            files["profile.yaml"] = (src.parent / prof).read_bytes()
        text = dump(draw(mutated_tree(data)))
        files["input.yaml"] = draw(mutated_text(text)) if draw(st.booleans()) else text
        files["orig.yaml"] = dump(data)
        args = list(
            draw(
                st.sampled_from(
                    [
                        ["audit", "{input}"],
                        ["audit", "{input}", "--format", "json"],
                        ["audit", "{input}", "--format", "md"],
                        ["diff", "{orig}", "{input}", "--format", "json"],
                    ]
                )
            )
        )
    elif kind == "policy":
        files["input.yaml"] = draw(mutated_text(dump(draw(mutated_tree(POLICY)))))
        files["profile.yaml"] = (EXAMPLES / "coop-erp.yaml").read_bytes()
        args = ["check", "{dir}/profile.yaml", "--policy", "{input}", "--format", "json"]
    elif kind == "doc":
        src = draw(st.sampled_from(DOCS))
        text = src.read_bytes()
        extra = draw(
            st.sampled_from(
                [
                    b"",
                    b"\n| a | [/] |\n|---|---|\n| [red]x | $1" + b"9" * 400 + b" |\n",
                    b"\nTotal: $" + b"9" * 400 + b"/month\n",
                    b"\n| x | $5 |\n| Total | $nan |\n",
                    b"\n[/] [bold] unclosed [link=x]\n",
                ]
            )
        )
        files["input.md"] = draw(mutated_text(text + extra))
        fmt = draw(st.sampled_from([[], ["--format", "json"], ["--format", "md"]]))
        args = ["audit", "--doc", "{dir}/input.md", *fmt]
    elif kind == "catalog":
        files["cat"] = None
        for f in CATALOG.glob("*.yaml"):
            files[f"cat/{f.name}"] = f.read_bytes()
        victim = draw(st.sampled_from(sorted(CATALOG.glob("*.yaml"))))
        text = dump(draw(mutated_tree(_load(victim))))
        files[f"cat/{victim.name}"] = draw(mutated_text(text)) if draw(st.booleans()) else text
        if draw(st.integers(0, 9)) == 0:
            files["cat/x.yaml"] = None  # a directory that looks like a catalog file
        src = draw(st.sampled_from(PROFILES))
        files["profile.yaml"] = src.read_bytes()
        args = ["plan", "{dir}/profile.yaml", "--catalog", "{dir}/cat", "--format", "json"]
    else:
        target = draw(st.sampled_from(["adir", "missing.yaml", "/dev/null", "/dev/zero", "x" * 300]))
        cmd = draw(st.sampled_from([["plan"], ["audit"], ["audit", "--doc"], ["explain", "--at", "1"]]))
        args = [*cmd, target if target.startswith("/") else "{dir}/" + target]
    if args[0] in ("plan", "audit", "diff", "runbook") and "-o" not in args:
        out = draw(st.sampled_from(OUTPUTS))
        if out is not None:
            output = out if out.startswith("/") else "{dir}/" + out
            args += ["-o", output]
    label = f"{kind}: tierplan {' '.join(args)}"
    return Case(files, args, output, label)


# --------------------------------------------------------------------------- running
@dataclass
class Outcome:
    exit_code: int
    stdout: str
    stderr: str
    seconds: float
    #: how much the process's peak resident memory grew during the case, MB
    rss_growth_mb: float


class CaseTimeout(BaseException):
    """Raised in the main thread when a case runs too long (BaseException: nothing in the
    command may swallow it)."""


def materialize(case: Case, where: Path) -> list[str]:
    """Write the case's files under ``where``; the command line with paths filled in."""
    for rel, content in case.files.items():
        p = where / rel
        if content is None:
            p.mkdir(parents=True, exist_ok=True)
        else:
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_bytes(content)
    orig = "orig.yaml" if "orig.yaml" in case.files else "input.yaml"
    sub = {"{dir}": str(where), "{input}": str(where / "input.yaml"), "{orig}": str(where / orig)}
    out = []
    for a in case.args:
        for k, v in sub.items():
            a = a.replace(k, v)
        out.append(a)
    return out


def run_in_process(args: list[str], timeout_s: float) -> Outcome:
    """Run ``tierplan args`` in this process through the CLI's own entry (click's test runner),
    with an alarm as the time bound and the process's peak RSS as the memory reading."""
    from typer.testing import CliRunner

    from tierplan.cli import app

    def on_alarm(signum: int, frame: Any) -> None:
        raise CaseTimeout(f"over {timeout_s:.0f} s")

    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    old = signal.signal(signal.SIGALRM, on_alarm)
    signal.setitimer(signal.ITIMER_REAL, timeout_s)
    t0 = time.perf_counter()
    try:
        r = CliRunner().invoke(app, args, catch_exceptions=True)
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, old)
    seconds = time.perf_counter() - t0
    if isinstance(r.exception, CaseTimeout):
        raise r.exception
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - rss_before
    _forget_caches()
    stderr = r.stderr if r.stderr_bytes is not None else ""
    if r.exception is not None and not isinstance(r.exception, SystemExit):
        import traceback

        stderr += "".join(traceback.format_exception(r.exception))
        return Outcome(1, r.stdout, stderr, seconds, rss)
    return Outcome(r.exit_code, r.stdout, stderr, seconds, rss)


def _forget_caches() -> None:
    """Drop what tierplan caches per input (a catalog per directory): thousands of cases in one
    process would otherwise keep every temporary catalog alive."""
    from tierplan.catalog import loader

    loader._load_dir.cache_clear()


def tierplan_command() -> list[str]:
    """The installed console script beside this interpreter."""
    exe = Path(sys.executable).parent / "tierplan"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "tierplan.cli"]


def run_subprocess(args: list[str], timeout_s: float, memory_mb: int) -> Outcome:
    """Run the installed console script with an address-space cap and a timeout."""
    import subprocess

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (memory_mb * 1024 * 1024, memory_mb * 1024 * 1024))

    env = {k: v for k, v in os.environ.items() if k != "TIERPLAN_DEBUG"}
    t0 = time.perf_counter()
    r = subprocess.run(
        [*tierplan_command(), *args],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        preexec_fn=limit,
        stdin=subprocess.DEVNULL,
        env=env,
    )
    return Outcome(r.returncode, r.stdout, r.stderr, time.perf_counter() - t0, 0.0)


def leftovers(case: Case, where: Path, before: set[Path]) -> list[Path]:
    """Files a failed run left behind: anything new under the case directory."""
    now = {p for p in where.rglob("*")}
    return sorted(p for p in now - before if p.is_file())


def problems(outcome: Outcome, allowed: Callable[[int], bool] | None = None) -> list[str]:
    """What a user must never see."""
    out = []
    ok = allowed or (lambda c: c in (0, 2, 3, 4))
    if not ok(outcome.exit_code):
        out.append(f"exit {outcome.exit_code}")
    for text in (outcome.stdout, outcome.stderr):
        if "Traceback (most recent call last)" in text:
            out.append("a Python traceback")
        if "internal error" in text:
            out.append("an internal error")
    return out


def clean(where: Path) -> None:
    shutil.rmtree(where, ignore_errors=True)
