"""`tierplan gen`: deploy files for every phase of every example, checked by the real validators,
cross-checked against the plan they came from, and pinned by golden files.

Regenerate the golden files after an intended change with:
    .venv/bin/pytest tests/test_gen.py --update-goldens
and review the diff in git.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierplan.api import make_planner, plan
from tierplan.engine.plan import plan as make_plan
from tierplan.engine.planner import Planner
from tierplan.gen import generate, write_files
from tierplan.gen.deploy import Deploy
from tierplan.gen.files import fly_vm
from tierplan.gen.schemas import check_fly_toml, check_railway_json, check_render_yaml, check_vercel_json

from .conftest import EXAMPLES
from .test_cli import run as run_cli
from .validators import run, validate, wrangler_dir

NAMES = ["amebo", "coop-erp", "paircam", "suoops"]
GOLDEN = Path(__file__).parent / "golden" / "gen"


@cache
def _planner(name: str) -> Planner:
    return make_planner(EXAMPLES / f"{name}.yaml")


@cache
def _plan(name: str) -> dict[str, Any]:
    return plan(EXAMPLES / f"{name}.yaml")


@cache
def _generated(name: str) -> list[tuple[int, Deploy, dict[str, str]]]:
    planner = _planner(name)
    out = []
    for k in range(1, len(_plan(name)["phases"]) + 1):
        dep, files = generate(planner, make_plan(planner), phase=k)
        out.append((k, dep, files))
    return out


def _unique_files(tmp: Path, names: list[str]) -> list[tuple[Path, Path]]:
    """Every distinct generated file of these examples written once: (file, its tree's root)."""
    seen: set[str] = set()
    out = []
    for name in names:
        for k, _dep, files in _generated(name):
            root = tmp / name / f"phase-{k}"
            write_files(files, root)
            for rel, text in files.items():
                h = hashlib.sha256((rel + "\0" + text).encode()).hexdigest()
                if h not in seen:
                    seen.add(h)
                    out.append((root / rel, root))
    return out


# --------------------------------------------------------------------------- real validators
@pytest.mark.parametrize("name", NAMES)
def test_every_phase_passes_the_real_validators(name: str, tmp_path: Path) -> None:
    failures = []
    count = 0
    for path, root in _unique_files(tmp_path, [name]):
        for tool_name, r in validate(path, root):
            count += 1
            if r.returncode != 0:
                failures.append(f"{path.relative_to(tmp_path)}: {tool_name}: {r.stdout}{r.stderr}")
    assert count > 0
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("name", NAMES)
def test_platform_files_pass_the_project_schemas(name: str) -> None:
    planner = _planner(name)
    checks = {
        "fly": check_fly_toml,
        "render.yaml": check_render_yaml,
        "railway": check_railway_json,
        "vercel.json": check_vercel_json,
    }
    seen = 0
    for k, _dep, files in _generated(name):
        for rel, text in files.items():
            key = next((c for c in checks if rel.startswith(c)), None)
            if key is None:
                continue
            seen += 1
            assert checks[key](text, planner.catalog) == [], f"phase {k} {rel}"
    assert seen > 0


def test_wrangler_builds_every_generated_worker(tmp_path: Path) -> None:
    """`wrangler deploy --dry-run` on each Worker config, with a minimal Worker exporting the
    Durable Object classes the config binds."""
    mod = wrangler_dir()
    tried = 0
    for path, _root in _unique_files(tmp_path, NAMES):
        if path.name != "wrangler.toml" or "pages_build_output_dir" in path.read_text():
            continue
        doc = tomllib.loads(path.read_text())
        classes = [b["class_name"] for b in doc.get("durable_objects", {}).get("bindings", [])]
        src = path.parent / doc["main"]
        src.parent.mkdir(parents=True, exist_ok=True)
        ret = "" if src.suffix == ".js" else ": Promise<Response>"  # OpenNext's entry is JavaScript
        src.write_text(
            "".join(
                f"export class {c} {{ async fetch(){ret} {{ return new Response('ok'); }} }}\n"
                for c in classes
            )
            + f"export default {{ async fetch(){ret} {{ return new Response('ok'); }} }};\n"
        )
        if "assets" in doc:  # the static files a build would leave there
            (path.parent / doc["assets"]["directory"]).mkdir(parents=True, exist_ok=True)
            (path.parent / doc["assets"]["directory"] / "index.html").write_text("<p>ok</p>\n")
        r = run(
            [
                "node",
                str(mod / "bin" / "wrangler.js"),
                "deploy",
                "--dry-run",
                "--outdir",
                str(tmp_path / "out"),
            ],
            cwd=path.parent,
            env={"WRANGLER_SEND_METRICS": "false", "WRANGLER_LOG_PATH": str(tmp_path / "wl"), "CI": "true"},
        )
        assert r.returncode == 0, f"{path}: {r.stdout}{r.stderr}"
        for c in classes:
            assert c in r.stdout
        tried += 1
    assert tried > 0


@pytest.mark.parametrize("name", NAMES)
def test_env_example_has_no_secret_looking_values(name: str) -> None:
    secretish = re.compile(
        r"(sk_live|sk_test|AKIA[0-9A-Z]{16}|ghp_|xox[bp]-|[A-Fa-f0-9]{32,}|[A-Za-z0-9+/]{40,}={0,2})"
    )
    for k, _dep, files in _generated(name):
        for line in files[".env.example"].splitlines():
            if line.startswith("#") or "=" not in line:
                continue
            value = line.split("=", 1)[1]
            assert not secretish.search(value), f"phase {k}: {line}"


# --------------------------------------------------------------------------- agreement with the plan
def _fly_apps(files: dict[str, str]) -> list[dict[str, Any]]:
    return [tomllib.loads(t) for rel, t in files.items() if re.fullmatch(r"fly(\.[a-z0-9-]+)?\.toml", rel)]


def _proc(item: dict[str, Any]) -> str:
    return {"web_service": "web", "realtime": "realtime"}.get(item["kind"], item["component"])


@pytest.mark.parametrize("name", NAMES)
def test_files_agree_with_the_phase_they_came_from(name: str) -> None:
    doc = _plan(name)
    req = _planner(name).profile.requirements
    for (k, _dep, files), ph in zip(_generated(name), doc["phases"], strict=True):
        items = {it["component"]: it for it in ph["stack"]}
        env_names = {
            line.split("=", 1)[0]
            for line in files[".env.example"].splitlines()
            if line and not line.startswith("#")
        }
        apps = _fly_apps(files)
        deploy_yml = files.get(".github/workflows/deploy.yml", "")
        zero_dt = req.zero_downtime_from is not None and ph["from"] >= req.zero_downtime_from
        ha = req.high_availability_from is not None and ph["from"] >= req.high_availability_from
        for comp, it in items.items():
            where = f"{name} phase {k} {comp}"
            if it["provider"] == "fly" and it["kind"] in ("web_service", "worker", "realtime"):
                app = next(a for a in apps if _proc(it) in a["processes"])
                assert app["primary_region"] == it["region"], where
                vm = next(v for v in app["vm"] if _proc(it) in v["processes"])
                assert (vm["size"], vm["memory"]) == fly_vm(it["size"], None), where
                assert f"flyctl scale count {it['quantity']} --process-group {_proc(it)}" in deploy_yml, where
                http = app.get("http_service")
                if http and _proc(it) in http["processes"]:
                    if ha:
                        assert http["min_machines_running"] >= 2, where
                    elif zero_dt:
                        assert http["min_machines_running"] >= 1, where
                    if http["min_machines_running"] == 0:
                        assert http["auto_stop_machines"] == "stop", where
            if it["provider"] == "railway" and it["kind"] in ("web_service", "worker"):
                cfgs = {rel: json.loads(t) for rel, t in files.items() if rel.startswith("railway")}
                cfg = cfgs.get("railway.json") or cfgs[f"railway.{comp}.json"]
                regions = cfg["deploy"]["multiRegionConfig"]
                assert list(regions) and next(iter(regions)).startswith(it["region"]), where
                assert next(iter(regions.values()))["numReplicas"] == it["quantity"], where
            if it["provider"] == "render" and it["kind"] == "postgres":
                db = yaml.safe_load(files["render.yaml"])["databases"][0]
                assert (db["plan"], db["region"]) == (it["plan"], it["region"]), where
            if it["kind"] == "postgres":
                assert "DATABASE_URL" in env_names, where
                if it["provider"] == "neon":
                    assert "sslmode=require" in files[".env.example"], where
            if it["kind"] == "redis":
                assert any(n.endswith("REDIS_URL") for n in env_names), where
            if it["kind"] == "object_storage":
                assert {
                    "S3_ENDPOINT",
                    "S3_BUCKET",
                    "S3_ACCESS_KEY_ID",
                    "S3_SECRET_ACCESS_KEY",
                } <= env_names, where
            if it["kind"] == "turn":
                assert any(n.startswith("TURN_") for n in env_names), where
        # every usage limit the phase watches has an alert at the plan's threshold
        rules = yaml.safe_load(files.get("monitoring/alerts.yml", "groups: [{rules: []}]"))["groups"][0][
            "rules"
        ]
        by_name = {r["alert"]: r for r in rules}
        for w in ph["watch"]:
            if w["threshold"] == w["limit"]:
                continue  # a configured count (monitors, seats): no live alert
            matching = [
                r
                for r in by_name.values()
                if r["labels"]["component"] == w["component"]
                and f"watches {w['metric']} " in r["annotations"]["description"]
            ]
            assert matching, f"{name} phase {k}: no alert for {w['component']} {w['metric']}"
            expr = matching[0]["expr"]
            if w["metric"] not in ("cpu_sustained_fraction", "cpu_peak_fraction"):
                assert float(expr.rsplit(">", 1)[1]) == pytest.approx(w["threshold"], rel=1e-5), expr


# --------------------------------------------------------------------------- golden files
@pytest.mark.parametrize("name", NAMES)
def test_golden_files(name: str, update_goldens: bool) -> None:
    base = GOLDEN / name
    if update_goldens and base.exists():
        shutil.rmtree(base)
    problems = []
    for k, _dep, files in _generated(name):
        root = base / f"phase-{k}"
        if update_goldens:
            write_files(files, root)
            continue
        want = {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()
        if want != set(files):
            problems.append(f"phase {k}: files {sorted(set(files) ^ want)} differ from the golden set")
        for rel, text in files.items():
            if rel in want and (root / rel).read_text() != text:
                problems.append(f"phase {k}: {rel} differs from its golden file")
    assert not problems, "\n".join(problems) + "\n(rerun with --update-goldens if intended)"


# --------------------------------------------------------------------------- CLI
def test_cli_writes_files_and_refuses_to_overwrite(tmp_path: Path) -> None:
    out = tmp_path / "deploy"
    r = run_cli("gen", EXAMPLES / "suoops.yaml", "--phase", "1", "-o", out)
    assert r.returncode == 0, r.stderr
    assert (out / "Dockerfile").exists() and (out / ".env.example").exists()
    before = (out / "Dockerfile").read_text()
    (out / "Dockerfile").write_text("# mine\n")
    r = run_cli("gen", EXAMPLES / "suoops.yaml", "--phase", "1", "-o", out)
    assert r.returncode == 2
    assert "already exist" in r.stderr and "--force" in r.stderr and "Traceback" not in r.stderr
    assert (out / "Dockerfile").read_text() == "# mine\n"
    r = run_cli("gen", EXAMPLES / "suoops.yaml", "--phase", "1", "-o", out, "--force")
    assert r.returncode == 0, r.stderr
    assert (out / "Dockerfile").read_text() == before


def test_cli_rejects_a_phase_out_of_range_and_both_selectors(tmp_path: Path) -> None:
    r = run_cli("gen", EXAMPLES / "suoops.yaml", "--phase", "9", "-o", tmp_path)
    assert r.returncode == 2 and "--phase 9" in r.stderr and "suoops.yaml" in r.stderr
    assert "Traceback" not in r.stderr
    r = run_cli("gen", EXAMPLES / "suoops.yaml", "--phase", "1", "--at", "100", "-o", tmp_path)
    assert r.returncode == 2 and "either --phase or --at" in r.stderr
    assert not any(tmp_path.iterdir())


def test_cli_at_a_scale(tmp_path: Path) -> None:
    r = run_cli("gen", EXAMPLES / "coop-erp.yaml", "--at", "120", "-o", tmp_path)
    assert r.returncode == 0, r.stderr
    fly = tomllib.loads((tmp_path / "fly.toml").read_text())
    assert fly["primary_region"] == "sin"


@pytest.mark.parametrize("name", NAMES)
def test_no_store_is_opened_to_the_internet(name: str) -> None:
    """Every generated render.yaml keeps its stores' IP allow lists empty (Render's private network
    only): never 0.0.0.0/0. When callers run on other hosts, DEPLOY.md says how to add their
    static egress IPs."""
    for _k, dep, files in _generated(name):
        text = files.get("render.yaml")
        if text is None:
            continue
        doc = yaml.safe_load(text)
        stores = list(doc.get("databases") or []) + [
            s for s in doc.get("services") or [] if s.get("type") == "keyvalue"
        ]
        assert "0.0.0.0/0" not in text
        for st in stores:
            assert st.get("ipAllowList") == [], st["name"]
        outside = [s for s in dep.services if s.provider != "render"]
        render_stores = [st for st in dep.stores if st.provider == "render"]
        if outside and render_stores:
            assert "static egress IP" in files["DEPLOY.md"]


def test_a_server_rendered_nextjs_frontend_on_cloudflare_is_an_opennext_worker(tmp_path: Path) -> None:
    """Cloudflare runs a server-rendered Next.js app as a Worker (OpenNext: main .open-next/worker.js,
    assets .open-next/assets, nodejs_compat, a compatibility date from 2024-09-23), not on Pages
    with `dist`; the CI job builds it with OpenNext and deploys it as a Worker."""
    data = yaml.safe_load((EXAMPLES / "coop-erp.yaml").read_text())
    fe = next(n for n, c in data["components"].items() if c["kind"] == "web_frontend")
    data["components"][fe].update({"framework": "nextjs", "rendering": "ssr", "providers": ["cloudflare"]})
    data["commercial"] = True
    prof = tmp_path / "app.yaml"
    prof.write_text(yaml.safe_dump(data, sort_keys=False))
    out = tmp_path / "deploy"
    r = run_cli("gen", prof, "-o", out)
    assert r.returncode == 0, r.stderr
    (cfg,) = [p for p in out.rglob("wrangler.toml") if fe in str(p.parent.name) or p.parent.name == fe]
    doc = tomllib.loads(cfg.read_text())
    assert doc["main"] == ".open-next/worker.js" and "pages_build_output_dir" not in doc
    assert doc["assets"] == {"directory": ".open-next/assets", "binding": "ASSETS"}
    assert "nodejs_compat" in doc["compatibility_flags"] and doc["compatibility_date"] >= "2024-09-23"
    ci = next(out.rglob("deploy.yml")).read_text()
    assert "npx opennextjs-cloudflare build" in ci and "pages deploy" not in ci
    problems = validate(cfg, out)
    assert not [name for name, res in problems if res.returncode != 0], problems
