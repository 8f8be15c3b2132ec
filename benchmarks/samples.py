"""How long `tierplan plan --samples N` takes (issue 13, "--samples 1000 on every example finishes
in a few seconds"). Recorded in docs/performance.md.

    .venv/bin/python benchmarks/samples.py               # every example, 1,000 samples
    .venv/bin/python benchmarks/samples.py --samples 200 --ranges

For each example: the plan once (not timed here: benchmarks/run.py times it), then
``sample_plan`` with N samples, seed 1, timed (median of --runs) in one process and on every CPU
(worker processes). ``--ranges`` also gives each example the seed-derived ranges below, so every
draw is a new profile (the bundled examples other than amebo have no ranges: their draws are all
the point profile, priced once). Last, one whole process of the CLI without the document cache:
`tierplan plan EXAMPLE --format json`, then the same with `--samples N` (planning included).
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
EXAMPLES = ("coop-erp", "amebo", "suoops", "paircam")

#: ranges written into an example for --ranges: (text in the profile, its replacement)
RANGES = {
    "coop-erp": [
        ("requests_per_user_day: 500", "requests_per_user_day: {low: 250, likely: 500, high: 1000}"),
        ("growth_mb_per_unit_month: 1", "growth_mb_per_unit_month: {low: 0.5, likely: 1, high: 3}"),
    ],
    "amebo": [],  # carries the seed's ranges already
    "suoops": [
        ("requests_per_user_day: 60", "requests_per_user_day: {low: 30, likely: 60, high: 120}"),
        ("service_per_user_month: 180", "service_per_user_month: {low: 90, likely: 180, high: 360}"),
    ],
    "paircam": [("relay_fraction: 0.15", "relay_fraction: {low: 0.1, likely: 0.15, high: 0.3}")],
}


def profile_for(name: str, ranges: bool, tmp: Path) -> Path:
    src = ROOT / "examples" / f"{name}.yaml"
    if not ranges:
        return src
    text = src.read_text()
    for old, new in RANGES[name]:
        text = text.replace(old, new, 1)
    out = tmp / f"{name}.yaml"
    out.write_text(text)
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--samples", type=int, default=1000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--ranges", action="store_true")
    args = ap.parse_args()
    from tierplan.api import make_planner
    from tierplan.engine.plan import plan
    from tierplan.uncertainty import available_cpus, sample_plan

    cpus = available_cpus()
    tierplan = str(Path(sys.executable).parent / "tierplan")

    def cli_seconds(*argv: str) -> float:
        t = time.perf_counter()
        r = subprocess.run([tierplan, *argv], capture_output=True, env={**os.environ, "TIERPLAN_NO_CACHE": "1"})
        assert r.returncode == 0, r.stderr.decode()
        return time.perf_counter() - t

    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        print(f"{cpus} CPUs; sampling: median of {args.runs} runs of sample_plan; CLI: one process each")
        print(
            f"{'example':10} {'ranges':>6} {'samples':>8} {'s, 1 proc':>10} {'ms/draw':>8} "
            f"{f's, {cpus} procs':>11} {'CLI plan s':>11} {'CLI --samples s':>16}"
        )
        for name in EXAMPLES:
            path = profile_for(name, args.ranges, tmp)
            planner = make_planner(path)
            the_plan = plan(planner)
            med = {}
            for jobs in (1, cpus):
                times = []
                for _ in range(args.runs):
                    t = time.perf_counter()
                    sample_plan(planner, the_plan, args.samples, 1, jobs=jobs)
                    times.append(time.perf_counter() - t)
                med[jobs] = statistics.median(times)
            plan_only = cli_seconds("plan", str(path), "--format", "json")
            with_samples = cli_seconds("plan", str(path), "--samples", str(args.samples), "--format", "json")
            n = len(planner.profile.ranges)
            print(
                f"{name:10} {n:>6} {args.samples:>8} {med[1]:>10.2f} {1000 * med[1] / args.samples:>8.2f} "
                f"{med[cpus]:>11.2f} {plan_only:>11.2f} {with_samples:>16.2f}"
            )


if __name__ == "__main__":
    main()
