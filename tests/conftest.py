"""Shared fixtures: small inline catalogs and profiles built from dicts (no big shared fixtures)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import yaml

from tierplan.assumptions import load_assumptions
from tierplan.catalog.loader import Catalog
from tierplan.catalog.models import Provider
from tierplan.engine.planner import Planner
from tierplan.profile import parse_profile

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
TEST_CATALOG = Path(__file__).parent / "data" / "catalog"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens", action="store_true", help="rewrite golden files instead of comparing"
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def make_catalog(*providers: dict[str, Any]) -> Catalog:
    """A catalog from provider dicts (the same shape as a YAML file)."""
    provs = {}
    for p in providers:
        data = {
            "source": "https://example.com/pricing",
            "as_of": "2026-11-01",
            "homepage": "https://example.com",
            **p,
        }
        data.setdefault("name", data["provider"].title())
        prov = Provider.model_validate(data)
        provs[prov.provider] = prov
    return Catalog(provs)


def make_profile(**over: Any) -> Any:
    base: dict[str, Any] = {
        "name": "Test app",
        "commercial": True,
        "audience": {"countries": ["SG"]},
        "scale": {"stages": [10, 100]},
        "activity": {"requests_per_user_day": 100, "active_hours_per_day": 10, "peak_factor": 2},
        "components": {"api": {"kind": "web_service", "runtime": "go", "memory_mb": 100}},
    }
    for k, v in over.items():
        base[k] = v
    return parse_profile(base)


def make_planner(profile: Any, catalog: Catalog) -> Planner:
    a = load_assumptions().with_overrides(profile.assumptions)
    return Planner(profile, catalog, a)


def write_yaml(path: Path, data: Any) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(autouse=True)
def _reproducible_date(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18
    os.environ.setdefault("COLUMNS", "120")


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Tests never touch the user's ~/.cache: the catalog cache goes to a session directory."""
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))


#: The capacity model the plan-semantics tests were written against (before issue 11): Postgres a
#: fixed 160 MB whatever its data, daily caps met on an average day, no realtime pub/sub on Redis,
#: Redis connections not counted per running instance.
#: Tests of a planning *rule* (merging forced moves, the last phase lasting, voluntary moves) pin
#: it, so that the scenario they check stays the one they describe when the capacity model changes.
PINNED_CAPACITY: dict[str, float] = {
    "limits.busy_day_factor": 1.0,
    "postgres.base_memory_mb": 160.0,
    "postgres.memory_mb_per_connection": 0.0,
    "postgres.hot_data_fraction": 0.0,
    # realtime messages published on the profile's Redis (pub/sub adapter): none
    "realtime.pubsub_commands_per_message": 0.0,
    "realtime.pubsub_connections_per_instance": 0.0,
    # Redis connections were not counted per running instance (a pool of 0 turns the count off)
    "redis.pool_size_per_process": 0.0,
}


def pinned_example(name: str, directory: Path, **extra: float) -> Path:
    """examples/NAME.yaml with PINNED_CAPACITY (and ``extra``) as assumption overrides, written to
    ``directory``."""
    data = yaml.safe_load((EXAMPLES / f"{name}.yaml").read_text())
    data["assumptions"] = {**(data.get("assumptions") or {}), **PINNED_CAPACITY, **extra}
    path = directory / f"{name}.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


_NETWORK_FACT = {"source": "https://example.com/network", "as_of": "2026-01-01"}
_SG = {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}


def allow_list_catalog(ip: dict[str, Any] | None, hosts: tuple[str, ...] = ("web_service",)) -> Any:
    """Provider one: app hosting $5, Postgres $1 admitting outside callers by IP allow list only.
    Provider two: app hosting $2 (static egress IP ``ip``), Postgres $4.50 (credentials). Both
    providers host the component kinds ``hosts``."""
    two_app: dict[str, Any] = {
        "id": "app",
        "name": "App",
        "hosts": list(hosts),
        "plans": [{"id": "vm", "name": "VM", "base_usd_month": 2}],
    }
    if ip is not None:
        two_app["static_egress_ip"] = {**ip, **_NETWORK_FACT}
    return make_catalog(
        {
            "provider": "one",
            "regions": [_SG],
            "services": [
                {
                    "id": "app",
                    "name": "App",
                    "hosts": list(hosts),
                    "plans": [{"id": "vm", "name": "VM", "base_usd_month": 5}],
                },
                {
                    "id": "db",
                    "name": "DB",
                    "hosts": ["postgres"],
                    "network_access": {"from_other_hosts": "ip_allow_list", **_NETWORK_FACT},
                    "plans": [{"id": "pg", "name": "PG", "base_usd_month": 1}],
                },
            ],
        },
        {
            "provider": "two",
            "regions": [_SG],
            "services": [
                two_app,
                {
                    "id": "db",
                    "name": "DB",
                    "hosts": ["postgres"],
                    "plans": [{"id": "pg", "name": "PG", "base_usd_month": 4.5}],
                },
            ],
        },
    )
