"""Shared by scripts/lock and scripts/check-latest (not a command itself).

A throwaway virtual environment outside the repository, the project installed into it, and the
checks CI runs (.ci/run): the whole test suite, then ruff and mypy. Nothing here touches the
repository's own .venv. If .ci/run ever starts a service the suite needs, start it in run_suite
too, so that a lock is only written after the same checks CI will run.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import tomllib
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CONSTRAINTS = ROOT / "constraints.txt"
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)$")


def say(msg: str) -> None:
    print(f"[{Path(sys.argv[0]).name}] {msg}", flush=True)


def canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def floor_python() -> str:
    """The oldest Python the project supports, e.g. '3.11' for requires-python '>=3.11'."""
    spec = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["requires-python"]
    m = re.search(r">=\s*(\d+\.\d+)", spec)
    if not m:
        sys.exit(f"cannot read the oldest supported Python from requires-python = {spec!r}")
    return m.group(1)


def find_python(explicit: str | None, strict: bool) -> str:
    """The interpreter for the throwaway venv: --python, else python<floor> on PATH, else this one.

    The pins must install on the oldest supported Python (a newer one can resolve versions that
    dropped it), so with strict=True anything but that version is refused.
    """
    want = floor_python()
    exe = explicit or shutil.which(f"python{want}") or sys.executable
    out = subprocess.run(
        [exe, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
        capture_output=True,
        text=True,
    )
    if out.returncode != 0:
        sys.exit(f"cannot run {exe}")
    have = out.stdout.strip()
    if have != want:
        msg = f"{exe} is Python {have}; the pins must be made on Python {want}, the oldest supported"
        if strict:
            sys.exit(msg + f" (install python{want} or pass --python)")
        say("note: " + msg)
    return exe


class Venv:
    """A virtual environment in a temporary directory, deleted on exit unless keep=True."""

    def __init__(self, python: str, keep: bool, tag: str) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix=f"tierplan-{tag}-"))
        self.keep = keep
        self.bin = self.dir / "venv" / "bin"
        say(f"throwaway venv: {self.dir / 'venv'} (Python from {python})")
        subprocess.run([python, "-m", "venv", str(self.dir / "venv")], check=True)

    def __enter__(self) -> Venv:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.keep:
            say(f"kept: {self.dir}")
        else:
            shutil.rmtree(self.dir, ignore_errors=True)

    @property
    def python(self) -> str:
        return str(self.bin / "python")

    def env(self) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
        env["VIRTUAL_ENV"] = str(self.bin.parent)
        env["PATH"] = f"{self.bin}{os.pathsep}{env.get('PATH', '')}"
        return env

    def run(self, *cmd: str, check: bool = False, quiet: bool = False) -> subprocess.CompletedProcess[str]:
        out = subprocess.PIPE if quiet else None
        return subprocess.run(
            list(cmd), cwd=ROOT, env=self.env(), check=check, stdout=out, stderr=out, text=True
        )

    def pip(self, *args: str) -> int:
        return self.run(self.python, "-m", "pip", *args).returncode

    def freeze(self) -> dict[str, tuple[str, str]]:
        """canonical name -> (name, version) of everything installed but the project and pip itself."""
        out = self.run(
            self.python, "-m", "pip", "freeze", "--exclude-editable", "--exclude", "tierplan",
            check=True, quiet=True,
        ).stdout
        pins: dict[str, tuple[str, str]] = {}
        for line in out.splitlines():
            m = PIN.match(line.strip())
            if not m:
                sys.exit(f"pip freeze printed a line that is not a plain pin: {line!r}")
            pins[canonical(m.group(1))] = (m.group(1), m.group(2))
        return pins


def read_pins(path: Path = CONSTRAINTS) -> dict[str, tuple[str, str]]:
    pins: dict[str, tuple[str, str]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            m = PIN.match(line.split("#", 1)[0].strip())
            if m:
                pins[canonical(m.group(1))] = (m.group(1), m.group(2))
    return pins


def version_changes(old: dict[str, tuple[str, str]], new: dict[str, tuple[str, str]]) -> list[str]:
    """One line per package whose version differs, appeared or went away."""
    lines = []
    for key in sorted(old.keys() | new.keys()):
        if key in old and key in new and old[key][1] == new[key][1]:
            continue
        name = (new.get(key) or old[key])[0]
        before = old[key][1] if key in old else "(not pinned)"
        after = new[key][1] if key in new else "(not installed)"
        lines.append(f"  {name:<28} {before:>20} -> {after}")
    return lines


@dataclass
class SuiteResult:
    returncode: int
    tests: int
    passed: int
    failed: int
    skipped: int
    seconds: float

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and self.passed > 0

    def summary(self) -> str:
        return (
            f"pytest exit {self.returncode}: {self.passed} passed, {self.failed} failed or errors, "
            f"{self.skipped} skipped, in {self.seconds:.0f} s"
        )


def run_suite(venv: Venv, ci: bool = True) -> SuiteResult:
    """The whole test suite as the README's second Quick start command runs it.

    CI=true (the default) makes a validator that cannot be had fail instead of skip, so a pass
    means every test ran. A suite in which nothing passed is a failure.
    """
    report = venv.dir / "junit.xml"
    env = venv.env()
    if ci:
        env["CI"] = env.get("CI") or "true"
    # the counts come from a JUnit report; the cache plugin stays off so as not to touch the
    # repository's .pytest_cache (--lf of whoever works in it)
    extra = f"--junitxml={report} -p no:cacheprovider"
    env["PYTEST_ADDOPTS"] = f"{env.get('PYTEST_ADDOPTS', '')} {extra}".strip()
    say("running the test suite: python -m pytest -q")
    start = time.monotonic()
    rc = subprocess.run(
        [venv.python, "-m", "pytest", "-q"], cwd=ROOT, env=env, stdin=subprocess.DEVNULL
    ).returncode
    seconds = time.monotonic() - start
    tests = failed = skipped = 0
    if report.exists():
        for suite in ET.parse(report).getroot().iter("testsuite"):
            tests += int(suite.get("tests", 0))
            failed += int(suite.get("failures", 0)) + int(suite.get("errors", 0))
            skipped += int(suite.get("skipped", 0))
    result = SuiteResult(rc, tests, tests - failed - skipped, failed, skipped, seconds)
    say(result.summary())
    return result


def run_linters(venv: Venv) -> dict[str, int]:
    """ruff and mypy as .ci/run runs them: name -> exit code."""
    codes = {}
    for name, cmd in (
        ("ruff", [str(venv.bin / "ruff"), "check", "--no-cache", "src", "tests"]),
        ("mypy", [venv.python, "-m", "mypy", "--cache-dir", str(venv.dir / "mypy-cache")]),
    ):
        say(f"running {name}")
        codes[name] = venv.run(*cmd).returncode
        say(f"{name}: {'ok' if codes[name] == 0 else f'exit {codes[name]}'}")
    return codes
