"""How `tierplan audit --doc` grows with the document (issue 12, "Speed"). Recorded in
docs/performance.md.

    .venv/bin/python benchmarks/doc_audit.py                    # every size, 3 runs each
    .venv/bin/python benchmarks/doc_audit.py --quick            # 1 run each
    .venv/bin/python benchmarks/doc_audit.py --keep /tmp/docs   # also write the documents there

Documents are built from real plan text: the corpus documents (tests/data/doc_corpus/*.md, *.txt)
and the reference seeds (SEEDS, default ../shared/seeds/*.txt beside the repository, when present), concatenated in
name order and cycled until the document has 1,000 / 4,000 / 10,000 lines (the last one cut);
plus every seed and corpus document on its own, and one single line of 1.2 MB (all that text
joined by spaces, repeated). Each is timed through ``audit_document`` (the catalog loaded once,
median of N runs), and the largest one once more end to end through the CLI
(``tierplan audit --doc F --format json``, a whole process, this tree's code).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
CORPUS = ROOT / "tests" / "data" / "doc_corpus"
SEEDS = Path(os.environ.get("SEEDS") or ROOT.parent / "shared" / "seeds")
SIZES = (1_000, 4_000, 10_000)
LONG_LINE_CHARS = 1_200_000


def sources() -> list[Path]:
    corpus = sorted([*CORPUS.glob("*.md"), *CORPUS.glob("*.txt")])
    seeds = sorted(SEEDS.glob("*.txt")) if SEEDS.is_dir() else []
    return corpus + seeds


def document_of_lines(texts: list[str], n: int) -> str:
    """The texts one after another, cycled, cut at ``n`` lines."""
    lines: list[str] = []
    k = 0
    while len(lines) < n:
        lines += texts[k % len(texts)].splitlines()
        k += 1
    return "\n".join(lines[:n]) + "\n"


def long_line(texts: list[str], chars: int) -> str:
    """All the text on one line (lines joined by a space), repeated and cut at ``chars``."""
    one = " ".join(ln.strip() for t in texts for ln in t.splitlines() if ln.strip())
    return ((one + " ") * (chars // (len(one) + 1) + 1))[:chars]


def documents() -> list[tuple[str, str]]:
    """(name, text) of every benchmark document."""
    paths = sources()
    texts = [p.read_text(encoding="utf-8-sig") for p in paths]
    docs = [(p.name, t) for p, t in zip(paths, texts, strict=True)]
    docs += [(f"{n:,} lines", document_of_lines(texts, n)) for n in SIZES]
    docs.append((f"one line of {LONG_LINE_CHARS / 1e6:.1f} MB", long_line(texts, LONG_LINE_CHARS) + "\n"))
    return docs


def time_audit(text: str, catalog, runs: int) -> tuple[float, float, int]:  # type: ignore[no-untyped-def]
    """(median s, max s, findings) of ``audit_document`` on ``text``."""
    from tierplan.audit.doc import audit_document

    times = []
    findings = 0
    for _ in range(runs):
        t0 = time.perf_counter()
        a = audit_document(text, "bench.md", catalog)
        times.append(time.perf_counter() - t0)
        findings = len(a.findings)
    return statistics.median(times), max(times), findings


def time_cli(path: Path) -> tuple[float, int]:
    """(wall s, exit code) of one whole ``tierplan audit --doc PATH --format json`` process."""
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    script = Path(sys.executable).parent / "tierplan"
    cmd = (
        [str(script)] if script.exists() else [sys.executable, "-c", "from tierplan.cli import main; main()"]
    )
    t0 = time.perf_counter()
    r = subprocess.run([*cmd, "audit", "--doc", str(path), "--format", "json"], capture_output=True, env=env)
    return time.perf_counter() - t0, r.returncode


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="one run per document, not 3")
    ap.add_argument("--keep", type=Path, help="write the built documents to this directory")
    ap.add_argument("--only", help="only the documents whose name contains this")
    args = ap.parse_args()
    runs = 1 if args.quick else 3

    from tierplan.catalog import load_catalog

    catalog = load_catalog()
    docs = [(n, t) for n, t in documents() if not args.only or args.only in n]
    print(f"## audit --doc, audit_document only (median of {runs} runs)\n")
    print("| document | lines | KB | median s | max s | ms per 1,000 lines | findings |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, text in docs:
        n_lines = text.count("\n")
        med, worst, found = time_audit(text, catalog, runs)
        print(
            f"| {name} | {n_lines:,} | {len(text.encode()) / 1024:,.0f} | {med:.2f} | {worst:.2f} "
            f"| {med * 1000 / max(n_lines, 1) * 1000:,.0f} | {found} |",
            flush=True,
        )
    out = args.keep or Path(tempfile.mkdtemp(prefix="tierplan-doc-bench-"))
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in docs:
        p = out / (
            name.replace(" ", "-").replace(",", "") + ("" if name.endswith((".md", ".txt")) else ".md")
        )
        p.write_text(text, encoding="utf-8")
        written.append((name, p))
    big = [(n, p) for n, p in written if n == f"{SIZES[-1]:,} lines"]
    if big:
        name, path = big[0]
        wall, code = time_cli(path)
        print(
            f"\n## the CLI end to end, one process\n\n`tierplan audit --doc {name} --format json`: "
            f"{wall:.2f} s (exit {code})"
        )
    if args.keep:
        print(f"\ndocuments written to {out}")


if __name__ == "__main__":
    main()
