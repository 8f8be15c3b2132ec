"""Report documents cached on disk, keyed by everything they are computed from.

``tierplan plan`` is a pure function of the profile file, the catalog, the tierplan code and data
(assumptions, countries, templates), the command's options and today's date (reports carry it, and
the catalog's dates are checked against it). The report model it builds (a plain JSON document,
report/model.py) is written to ``~/.cache/tierplan/docs/`` under a SHA-256 of all of those, so the
same command on unchanged inputs reads the document back instead of validating, pricing and solving
again; any change to any input byte is a different key, so a stale document is never read.

What is not cached: failures (an invalid profile is validated and reported every time), and
nothing when ``TIERPLAN_NO_CACHE`` is set or the cache directory cannot be written (read-only
home: every run computes, still correct). The documents hold plans and prices only, never a
secret (profiles hold no DSN or token; tierplan measure's DSNs never reach a plan).

This module imports only the standard library, so a cache hit costs no pydantic model, no solver
and no catalog load.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = ["cache_dir", "cached_document", "document_key", "package_fingerprint"]

#: bump when the layout of the cached files changes
_FORMAT = b"tierplan-doc-cache-1"


def cache_dir() -> Path | None:
    """Where tierplan caches derived data (the validated catalog, report documents); None when
    TIERPLAN_NO_CACHE is set."""
    if os.environ.get("TIERPLAN_NO_CACHE"):
        return None
    base = os.environ.get("XDG_CACHE_HOME") or (Path.home() / ".cache")
    return Path(base) / "tierplan"


def _tree_digest(root: Path, digest: Any) -> None:
    """Every regular file under ``root`` (names relative to it, contents), in a stable order;
    bytecode caches left out (they follow the sources)."""
    files = sorted(
        p for p in root.rglob("*") if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"
    )
    for p in files:
        digest.update(p.relative_to(root).as_posix().encode() + b"\0" + p.read_bytes() + b"\0")


def package_fingerprint() -> str:
    """SHA-256 of tierplan's installed code and data (the bundled catalog, assumptions, countries,
    templates): a different build, an edited file or an updated catalog is a different key."""
    digest = hashlib.sha256(_FORMAT)
    _tree_digest(Path(__file__).resolve().parent, digest)
    return digest.hexdigest()


def document_key(command: str, options: dict[str, Any], profile: Path, catalog: Path | None) -> str | None:
    """The cache key of one report document, or None when an input cannot be read (the command
    then runs as usual and reports the problem)."""
    from .clock import today

    digest = hashlib.sha256(_FORMAT)
    digest.update(package_fingerprint().encode())
    digest.update(json.dumps([command, options, today().isoformat()], sort_keys=True, default=str).encode())
    try:
        if not profile.is_file():
            return None
        digest.update(b"profile\0" + profile.read_bytes())
        if catalog is not None:
            if not catalog.is_dir():
                return None
            digest.update(b"catalog\0")
            _tree_digest(catalog, digest)
    except OSError:
        return None
    return digest.hexdigest()


def _entries(directory: Path) -> Iterable[Path]:
    try:
        return sorted(directory.glob("*.json"), key=lambda p: p.stat().st_mtime)
    except OSError:
        return []


#: cached documents kept (the oldest are removed beyond this)
MAX_DOCUMENTS = 200


def cached_document(key: str | None, compute: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """The document cached under ``key``, or ``compute()`` (stored under ``key`` for next time)."""
    base = cache_dir()
    if key is None or base is None:
        return compute()
    path = base / "docs" / f"{key}.json"
    try:
        with path.open(encoding="utf-8") as fh:
            stored = json.load(fh)
        if isinstance(stored, dict) and stored.get("key") == key and isinstance(stored.get("document"), dict):
            return stored["document"]
    except (OSError, ValueError):
        pass  # a missing or broken entry is a miss
    doc = compute()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps({"key": key, "document": doc}, ensure_ascii=False), encoding="utf-8")
        tmp.replace(path)
        old = list(_entries(path.parent))
        for stale in old[: max(0, len(old) - MAX_DOCUMENTS)]:
            stale.unlink(missing_ok=True)
    except OSError:
        pass  # read-only or full: no cache, still correct
    return doc
