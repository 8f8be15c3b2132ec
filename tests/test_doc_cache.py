"""Report documents cached by content (doc_cache.py): a hit prints exactly what a fresh run prints,
any changed input is a miss, failures and TIERPLAN_NO_CACHE are never cached, a broken entry is a
miss."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tierplan import doc_cache
from tierplan.catalog.loader import default_catalog_dir

from .conftest import EXAMPLES
from .test_cli import TIERPLAN


def _run(cache: Path | None, *args: object) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SOURCE_DATE_EPOCH": "1795000000", "COLUMNS": "120"}
    env.pop("TIERPLAN_NO_CACHE", None)
    if cache is None:
        env["TIERPLAN_NO_CACHE"] = "1"
    else:
        env["XDG_CACHE_HOME"] = str(cache)
    return subprocess.run([TIERPLAN, *map(str, args)], capture_output=True, text=True, env=env, timeout=120)


def _docs(cache: Path) -> list[Path]:
    d = cache / "tierplan" / "docs"
    return sorted(d.glob("*.json")) if d.is_dir() else []


@pytest.mark.parametrize("fmt", ["json", "md", "text", "html"])
@pytest.mark.parametrize("extra", [(), ("--at", "20000"), ("--per-component",)])
def test_a_hit_prints_exactly_what_a_fresh_run_prints(tmp_path: Path, fmt: str, extra: tuple[str, ...]) -> None:
    args = ("plan", EXAMPLES / "amebo.yaml", "--format", fmt, *extra)
    fresh = _run(None, *args)
    assert fresh.returncode == 0, fresh.stderr
    first = _run(tmp_path, *args)  # computes and stores
    assert len(_docs(tmp_path)) == 1
    second = _run(tmp_path, *args)  # reads back
    assert (first.stdout, second.stdout, second.returncode) == (fresh.stdout, fresh.stdout, 0)


def _key(profile: Path, catalog: Path | None = None, **options: Any) -> str | None:
    return doc_cache.document_key("plan", {"at": None, "per_component": False, **options}, profile, catalog)


def test_every_input_is_in_the_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    profile = tmp_path / "app.yaml"
    shutil.copy(EXAMPLES / "coop-erp.yaml", profile)
    base = _key(profile)
    assert base is not None and base == _key(profile)  # stable
    assert _key(profile, at=200) != base  # options
    profile.write_bytes(profile.read_bytes() + b"\n# a comment is a different file\n")
    assert _key(profile) != base  # the profile's bytes
    profile.write_bytes((EXAMPLES / "coop-erp.yaml").read_bytes())
    assert _key(profile) == base
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795086400")  # the next day: reports carry the date
    assert _key(profile) != base
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")
    catalog = tmp_path / "catalog"
    shutil.copytree(default_catalog_dir(), catalog)
    with_catalog = _key(profile, catalog)
    assert with_catalog not in (None, base)
    f = next(iter(sorted(catalog.glob("*.yaml"))))
    f.write_text(f.read_text() + "\n")
    assert _key(profile, catalog) not in (with_catalog, None)  # any catalog byte
    # the code and bundled data are in the key through the package fingerprint
    monkeypatch.setattr(doc_cache, "package_fingerprint", lambda: "another build")
    assert _key(profile) != base
    # inputs that cannot be read: no key, the command reports the problem itself
    assert _key(tmp_path / "missing.yaml") is None
    assert _key(profile, tmp_path / "no-such-catalog") is None


def test_a_changed_profile_is_planned_again(tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    profile = tmp_path / "app.yaml"
    text = (EXAMPLES / "coop-erp.yaml").read_text()
    profile.write_text(text)
    a = _run(cache, "plan", profile, "--format", "json")
    assert a.returncode == 0, a.stderr
    assert "stages: [50, 200, 500]" in text
    profile.write_text(text.replace("stages: [50, 200, 500]", "stages: [50, 200, 600]"))
    b = _run(cache, "plan", profile, "--format", "json")
    assert b.returncode == 0, b.stderr
    assert json.loads(a.stdout)["points"] != json.loads(b.stdout)["points"]
    assert json.loads(b.stdout) == json.loads(_run(None, "plan", profile, "--format", "json").stdout)
    assert len(_docs(cache)) == 2


def test_failures_and_no_cache_are_not_stored(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\ncomponents: {}\n")
    for _ in range(2):
        r = _run(tmp_path, "plan", bad, "--format", "json")
        assert r.returncode == 2 and "bad.yaml" in r.stderr
    assert _docs(tmp_path) == []
    off = tmp_path / "off"
    r = _run(None, "plan", EXAMPLES / "coop-erp.yaml", "--format", "json")
    assert r.returncode == 0 and not off.exists()


def test_a_broken_or_foreign_entry_is_a_miss(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    calls: list[int] = []

    def compute() -> dict[str, Any]:
        calls.append(1)
        return {"phases": [1, 2], "name": "x"}

    key = "ab" * 32
    assert doc_cache.cached_document(key, compute) == {"phases": [1, 2], "name": "x"}
    assert doc_cache.cached_document(key, compute) == {"phases": [1, 2], "name": "x"}
    assert len(calls) == 1
    (entry,) = _docs(tmp_path)
    entry.write_text("{not json")
    assert doc_cache.cached_document(key, compute)["name"] == "x" and len(calls) == 2
    # an entry that does not name its own key (copied or renamed by hand) is not read
    entry.write_text(json.dumps({"key": "cd" * 32, "document": {"name": "other"}}))
    assert doc_cache.cached_document(key, compute)["name"] == "x" and len(calls) == 3


def test_the_cache_keeps_a_bounded_number_of_documents(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    monkeypatch.setattr(doc_cache, "MAX_DOCUMENTS", 3)
    for i in range(5):
        doc_cache.cached_document(f"{i:064x}", lambda i=i: {"i": i})
    assert len(_docs(tmp_path)) == 3


def test_an_unwritable_cache_still_plans(tmp_path: Path) -> None:
    """XDG_CACHE_HOME is a regular file: nothing can be stored under it (as for a read-only home,
    also when the tests run as root), and the plan is still printed."""
    cache = tmp_path / "a-file"
    cache.write_text("")
    r = _run(cache, "plan", EXAMPLES / "coop-erp.yaml", "--format", "json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["phases"] and cache.read_text() == ""
