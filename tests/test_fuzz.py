"""Robustness: whatever a user hands tierplan, the answer is exit 0, 2, 3 or 4 with a message;
never a traceback, never exit 1 (an internal error), never a hang or a memory blow-up, never a
partial output file.

Two parts:
- ``test_fuzz_sweep``: hypothesis mutates the example profiles, stack files, a policy file, plan
  documents and a catalog (tests/fuzzing.py says how) and runs each case through the CLI. In CI
  it runs TIERPLAN_FUZZ_EXAMPLES cases (default 60); the long run (README, Development):

      TIERPLAN_FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest tests/test_fuzz.py -k sweep -q

- one regression test per class of failure the first fuzz run found (issue 9), each naming it.
  The ones about standard output and memory run the installed console script as a subprocess:
  click's test runner cannot see a closed pipe, a full device or an address-space cap.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings

from .fuzzing import (
    EXAMPLES,
    CaseTimeout,
    cases,
    leftovers,
    materialize,
    problems,
    run_in_process,
    run_subprocess,
    tierplan_command,
)

FUZZ_EXAMPLES = int(os.environ.get("TIERPLAN_FUZZ_EXAMPLES", "60"))
#: seconds one case may take (a full plan of an example takes about 1 s; compare a few)
CASE_SECONDS = 60.0
#: growth of the test process's peak resident memory during one case, MB (a plan needs about 150)
RSS_GROWTH_MB = 500.0

COOP = EXAMPLES / "coop-erp.yaml"


@settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.large_base_example],
    database=None,
)
@given(case=cases())
def test_fuzz_sweep(case, tmp_path_factory: pytest.TempPathFactory) -> None:
    where = tmp_path_factory.mktemp("case")
    args = materialize(case, where)
    before = set(where.rglob("*"))
    try:
        out = run_in_process(args, CASE_SECONDS)
    except CaseTimeout as e:
        pytest.fail(f"{case.label}: {e}")
    found = problems(out)
    if out.exit_code != 0:
        left = leftovers(case, where, before)
        if left:
            found.append(f"left partial output behind: {[str(p.relative_to(where)) for p in left]}")
    if out.rss_growth_mb > RSS_GROWTH_MB:
        found.append(f"peak memory grew {out.rss_growth_mb:.0f} MB")
    assert not found, f"{case.label}: {found}\n{out.stderr[-2000:]}"


# --------------------------------------------------------------------------- regressions
def _profile(tmp_path: Path, text: str, name: str = "app.yaml") -> Path:
    p = tmp_path / name
    p.write_text(text, encoding="utf-8")
    return p


BASE = """\
name: Base
commercial: true
audience: {countries: [SG]}
scale: {stages: [10, 100]}
activity: {requests_per_user_day: 100, active_hours_per_day: 8, peak_factor: 2}
components:
  api: {kind: web_service, runtime: go, memory_mb: 100}
"""


def _run(*args: object) -> tuple[int, str]:
    out = run_in_process([str(a) for a in args], CASE_SECONDS)
    assert not problems(out), out.stderr
    return out.exit_code, out.stderr + out.stdout


# each: (why, profile text, exit code, words the message must contain)
PROFILE_CASES = [
    ("Norway is a country, not a boolean", BASE.replace("[SG]", "[NO]"), 0, []),
    ("unknown code", BASE.replace("[SG]", "[XX]"), 2, ["audience.countries", "XX", "line 3"]),
    ("UK is GB", BASE.replace("[SG]", "[UK]"), 2, ["GB"]),
    ("EU is no country", BASE.replace("[SG]", "[EU]"), 2, ["EU"]),
    ("kind as a list", BASE.replace("kind: web_service", "kind: [web_service]"), 2, ["components.api.kind"]),
    ("kind as a map", BASE.replace("kind: web_service", "kind: {a: 1}"), 2, ["components.api.kind"]),
    ("recursive alias", BASE + "zz: &a {x: *a}\n", 2, ["recursive alias", "line 8"]),
    (
        "recursive alias in a known key",
        BASE.replace("{countries: [SG]}", "&a {countries: *a}"),
        2,
        ["recursive"],
    ),
    ("unquoted impossible date is a name", BASE.replace("name: Base", "name: 2026-02-30"), 0, []),
    ("bad explicit int tag", BASE.replace("peak_factor: 2", "peak_factor: !!int x"), 2, ["line 5", "not an integer"]),
    ("bad explicit timestamp tag", BASE.replace("name: Base", "name: !!timestamp x"), 2, ["line 1"]),
    ("duplicate key", BASE + "name: Again\n", 2, ["duplicate key 'name'", "line 1"]),
    ("NaN assumption", BASE + "assumptions: {redis.connections_per_instance: .nan}\n", 2, ["finite"]),
    ("infinite assumption", BASE + "assumptions: {redis.connections_per_instance: .inf}\n", 2, ["finite"]),
    ("divisor assumption 0", BASE + "assumptions: {latency.fiber_km_per_ms: 0}\n", 2, ["above 0", "line 8"]),
    ("unknown assumption has its line", BASE + "assumptions:\n  nosuch.key: 1\n", 2, ["line 9"]),
    (
        "denormal active hours make an infinite rate",
        BASE.replace("active_hours_per_day: 8", "active_hours_per_day: 1.0e-308"),
        2,
        ["not a finite number"],
    ),
    ("NaN activity", BASE.replace("peak_factor: 2", "peak_factor: .nan"), 2, ["finite", "line 5"]),
    (
        "unknown preferred provider",
        BASE + "requirements: {providers: {prefer: [nosuch]}}\n",
        2,
        ["nosuch", "line 8"],
    ),
    (
        "unknown denied provider has its line",
        BASE + "requirements:\n  providers: {deny: [nosuch]}\n",
        2,
        ["line 9"],
    ),
    ("unknown residency code", BASE + "requirements: {data_residency: [ZZ]}\n", 2, ["ZZ"]),
    ("scale errors show the value", BASE.replace("stages: [10, 100]", "stages: {a: 1}"), 2, ['{"a": 1}']),
    ("rich markup in the name", BASE.replace("name: Base", "name: 'x [/] [bold]'"), 0, []),
    ("rich markup in the unit", BASE.replace("scale: {", "scale: {unit: 'u[/]', "), 0, []),
    ("unicode everywhere", BASE.replace("name: Base", "name: ünïcödé 🙂"), 0, []),
    (
        "a 400-digit number",
        BASE.replace("requests_per_user_day: 100", "requests_per_user_day: " + "9" * 400),
        2,
        [],
    ),
    (
        "alias bomb",
        "a: &a [x,x,x,x,x,x,x,x,x,x]\n"
        + "".join(
            f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(9)
        )
        + BASE,
        2,
        ["alias bomb"],
    ),
    ("deep nesting", BASE + "zz: " + "[" * 100 + "]" * 100 + "\n", 2, ["nested"]),
]


@pytest.mark.parametrize("why,text,code,words", PROFILE_CASES, ids=[c[0] for c in PROFILE_CASES])
def test_profile_regressions(tmp_path: Path, why: str, text: str, code: int, words: list[str]) -> None:
    p = _profile(tmp_path, text)
    got, message = _run("plan", p, "--format", "json")
    assert got == code, message
    for w in words:
        assert w in message, (w, message)


def test_union_errors_are_one_line_without_branch_names(tmp_path: Path) -> None:
    stack = _profile(
        tmp_path,
        f"name: s\nprofile: {COOP}\ncomponents:\n  api: {{provider: fly, plan: pay-as-you-go, stated_usd: abc}}\n",
        "stack.yaml",
    )
    code, message = _run("audit", stack)
    assert code == 2
    lines = [ln for ln in message.splitlines() if "stated_usd" in ln]
    assert len(lines) == 1, message
    assert "constrained" not in message and "tuple[" not in message and "line 4" in lines[0]


@pytest.mark.parametrize(
    "text,words",
    [
        ("stated_usd: [5, 1]", ["[low, high]", "5 is above 1"]),
        ("stated_usd: -3", ["stated_usd", "line 4"]),
    ],
)
def test_stack_line_regressions(tmp_path: Path, text: str, words: list[str]) -> None:
    stack = _profile(
        tmp_path,
        f"name: s\nprofile: {COOP}\ncomponents:\n  api: {{provider: fly, plan: pay-as-you-go, {text}}}\n",
        "s.yaml",
    )
    code, message = _run("audit", stack)
    assert code == 2
    for w in words:
        assert w in message


def test_stack_problems_found_after_validation_have_lines(tmp_path: Path) -> None:
    stack = _profile(
        tmp_path,
        f"name: s\nprofile: {COOP}\ncomponents:\n  nosuch: {{provider: fly, plan: pay-as-you-go}}\n"
        "  api: {provider: nowhere, plan: x}\n",
        "s.yaml",
    )
    code, message = _run("audit", stack)
    assert code == 2
    assert "components.nosuch (line 4): not a component of the profile" in message
    assert "components.api.provider (line 5)" in message


def test_stack_with_an_empty_profile_path(tmp_path: Path) -> None:
    stack = _profile(tmp_path, 'name: s\nprofile: ""\ncomponents: {}\n', "s.yaml")
    code, message = _run("audit", stack)
    assert code == 2 and "profile (line 2)" in message and "is a directory" not in message


def test_inline_workload_problems_name_the_stack_file(tmp_path: Path) -> None:
    workload = yaml.safe_load(BASE)
    workload["audience"]["countries"] = ["SG"]
    workload["requirements"] = {"providers": {"deny": ["nosuch"]}}
    text = yaml.safe_dump(
        {"name": "s", "workload": workload, "components": {}},
        sort_keys=False,
    )
    stack = _profile(tmp_path, text, "s.yaml")
    code, message = _run("audit", stack)
    assert code == 2
    assert "<profile>" not in message
    assert f"{stack}: workload.requirements.providers.deny[0] (line" in message


def test_many_unknown_keys_give_a_short_message(tmp_path: Path) -> None:
    extra = "".join(f"zz{i}: 1\n" for i in range(50_000))
    code, message = _run("plan", _profile(tmp_path, BASE + extra))
    assert code == 2
    assert "more problems" in message and len(message) < 10_000


# --------------------------------------------------------------------------- catalogs
def _catalog_copy(tmp_path: Path) -> Path:
    import shutil

    src = Path(__file__).resolve().parents[1] / "src" / "tierplan" / "data" / "catalog"
    dst = tmp_path / "cat"
    shutil.copytree(src, dst)
    return dst


@pytest.mark.parametrize(
    "date,words",
    [("2026-13-01", ["as_of", "line"]), ("2999-01-01", ["in the future", "line"])],
    ids=["invalid date", "future date"],
)
def test_catalog_dates(tmp_path: Path, date: str, words: list[str]) -> None:
    import re

    cat = _catalog_copy(tmp_path)
    f = cat / "neon.yaml"
    text, n = re.subn(r"as_of: [0-9-]+", f"as_of: {date}", f.read_text(), count=1)
    assert n == 1
    f.write_text(text)
    code, message = _run("plan", COOP, "--catalog", cat, "--format", "json")
    assert code == 2, message
    assert "neon.yaml" in message
    for w in words:
        assert w in message


def test_catalog_duplicate_region(tmp_path: Path) -> None:
    cat = _catalog_copy(tmp_path)
    f = cat / "fly.yaml"
    data = yaml.safe_load(f.read_text())
    data["regions"].append(dict(data["regions"][0]))
    f.write_text(yaml.safe_dump(data, sort_keys=False))
    code, message = _run("plan", COOP, "--catalog", cat)
    assert code == 2 and "defined twice" in message


def test_catalog_tiny_unit_size(tmp_path: Path) -> None:
    cat = _catalog_copy(tmp_path)
    f = cat / "aws.yaml"
    text = f.read_text()
    assert "unit_size: " in text
    import re

    f.write_text(re.sub(r"unit_size: [0-9_]+", "unit_size: 5.0e-324", text, count=1))
    code, message = _run("plan", COOP, "--catalog", cat, "--format", "json")
    assert code in (0, 2, 3), message


def test_catalog_directory_named_like_a_file(tmp_path: Path) -> None:
    cat = _catalog_copy(tmp_path)
    (cat / "x.yaml").mkdir()
    code, message = _run("plan", COOP, "--catalog", cat)
    assert code == 2 and "x.yaml" in message


# --------------------------------------------------------------------------- documents
@pytest.mark.parametrize(
    "text",
    [
        "# Plan\n\n| item | $/mo |\n|---|---|\n| a | $" + "9" * 400 + " |\n| Total | $5 |\n",
        "# Plan\n\nTotal: $" + "9" * 400 + "/month\n",
        "# Plan\n\n[/] [red]x [bold] unclosed\n\n| a [/] | $5 |\n|---|---|\n| Total | $5 |\n",
    ],
    ids=["400-digit cell", "400-digit total", "rich markup"],
)
def test_document_regressions(tmp_path: Path, text: str) -> None:
    doc = _profile(tmp_path, text, "plan.md")
    for fmt in ("text", "json", "md"):
        code, _message = _run("audit", "--doc", doc, "--format", fmt)
        assert code == 0


# --------------------------------------------------------------------------- paths and outputs
@pytest.mark.parametrize(
    "target,words",
    [
        ("adir", ["is a directory"]),
        ("missing.yaml", ["file not found"]),
        ("x" * 300 + ".yaml", []),
        ("/dev/zero", ["larger than"]),
        ("/dev/urandom", ["larger than"]),
        ("huge.yaml", ["larger than"]),
    ],
    ids=["directory", "missing", "long name", "dev-zero", "dev-urandom", "5 MB"],
)
def test_input_paths(tmp_path: Path, target: str, words: list[str]) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "huge.yaml").write_text(BASE + "#" + "x" * (5 * 1024 * 1024) + "\n")
    path = target if target.startswith("/") else str(tmp_path / target)
    code, message = _run("plan", path)
    assert code == 2, message
    for w in words:
        assert w in message


@pytest.mark.parametrize(
    "output,words",
    [
        ("adir", ["is a directory"]),
        ("afile/child.json", ["is a file, not a directory"]),
        ("/dev/full", ["no space left"]),
        ("/proc/tierplan-test.json", ["cannot be written"]),
        ("x" * 300 + ".json", ["longer than 255 bytes"]),
        ("existing.json", ["--force"]),
    ],
    ids=["directory", "under a file", "dev-full", "proc", "long name", "existing"],
)
@pytest.mark.parametrize("command", ["plan", "compare", "diff", "schema", "audit", "runbook"])
def test_output_paths(tmp_path: Path, command: str, output: str, words: list[str]) -> None:
    (tmp_path / "adir").mkdir()
    (tmp_path / "afile").write_text("a file\n")
    (tmp_path / "existing.json").write_text("keep me\n")
    stack = EXAMPLES / "stacks" / "suoops-current.yaml"
    args = {
        "plan": ["plan", COOP, "--format", "json"],
        "compare": ["compare", COOP, "--at", "50", "--format", "json"],
        "diff": ["diff", COOP, COOP, "--format", "json"],
        "schema": ["schema"],
        "audit": ["audit", stack, "--format", "json"],
        "runbook": ["runbook", COOP, "--from", "1"],
    }[command]
    path = output if output.startswith("/") else str(tmp_path / output)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, message = _run(*args, "-o", path)
    assert code == 2, message
    for w in words:
        assert w in message, message
    after = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    assert after == before  # nothing new, nothing changed


def test_gen_into_a_file_or_over_existing_files(tmp_path: Path) -> None:
    afile = tmp_path / "afile"
    afile.write_text("a file\n")
    code, message = _run("gen", COOP, "-o", afile)
    assert code == 2 and "not a directory" in message
    out = tmp_path / "deploy"
    assert _run("gen", COOP, "-o", out)[0] == 0
    written = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    (out / "Dockerfile").write_text("mine\n")
    code, message = _run("gen", COOP, "-o", out)
    assert code == 2 and "--force" in message
    assert (out / "Dockerfile").read_text() == "mine\n"
    assert {p for p in out.rglob("*") if p.is_file()} == set(written)


def test_gen_leaves_nothing_when_a_write_fails(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    out.mkdir()
    (out / ".github").write_text("a file where a directory must go\n")
    code, message = _run("gen", COOP, "-o", out)
    assert code == 2, message
    assert sorted(p.name for p in out.rglob("*")) == [".github"]


# --------------------------------------------------------------------------- standard output
def _pipe_closed_early(args: list[str]) -> subprocess.CompletedProcess[bytes]:
    """Run the console script with stdout a pipe whose reader closed before anything was read."""
    r, w = os.pipe()
    os.close(r)
    try:
        return subprocess.run(
            [*tierplan_command(), *args],
            stdout=w,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    finally:
        os.close(w)


@pytest.mark.parametrize(
    "args",
    [["plan", str(COOP), "--format", "json"], ["plan", str(COOP)], ["catalog", "list"], ["schema"]],
    ids=["json", "text", "catalog list", "schema"],
)
def test_stdout_closed_pipe(args: list[str]) -> None:
    p = _pipe_closed_early(args)
    err = p.stderr.decode()
    assert p.returncode == 2, err
    assert "Traceback" not in err and "internal error" not in err
    assert "standard output" in err


def test_stdout_full_device() -> None:
    with open("/dev/full", "wb") as full:
        p = subprocess.run(
            [*tierplan_command(), "plan", str(COOP), "--format", "json"],
            stdout=full,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=120,
        )
    err = p.stderr.decode()
    assert p.returncode == 2 and "no space left" in err and "Traceback" not in err


def test_billion_laughs_under_a_memory_cap(tmp_path: Path) -> None:
    bomb = "a: &a [lol,lol,lol,lol,lol,lol,lol,lol,lol,lol]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [" + ",".join([f"*{chr(97 + i)}"] * 10) + "]\n" for i in range(9)
    )
    p = _profile(tmp_path, bomb + BASE)
    out = run_subprocess(["plan", str(p)], timeout_s=60, memory_mb=1024)
    assert out.exit_code == 2 and "alias bomb" in out.stderr, out.stderr


def test_the_console_script_is_the_one_tested() -> None:
    assert Path(tierplan_command()[0]).parent == Path(sys.executable).parent
