"""`tierplan gen` for every runtime the profile accepts: each gets a multi-stage Dockerfile with a
numeric non-root user, the profile's port and health check, that passes hadolint with warnings
failing; every other generated file passes its real validator too (tests/validators.py).

Files come from the real CLI on a small profile (a web service and a worker of the runtime, a
PostgreSQL and a Redis broker) planned on the test catalog. One Dockerfile per runtime is pinned
under tests/golden/gen/runtimes/<runtime>/Dockerfile; regenerate after an intended change with:
    .venv/bin/pytest tests/test_gen_runtimes.py --update-goldens
"""

from __future__ import annotations

import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from tierplan.gen.runtimes import framework_of
from tierplan.profile import RUNTIMES

from .conftest import TEST_CATALOG, write_yaml
from .test_cli import run as run_cli
from .validators import run, tool, validate

GOLDEN = Path(__file__).parent / "golden" / "gen" / "runtimes"
PORT = 4100
HEALTH = "/healthz"

#: (runtime, framework) pairs beyond each runtime's default: every convention the images follow
VARIANTS = [
    ("python", "django"),
    ("python", "flask"),
    ("typescript", "nestjs"),
    ("dotnet", "aspnetcore"),
    ("java", "quarkus"),
    ("java", "micronaut"),
    ("java", "dropwizard"),
    ("ruby", "sinatra"),
    ("php", "symfony"),
    ("php", "slim"),
    ("rust", "axum"),
    ("elixir", "plug"),
]


def _profile(
    runtime: str, framework: str | None = None, stores: bool = True, web: bool = True
) -> dict[str, Any]:
    comps: dict[str, Any] = {}
    if web:
        comps["api"] = {
            "kind": "web_service",
            "runtime": runtime,
            "port": PORT,
            "health_path": HEALTH,
            "memory_mb": 200,
            **({"framework": framework} if framework else {}),
        }
    comps["jobs"] = {"kind": "worker", "runtime": runtime, "jobs_per_user_day": 2, "memory_mb": 200}
    if stores:
        comps["db"] = {"kind": "postgres", "storage_mb_per_unit": 2}
        comps["queue"] = {"kind": "redis", "use": "broker"}
    return {
        "name": f"Demo {runtime}",
        "commercial": True,
        "audience": {"countries": ["SG"]},
        "scale": {"stages": [50, 500]},
        "activity": {"requests_per_user_day": 40, "active_hours_per_day": 10, "peak_factor": 2},
        "components": comps,
    }


def _gen(tmp: Path, profile: dict[str, Any]) -> Path:
    """Write the profile, run `tierplan gen` on it, return the output directory."""
    tmp.mkdir(parents=True, exist_ok=True)
    path = write_yaml(tmp / "app.yaml", profile)
    out = tmp / "deploy"
    r = run_cli("gen", path, "-o", out, "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    return out


@cache
def _default(runtime: str, root: Path) -> Path:
    return _gen(root / runtime, _profile(runtime))


@pytest.fixture(scope="module")
def gen_root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("runtimes")


def _hadolint(dockerfile: Path) -> None:
    r = run([tool("hadolint"), "--no-color", "--failure-threshold", "warning", str(dockerfile)])
    assert r.returncode == 0, f"{dockerfile.name}:\n{r.stdout}{r.stderr}"


def _instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    out: list[tuple[str, str]] = []
    buf = ""
    for line in text.splitlines():
        if not buf and (not line.strip() or line.lstrip().startswith("#")):
            continue
        buf += line.rstrip("\\").strip() + " " if line.endswith("\\") else line.strip()
        if not line.endswith("\\"):
            word, _, rest = buf.partition(" ")
            out.append((word.upper(), rest.strip()))
            buf = ""
    return out


def _stages(text: str) -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for ins in _instructions(text):
        if ins[0] == "FROM":
            stages.append([])
        stages[-1].append(ins)
    return stages


# --------------------------------------------------------------------------- every runtime
@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_runtime_gets_a_dockerfile_that_passes_hadolint(runtime: str, gen_root: Path) -> None:
    _hadolint(_default(runtime, gen_root) / "Dockerfile")


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_final_stage_runs_as_numeric_non_root_on_the_profile_port(runtime: str, gen_root: Path) -> None:
    text = (_default(runtime, gen_root) / "Dockerfile").read_text()
    stages = _stages(text)
    assert len(stages) >= 2, "multi-stage"
    for st in stages:
        image = st[0][1].split()[0]
        assert ":" in image.rsplit("/", 1)[-1] and not image.endswith(":latest"), image
    final = dict((k, v) for k, v in stages[-1])  # the last of each instruction
    user = final.get("USER", "")
    assert re.fullmatch(r"[0-9]+(:[0-9]+)?", user) and int(user.split(":")[0]) > 0, user
    assert final.get("EXPOSE") == str(PORT)
    health = final.get("HEALTHCHECK", "")
    assert f"127.0.0.1:{PORT}{HEALTH}" in health and "CMD [" in health, health
    cmd = json.loads(final["CMD"])
    assert cmd and all(isinstance(c, str) for c in cmd)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_every_generated_file_passes_its_validator(runtime: str, gen_root: Path) -> None:
    root = _default(runtime, gen_root)
    failures, count = [], 0
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        for name, r in validate(path, root):
            count += 1
            if r.returncode != 0:
                failures.append(f"{path.relative_to(root)}: {name}: {r.stdout}{r.stderr}")
    assert count > 0
    assert not failures, "\n".join(failures)


@pytest.mark.parametrize("runtime", RUNTIMES)
def test_dockerfile_golden(runtime: str, gen_root: Path, update_goldens: bool) -> None:
    text = (_default(runtime, gen_root) / "Dockerfile").read_text()
    golden = GOLDEN / runtime / "Dockerfile"
    if update_goldens or not golden.exists():
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_text(text)
        if not update_goldens:
            pytest.fail(f"wrote missing golden {golden}")
    assert text == golden.read_text(), f"{golden} differs (rerun with --update-goldens if intended)"


# --------------------------------------------------------------------------- frameworks and shapes
@pytest.mark.parametrize(("runtime", "framework"), VARIANTS)
def test_framework_variants_pass_hadolint(runtime: str, framework: str, tmp_path: Path) -> None:
    out = _gen(tmp_path, _profile(runtime, framework))
    _hadolint(out / "Dockerfile")


@pytest.mark.parametrize("runtime", ["dotnet", "java", "ruby", "php", "rust", "elixir"])
def test_without_stores_and_worker_only_images_pass_hadolint(runtime: str, tmp_path: Path) -> None:
    bare = _gen(tmp_path / "bare", _profile(runtime, stores=False))
    _hadolint(bare / "Dockerfile")
    text = (bare / "Dockerfile").read_text()
    assert "apt-get" not in text and "pecl" not in text  # no PostgreSQL client, no Redis extension
    worker = _gen(tmp_path / "worker", _profile(runtime, web=False))
    _hadolint(worker / "Dockerfile")
    final = dict(_stages((worker / "Dockerfile").read_text())[-1])
    assert "EXPOSE" not in final and "HEALTHCHECK" not in final
    assert re.fullmatch(r"[1-9][0-9]*", final["USER"])


def test_framework_conventions_and_start_commands(gen_root: Path, tmp_path: Path) -> None:
    assert framework_of("ruby", None) == "rails" and framework_of("ruby", "Sinatra") == "rack"
    assert framework_of("php", None) == "laravel" and framework_of("php", "Symfony") == "symfony"
    assert framework_of("java", "Spring Boot") == "spring" and framework_of("java", "dropwizard") == "jar"
    assert framework_of("elixir", None) == "phoenix" and framework_of("elixir", "plug") == "mix"
    ruby = (_default("ruby", gen_root) / "Dockerfile").read_text()
    assert 'CMD ["bin/rails", "server", "-b", "0.0.0.0", "-p", "4100"]' in ruby
    assert "jobs runs: bundle exec sidekiq" in ruby  # the Redis is the broker
    assert "libpq5=" in ruby  # the stack has a PostgreSQL
    php = (_default("php", gen_root) / "Dockerfile").read_text()
    assert "Listen 4100" in php and "pdo_pgsql" in php and "pecl install redis-" in php
    assert "jobs runs: php artisan queue:work" in php
    elixir = (_default("elixir", gen_root) / "Dockerfile").read_text()
    assert "PHX_SERVER=true" in elixir and 'CMD ["/app/server", "start"]' in elixir
    dotnet = (_default("dotnet", gen_root) / "Dockerfile").read_text()
    assert "ASPNETCORE_HTTP_PORTS=4100" in dotnet
    # the variables each framework needs to boot, and the app's own build output kept out of images
    env = {r: (_default(r, gen_root) / ".env.example").read_text() for r in ("ruby", "php", "java", "elixir")}
    assert "\nSECRET_KEY_BASE=" in env["ruby"] and "\nSECRET_KEY_BASE=" in env["elixir"]
    assert "\nAPP_KEY=" in env["php"] and "\nJWT_SECRET=" in env["java"]
    assert "JWT_SECRET" not in env["ruby"]
    assert "\n_build\n" in (_default("elixir", gen_root) / ".dockerignore").read_text()
    compose = (_default("ruby", gen_root) / "docker-compose.yml").read_text()
    assert "bin/rails" in compose and "sidekiq" in compose
    # without a Redis broker, a Rails worker is Solid Queue's
    rails = _gen(tmp_path, _profile("ruby", "rails", stores=False))
    assert "jobs runs: bin/jobs" in (rails / "Dockerfile").read_text()
