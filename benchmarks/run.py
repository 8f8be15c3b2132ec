"""Benchmarks recorded in docs/performance.md.

    .venv/bin/python benchmarks/run.py            # all
    .venv/bin/python benchmarks/run.py --quick    # fewer repetitions
    .venv/bin/python benchmarks/run.py --examples-only --reinstall

1. `tierplan plan` on each example, whole process (start-up, catalog load, sweep, JSON report):
   median and max wall time of N runs, peak RSS, planned from scratch (the validated catalog
   cached) and on unchanged inputs (the document cache); then where a from-scratch run spends
   its time (imports, catalog, profile, plan, report, render). Measured on a regular install of
   the current tree in /tmp/tierplan-bench-venv (built on first use; --reinstall after code
   changes). benchmarks/curves.py: how the time grows with stages and components.
2. The optimizer against exhaustive search over whole stacks on a generated catalog ~10x the
   bundled one: same optimal cost, and how much faster.
3. The phase sweep against evaluating every unit of the range: same phases, and how much faster.
"""

from __future__ import annotations

import argparse
import itertools
import os
import random
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
BENCH_VENV = Path("/tmp/tierplan-bench-venv")


def installed_tierplan(reinstall: bool) -> str:
    """Users run a regular (non-editable) install with compiled bytecode: measure that."""
    exe = BENCH_VENV / "bin" / "tierplan"
    if reinstall or not exe.exists():
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(BENCH_VENV)], check=True)
        subprocess.run(
            [
                str(BENCH_VENV / "bin" / "pip"),
                "install",
                "-q",
                "-c",
                str(ROOT / "constraints.txt"),
                str(ROOT),
            ],
            check=True,
            capture_output=True,
        )
    return str(exe)


TIERPLAN = str(Path(sys.executable).parent / "tierplan")


BENCH_CACHE = Path("/tmp/tierplan-bench-cache")


def _timed_plan(example: Path) -> tuple[float, float, str]:
    """One whole `tierplan plan EXAMPLE --format json` process: (wall s, peak RSS MB, phases)."""
    import json

    env = {**os.environ, "XDG_CACHE_HOME": str(BENCH_CACHE)}
    env.pop("TIERPLAN_NO_CACHE", None)
    t0 = time.perf_counter()
    with open("/tmp/tierplan-bench.json", "w") as out:
        proc = subprocess.Popen([TIERPLAN, "plan", str(example), "--format", "json"], stdout=out, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    phases = (
        str(len(json.loads(Path("/tmp/tierplan-bench.json").read_text())["phases"]))
        if code == 0
        else f"exit {code}"
    )
    return wall, usage.ru_maxrss / 1024, phases


def bench_examples(runs: int) -> list[str]:
    """Each example planned from scratch (the validated catalog cached, no cached document: what a
    user editing the profile sees) and again on unchanged inputs (the document read back from the
    cache, doc_cache.py: what a CI job or a second look sees)."""
    rows = [
        "| example | phases | planned: median s | max s | peak RSS MB | unchanged inputs: median s | max s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    import shutil

    for ex in sorted((ROOT / "examples").glob("*.yaml")):
        cold: list[float] = []
        warm: list[float] = []
        rss = 0.0
        phases = "-"
        _timed_plan(ex)  # the catalog cache
        for _ in range(runs):
            shutil.rmtree(BENCH_CACHE / "tierplan" / "docs", ignore_errors=True)
            wall, mb, phases = _timed_plan(ex)
            cold.append(wall)
            rss = max(rss, mb)
            warm.append(_timed_plan(ex)[0])
        rows.append(
            f"| {ex.name} | {phases} | {statistics.median(cold):.2f} | {max(cold):.2f} | {rss:.0f} "
            f"| {statistics.median(warm):.2f} | {max(warm):.2f} |"
        )
    return rows


_STAGES = r"""
import sys, time, json, io
t = [time.perf_counter()]
import typer, pydantic, tierplan.cli
from tierplan.api import make_planner
from tierplan.engine.plan import plan
from tierplan.report.model import plan_report
from tierplan.catalog.loader import load_catalog
t.append(time.perf_counter())
cat = load_catalog()
t.append(time.perf_counter())
planner = make_planner(sys.argv[1], catalog=cat)
t.append(time.perf_counter())
p = plan(planner)
t.append(time.perf_counter())
doc = plan_report(planner, p)
t.append(time.perf_counter())
json.dumps(doc, indent=2, ensure_ascii=False)
t.append(time.perf_counter())
print(json.dumps([b - a for a, b in zip(t, t[1:])]))
"""


def bench_stages(runs: int) -> list[str]:
    """Where a from-scratch plan spends its time, per example (median of ``runs`` processes, in
    ms): imports (typer, pydantic, tierplan; numpy and highspy load with the planner), the cached
    catalog, the profile with its options and demand, the plan (sweep, solves, phases, events),
    the report model, the JSON text."""
    import json

    rows = [
        "| example | imports | catalog | profile, options | plan | report | render JSON |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    env = {**os.environ, "XDG_CACHE_HOME": str(BENCH_CACHE)}
    python = str(Path(TIERPLAN).parent / "python")
    for ex in sorted((ROOT / "examples").glob("*.yaml")):
        samples = []
        for _ in range(runs):
            r = subprocess.run([python, "-c", _STAGES, str(ex)], capture_output=True, text=True, env=env, check=True)
            samples.append(json.loads(r.stdout))
        med = [statistics.median(col) * 1000 for col in zip(*samples, strict=True)]
        rows.append(f"| {ex.name} | " + " | ".join(f"{x:.0f}" for x in med) + " |")
    return rows


def _big_catalog(seed: int, providers: int) -> list[dict]:  # type: ignore[type-arg]
    rnd = random.Random(seed)
    regions = [
        {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82},
        {"id": "jk", "city": "Jakarta", "country": "ID", "lat": -6.2, "lon": 106.8},
        {"id": "hk", "city": "Hong Kong", "country": "HK", "lat": 22.3, "lon": 114.2},
    ]
    kinds = {
        "web_service": ["egress_gb_per_month", "requests_per_month"],
        "postgres": ["storage_gb", "egress_gb_per_month"],
        "object_storage": ["storage_gb", "class_b_ops_per_month"],
        "redis": ["commands_per_month", "dataset_mb"],
    }
    provs = []
    for k in range(providers):
        services = []
        for si, (kind, metrics) in enumerate(kinds.items()):
            if rnd.random() < 0.4:
                continue
            plans = []
            for pi in range(rnd.randint(1, 4)):
                plan: dict = {
                    "id": f"p{pi}",
                    "name": f"P{pi}",
                    "base_usd_month": rnd.choice([0, 5, 10, 20, 25]),
                }  # type: ignore[type-arg]
                if kind in ("web_service", "postgres") and rnd.random() < 0.6:
                    plan["instances"] = {
                        "horizontal": kind == "web_service",
                        "sizes": [
                            {
                                "id": f"s{j}",
                                "vcpu": v,
                                "memory_mb": m,
                                "usd_per_hour": round(0.002 * v + 0.004 * m / 1024, 5),
                            }
                            for j, (v, m) in enumerate([(0.25, 256), (0.5, 512), (1, 1024), (2, 2048)])
                        ],
                    }
                plan["meters"] = [
                    {
                        "metric": m,
                        "unit": "u",
                        "tiers": [
                            {"up_to": rnd.choice([1, 10, 1000, 1e6]), "usd_per_unit": 0},
                            {"usd_per_unit": rnd.choice([0.001, 0.01, 0.1])},
                        ],
                    }
                    for m in metrics
                    if rnd.random() < 0.7
                ]
                if rnd.random() < 0.3:
                    plan["limits"] = [{"metric": metrics[0], "max": rnd.choice([1e3, 1e5, 1e7])}]
                plans.append(plan)
            services.append(
                {"id": f"svc{si}", "name": kind, "hosts": [kind], "regions": "all", "plans": plans}
            )
        if services:
            provs.append(
                {
                    "provider": f"prov{k}",
                    "regions": rnd.sample(regions, rnd.randint(1, 3)),
                    "services": services,
                }
            )
    return provs


def bench_optimizer(providers: int) -> list[str]:
    sys.path.insert(0, str(ROOT))
    from tests.conftest import make_catalog, make_planner

    from tierplan.pricing import evaluate
    from tierplan.profile import parse_profile

    cat = make_catalog(*_big_catalog(7, providers))
    prof = parse_profile(
        {
            "name": "bench",
            "commercial": True,
            "audience": {"countries": ["ID"]},
            "scale": {"stages": [100, 5000]},
            "activity": {"requests_per_user_day": 200, "active_hours_per_day": 10, "peak_factor": 3},
            "components": {
                "api": {"kind": "web_service", "runtime": "go"},
                "db": {"kind": "postgres", "storage_mb_per_unit": 10},
                "files": {"kind": "object_storage", "gb_per_unit": 0.1},
                "cache": {"kind": "redis"},
            },
        }
    )
    rows = [
        "| catalog | options per component | stacks | optimizer ms | exhaustive ms | same cost | speed-up |",
        "|---|---|---:|---:|---:|---|---:|",
    ]
    for units in (100, 5000):
        planner = make_planner(prof, cat)
        t0 = time.perf_counter()
        best = [planner.best(c, units) for c in prof.components]
        t_opt = time.perf_counter() - t0
        total = sum(b.monthly_usd for b in best if b)  # type: ignore[misc]
        fresh = make_planner(prof, cat)
        d = fresh.demand(units)
        ctx = fresh.context(units)
        t0 = time.perf_counter()
        per = []
        for c in prof.components:
            costs = []
            for o in fresh.options[c].options:
                ev = evaluate(o, d.components[c], ctx)
                if ev.feasible and ev.monthly_usd is not None:
                    costs.append(ev.monthly_usd)
            per.append(costs)
        best_total = min(sum(s) for s in itertools.product(*per))
        t_ex = time.perf_counter() - t0
        n_stacks = 1
        for x in per:
            n_stacks *= len(x)
        sizes = "/".join(str(len(fresh.options[c].options)) for c in prof.components)
        rows.append(
            f"| {len(cat.plans)} plans at {units:,} units | {sizes} | {n_stacks:,} | {t_opt * 1000:.1f} | {t_ex * 1000:.0f} | {'yes' if abs(best_total - total) < 1e-6 else 'NO'} | {t_ex / t_opt:,.0f}x |"
        )
    return rows


def bench_sweep() -> list[str]:
    from tierplan.api import make_planner
    from tierplan.engine.per_component import per_component_analysis as sweep

    rows = [
        "| example | range | sweep ms (evaluations) | every unit ms (evaluations) | same phases | speed-up |",
        "|---|---|---:|---:|---|---:|",
    ]
    for ex, hi_cap in (("coop-erp.yaml", None), ("amebo.yaml", 12000)):
        pl = make_planner(ROOT / "examples" / ex)
        lo = pl.profile.scale.first
        hi = hi_cap or pl.profile.scale.last
        t0 = time.perf_counter()
        sw = sweep(pl, lo, hi)
        t_sw = time.perf_counter() - t0
        ev_sw = pl.evaluations_done
        brute = make_planner(ROOT / "examples" / ex)
        t0 = time.perf_counter()
        keys = []
        for u in range(lo, hi + 1):
            keys.append(
                tuple(
                    brute.evaluations(c, u)
                    and min(
                        (e for e in brute.evaluations(c, u) if e.feasible and e.monthly_usd is not None),
                        key=lambda e: (round(e.monthly_usd, 9), e.option.order),
                    ).option.order
                    for c in brute.profile.components
                )
            )
        t_b = time.perf_counter() - t0
        starts = [lo] + [
            u for u, (a, b) in zip(range(lo + 1, hi + 1), itertools.pairwise(keys), strict=False) if a != b
        ]
        same = starts == [ph.start for ph in sw.phases]
        rows.append(
            f"| {ex} | {lo:,}-{hi:,} | {t_sw * 1000:.0f} ({ev_sw:,}) | {t_b * 1000:.0f} ({brute.evaluations_done:,}) | {'yes' if same else 'NO'} | {t_b / t_sw:,.0f}x |"
        )
    return rows


def _scaled_catalog(copies: int):  # type: ignore[no-untyped-def]
    """The bundled catalog replicated `copies` times (each copy a distinct provider, fees varied)."""
    from tierplan.catalog import load_catalog
    from tierplan.catalog.loader import Catalog

    base = load_catalog()
    provs = {}
    for k in range(copies):
        for pid, prov in base.providers.items():
            services = []
            for svc in prov.services:
                plans = []
                for pl in svc.plans:
                    fee = pl.base_usd_month
                    if isinstance(fee, float) and fee > 0:
                        fee = round(fee * (1 + 0.013 * k), 4)
                    plans.append(pl.model_copy(update={"base_usd_month": fee}))
                services.append(svc.model_copy(update={"plans": tuple(plans)}))
            new_id = pid if k == 0 else f"{pid}-{k}"
            provs[new_id] = prov.model_copy(update={"provider": new_id, "services": tuple(services)})
    return Catalog(provs)


def bench_whole_stack(sizes: tuple[int, ...] = (1, 2, 5, 10)) -> list[str]:
    """One whole-stack solve (build + MILP) for a 12-component profile, by catalog size."""
    from tierplan.assumptions import load_assumptions
    from tierplan.engine.planner import Planner
    from tierplan.engine.whole_stack import build_problem, solve
    from tierplan.profile import parse_profile

    prof = parse_profile(
        {
            "name": "twelve",
            "commercial": True,
            "audience": {"countries": {"DE": 0.5, "GB": 0.3, "NG": 0.2}},
            "scale": {"stages": [2000, 20000]},
            "activity": {"requests_per_user_day": 150, "active_hours_per_day": 12, "peak_factor": 3},
            "components": {
                "api": {"kind": "web_service", "runtime": "node"},
                "worker": {"kind": "worker", "runtime": "node", "jobs_per_user_day": 2},
                "db": {"kind": "postgres", "storage_mb_per_unit": 2, "growth_mb_per_unit_month": 0.5},
                "cache": {"kind": "redis", "dataset_mb": 50},
                "kv": {"kind": "kv", "reads_per_user_day": 20, "writes_per_user_day": 2},
                "files": {"kind": "object_storage", "gb_per_unit": 0.01, "downloads_per_user_day": 2},
                "web": {"kind": "web_frontend", "bandwidth_mb_per_user_month": 20},
                "realtime": {"kind": "realtime", "messages_per_user_day": 10},
                "queue": {"kind": "queue", "messages_per_user_day": 5},
                "email": {"kind": "email", "emails_per_user_month": 4},
                "uptime": {"kind": "uptime", "monitors": 3},
                "errors": {"kind": "error_tracking"},
            },
            "requirements": {"max_latency_ms": 120},
        }
    )
    rows = [
        "| catalog | plans | options | enumerate options ms | classes in the MILP | price classes ms | MILP ms | solve total ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for k in sizes:
        cat = _scaled_catalog(k)
        tp = time.perf_counter()
        planner = Planner(prof, cat, load_assumptions())
        t_opts = time.perf_counter() - tp
        n_opts = sum(len(co.options) for co in planner.options.values())
        t0 = time.perf_counter()
        prob = build_problem(planner, 20000)
        t1 = time.perf_counter()
        sol = solve(prob)
        t2 = time.perf_counter()
        assert sol.feasible
        n_cls = sum(len(c) for c in prob.columns.values())
        rows.append(
            f"| {k}x | {len(cat.plans):,} | {n_opts:,} | {t_opts * 1000:.0f} | {n_cls:,} | {(t1 - t0) * 1000:.0f} | {(t2 - t1) * 1000:.0f} | {(t2 - t0) * 1000:.0f} |"
        )
    return rows


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument(
        "--reinstall", action="store_true", help="rebuild the benchmark venv (after code changes)"
    )
    ap.add_argument(
        "--examples-only", action="store_true", help="only the whole-process times of the examples"
    )
    args = ap.parse_args()
    runs = 3 if args.quick else 7
    global TIERPLAN
    TIERPLAN = installed_tierplan(args.reinstall)
    print(f"## plan, whole process ({runs} runs each)\n")
    print("\n".join(bench_examples(runs)))
    print(f"\n## where a from-scratch plan spends its time, ms (median of {runs} runs)\n")
    print("\n".join(bench_stages(runs)))
    if args.examples_only:
        return
    print("\n## optimizer vs exhaustive search\n")
    print("\n".join(bench_optimizer(60)))
    print("\n## phase sweep vs every unit\n")
    print("\n".join(bench_sweep()))
    print("\n## whole-stack solve, 12 components, by catalog size\n")
    print("\n".join(bench_whole_stack()))


if __name__ == "__main__":
    main()
