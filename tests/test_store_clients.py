"""Every component that runs code connects to its stores (options.store_client_graph): a worker on a
host without static egress IPs cannot reach a store that admits outside callers by IP allow list
only, any more than a web service can (engine/egress_ip.py, whole_stack.solve)."""

from __future__ import annotations

from typing import Any

import pytest

from tierplan.api import make_planner as make_example_planner
from tierplan.engine.egress_ip import LINE_NAME, allow_listing_stores
from tierplan.engine.plan import plan
from tierplan.engine.whole_stack import build_problem, call_graph, solve
from tierplan.options import located_components, store_client_graph
from tierplan.profile import parse_profile

from .conftest import EXAMPLES, allow_list_catalog, make_planner


def _catalog(ip: dict[str, Any] | None) -> Any:
    return allow_list_catalog(ip, ("web_service", "worker"))


def _profile() -> Any:
    """An API kept on provider one, a background worker and a Postgres anywhere."""
    return parse_profile(
        {
            "name": "t",
            "commercial": True,
            "audience": {"countries": ["SG"]},
            "scale": {"stages": [100, 200]},
            "activity": {"requests_per_user_day": 100, "active_hours_per_day": 24, "peak_factor": 1},
            "components": {
                "api": {"kind": "web_service", "runtime": "go", "memory_mb": 10, "providers": ["one"]},
                "jobs": {"kind": "worker", "runtime": "go", "memory_mb": 10},
                "db": {"kind": "postgres"},
            },
        }
    )


def _providers(sol: Any) -> dict[str, str]:
    return {c: col.klass.provider for c, col in sol.chosen.items()}


def test_the_store_clients_graph_has_the_worker_and_the_call_graph_does_not() -> None:
    p = _profile()
    assert store_client_graph(p) == {"api": ["db"], "jobs": ["db"]}
    planner = make_planner(p, _catalog(None))
    assert call_graph(planner) == {"api": {"db": 3.0}}  # latency: the web service's requests only
    assert {"api", "jobs", "db"} <= located_components(p)  # the worker's place decides the pairing


def test_a_worker_without_a_static_egress_ip_moves_next_to_the_allow_listed_database() -> None:
    # host two offers no static egress IP (or at an unknown price): the worker there cannot reach
    # DB one. The API is on one. Stacks:
    #   api one $5 + jobs two $2 + db one $1                          = $8.00  forbidden
    #   api one $5 + jobs one $5 + db one $1 (private network)        = $11.00 <- optimum
    #   api one $5 + jobs two $2 + db two $4.50 (credentials)         = $11.50
    for ip in (None, {"available": False}, {"available": True, "usd_per_month": None}):
        sol = solve(build_problem(make_planner(_profile(), _catalog(ip)), 100))
        assert sol.feasible
        assert _providers(sol) == {"api": "one", "jobs": "one", "db": "one"}
        assert sol.monthly_usd == pytest.approx(11.0)
        assert all(ln.name != LINE_NAME for it in sol.items.values() for ln in it.lines)


def test_a_worker_pays_for_its_static_egress_ip_where_its_host_sells_one() -> None:
    # a $0.50 address on host two: api one $5 + jobs two $2 + IP $0.50 + db one $1 = $8.50, and the
    # worker's bill names the address and the database's allow list
    sol = solve(
        build_problem(make_planner(_profile(), _catalog({"available": True, "usd_per_month": 0.5})), 100)
    )
    assert _providers(sol) == {"api": "one", "jobs": "two", "db": "one"}
    assert sol.monthly_usd == pytest.approx(8.5)
    (line,) = [ln for ln in sol.items["jobs"].lines if ln.name == LINE_NAME]
    assert line.monthly_usd == pytest.approx(0.5)
    assert allow_listing_stores(sol.items["jobs"].lines) == ["db"]
    # at $3.60 the address costs more than moving the worker: $5 + $2 + $3.60 + $1 = $11.60 > $11.00
    sol = solve(
        build_problem(make_planner(_profile(), _catalog({"available": True, "usd_per_month": 3.6})), 100)
    )
    assert _providers(sol) == {"api": "one", "jobs": "one", "db": "one"}
    assert sol.monthly_usd == pytest.approx(11.0)


def _independent_clients(profile: Any) -> dict[str, list[str]]:
    """Who connects to which store, from the rule itself: a web service to its ``calls`` (else every
    database and cache), any other component that runs code to every database and cache."""
    comps = profile.components
    stores = [n for n, c in comps.items() if c.kind in ("postgres", "sqlite", "redis", "kv")]
    out: dict[str, list[str]] = {}
    for n, c in comps.items():
        if c.kind not in ("web_service", "worker", "realtime"):
            continue
        calls = getattr(c, "calls", None)
        out[n] = [t for t, k in calls.items() if k > 0] if calls is not None else list(stores)
    return out


@pytest.mark.parametrize("name", ["amebo", "paircam", "suoops", "coop-erp"])
def test_no_phase_pairs_code_with_a_store_it_cannot_reach(name: str) -> None:
    """For every phase (its start and its end) and every component that runs code: each store it
    connects to is on the same provider and region, admits it by credentials, or (IP allow list)
    the client pays for a static egress IP that store's allow list names; never a private-network
    store on another provider. SuoOps' pdf-worker left Railway Hobby (no static egress IP) for
    this."""
    planner = make_example_planner(EXAMPLES / f"{name}.yaml")
    clients = _independent_clients(planner.profile)
    assert clients == store_client_graph(planner.profile)
    result = plan(planner)
    assert result.phases
    for ph in result.phases:
        for point in (ph.stack_start, ph.stack_end):
            ch = point.choices
            for client, stores in clients.items():
                oc = ch[client].option
                for s in stores:
                    os_ = ch[s].option
                    na = os_.plan.service.network_access
                    access = na.from_other_hosts if na is not None else "credentials"
                    same_provider = oc.provider == os_.provider
                    same_place = (
                        same_provider
                        and oc.region is not None
                        and os_.region is not None
                        and oc.region.id == os_.region.id
                    )
                    where = f"{name} at {point.scale:,}: {client} ({oc.label}) -> {s} ({os_.label})"
                    assert access != "private_network" or same_provider, where
                    if access == "ip_allow_list" and not same_place:
                        assert s in allow_listing_stores(ch[client].lines), where
