"""The table of component kinds: one row per kind, and the lists it replaced as views of it."""

from __future__ import annotations

import typing

from tierplan import profile as prof_mod
from tierplan.assumptions import load_assumptions
from tierplan.catalog.models import COMPONENT_KINDS, Kind
from tierplan.engine.whole_stack import APP_EGRESS_KINDS, DATA_CALLEES
from tierplan.gen.deploy import CODE_KINDS as GEN_CODE_KINDS
from tierplan.kinds import KINDS, ComponentKind, kinds_where
from tierplan.runbook.model import CODE_KINDS, DATA_KINDS, WEB_KINDS


def _profile_kinds() -> list[str]:
    union = typing.get_args(prof_mod.Component)[0]
    return [typing.get_args(c.model_fields["kind"].annotation)[0] for c in typing.get_args(union)]


def test_every_kind_has_exactly_one_row() -> None:
    assert list(KINDS) == list(COMPONENT_KINDS)
    assert sorted(typing.get_args(Kind)) == sorted(KINDS)
    profile_kinds = _profile_kinds()
    assert len(profile_kinds) == len(set(profile_kinds)) == len(KINDS)
    assert set(profile_kinds) == set(KINDS)
    assert all(name == k.name and k.doc for name, k in KINDS.items())


def test_roles_agree_with_each_other() -> None:
    for k in KINDS.values():
        assert k.runs_code == (k.deploy_as == "service")
        assert k.deploys_code == (k.deploy_as in ("service", "frontend"))
        assert k.called_by_api == (k.database or k.cache)
        assert (k.store_env is not None) == (k.deploy_as == "store")
        assert not (k.database and k.cache)
        # a role of data stores only
        if k.stores_data or k.moves_stored_data or k.server_store or k.app_egress:
            assert k.deploy_as == "store"
        if k.serves_web or k.calls_stores:
            assert k.runs_code


def test_migration_hours_keys_are_the_assumptions() -> None:
    a = load_assumptions()
    for name, k in KINDS.items():
        own = f"migration.hours.{name}"
        assert k.migration_hours_key == (own if own in a else "migration.hours.default")
        assert k.migration_hours_key in a


#: every list of kinds the code had before kinds.py, as it was (where, what it selected)
OLD_LISTS: list[tuple[str, tuple[str, ...], typing.Callable[[ComponentKind], bool]]] = [
    # pricing.COMPUTE_KINDS; gen/deploy.py and runbook.py CODE_KINDS; options (serverless check),
    # risks (single instance), workload (Redis clients)
    ("runs code", ("web_service", "worker", "realtime"), lambda k: k.runs_code),
    # pricing: compute = COMPUTE_KINDS or web_frontend (zero-downtime deploys); runbook
    # CODE_KINDS + ("web_frontend",)
    ("deploys code", ("web_service", "worker", "realtime", "web_frontend"), lambda k: k.deploys_code),
    # runbook.WEB_KINDS
    ("serves web", ("web_service", "realtime"), lambda k: k.serves_web),
    # options.located_components, whole_stack.call_graph: kind != "web_service"
    ("calls stores", ("web_service",), lambda k: k.calls_stores),
    # pricing (failover, backups), moves (downtime), whole_stack.call_graph (db round trips)
    ("database", ("postgres", "sqlite"), lambda k: k.database),
    # whole_stack.call_graph (cache round trips), risks (in-memory only)
    ("cache", ("redis", "kv"), lambda k: k.cache),
    # pricing.DATA_KINDS (kept up under database failover), risks (no backups)
    ("server store", ("postgres", "sqlite", "redis"), lambda k: k.server_store),
    # options.DATA_KINDS (data residency)
    ("stores data", ("postgres", "sqlite", "redis", "kv", "object_storage"), lambda k: k.stores_data),
    # moves (storage_gb transferred on a move)
    ("moves stored data", ("postgres", "sqlite", "object_storage", "kv"), lambda k: k.moves_stored_data),
    # whole_stack.DATA_CALLEES, options.located_components (default callees)
    ("called by api", ("postgres", "sqlite", "redis", "kv"), lambda k: k.called_by_api),
    # whole_stack.APP_EGRESS_KINDS
    ("app egress", ("postgres", "redis"), lambda k: k.app_egress),
    # runbook.DATA_KINDS, gen/deploy._STORE_ENV keys
    (
        "deploy store",
        ("postgres", "sqlite", "redis", "kv", "object_storage", "queue"),
        lambda k: k.deploy_as == "store",
    ),
]


def test_old_lists_are_views_of_the_table() -> None:
    for what, old, role in OLD_LISTS:
        assert set(kinds_where(role)) == set(old), what
    # the names still defined in the code, in their old order
    assert GEN_CODE_KINDS == CODE_KINDS == ("web_service", "worker", "realtime")
    assert WEB_KINDS == ("web_service", "realtime")
    assert DATA_KINDS == ("postgres", "sqlite", "redis", "kv", "object_storage", "queue")
    assert DATA_CALLEES == ("postgres", "sqlite", "redis", "kv")
    assert APP_EGRESS_KINDS == ("postgres", "redis")
    assert {n: k.store_env for n, k in KINDS.items() if k.store_env} == {
        "postgres": "DATABASE_URL",
        "sqlite": "DATABASE_URL",
        "redis": "REDIS_URL",
        "kv": "KV_URL",
        "object_storage": "S3_ENDPOINT",
        "queue": "QUEUE_URL",
    }
