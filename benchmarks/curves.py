"""How `tierplan plan` grows with the work: stages (10 to 10,000) and components (5 to 200).

    .venv/bin/python benchmarks/curves.py                      # both curves, the default points
    .venv/bin/python benchmarks/curves.py --stages 10 100 1000 --components 5 30 100

Each point writes a generated valid profile (benchmarks/profiles.py) to a temporary directory and
runs the installed console script once as a subprocess (`tierplan plan P --format json`), as a user
would: wall time and peak RSS of the whole process (GNU time), the phases it printed. The catalog
cache is warmed first and the document cache (doc_cache.py) is emptied before every point, so each
point measures planning, not the one-time catalog validation nor a cached answer.
Results are recorded in docs/performance.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from profiles import components_profile, stages_profile  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
TIERPLAN = str(Path(sys.executable).parent / "tierplan")
STAGES = [10, 100, 1000, 5000, 10000]
CACHE = Path("/tmp/tierplan-bench-cache")
ENV = {**os.environ, "XDG_CACHE_HOME": str(CACHE)}
ENV.pop("TIERPLAN_NO_CACHE", None)
COMPONENTS = [5, 30, 60, 100, 200]


def run(profile: dict, timeout: float) -> tuple[float, float, int | str]:
    """(wall s, peak RSS MB, phases or why it failed) of one whole `tierplan plan` process."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "app.yaml"
        path.write_text(yaml.safe_dump(profile, sort_keys=False))
        stats = Path(tmp) / "time.txt"
        cmd = ["/usr/bin/time", "-f", "%e %M", "-o", str(stats), TIERPLAN, "plan", str(path), "--format", "json"]
        shutil.rmtree(CACHE / "tierplan" / "docs", ignore_errors=True)
        try:
            r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, check=False, env=ENV)
        except subprocess.TimeoutExpired:
            return timeout, float("nan"), f"over {timeout:.0f} s"
        wall, rss_kb = stats.read_text().split()[-2:]
        phases: int | str = len(json.loads(r.stdout)["phases"]) if r.returncode == 0 else f"exit {r.returncode}"
        return float(wall), int(rss_kb) / 1024, phases


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--stages", type=int, nargs="*", default=STAGES)
    ap.add_argument("--components", type=int, nargs="*", default=COMPONENTS)
    ap.add_argument("--timeout", type=float, default=600)
    a = ap.parse_args()
    subprocess.run([TIERPLAN, "catalog", "check"], capture_output=True, check=False, env=ENV)  # the catalog cache
    print("| stages | wall s | peak RSS MB | phases |\n|---:|---:|---:|---:|", flush=True)
    for n in a.stages:
        wall, rss, ph = run(stages_profile(n), a.timeout)
        print(f"| {n:,} | {wall:.2f} | {rss:.0f} | {ph} |", flush=True)
    print("\n| components | wall s | peak RSS MB | phases |\n|---:|---:|---:|---:|", flush=True)
    for n in a.components:
        wall, rss, ph = run(components_profile(n), a.timeout)
        print(f"| {n} | {wall:.2f} | {rss:.0f} | {ph} |", flush=True)


if __name__ == "__main__":
    main()
