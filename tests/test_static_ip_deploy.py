"""Static egress IPs in the generated DEPLOY.md and in the plan's risks (engine/egress_ip.py,
gen/setup.py, risks.py): the caller that reaches an allow-listed store on another host is told
what to allocate, what it costs and which allow list to add it to."""

from __future__ import annotations

from typing import Any

import pytest

from tierplan.catalog.loader import load_catalog
from tierplan.engine.egress_ip import LINE_NAME, allow_listing_stores
from tierplan.engine.plan import plan
from tierplan.gen import generate
from tierplan.report.model import plan_report

from .conftest import make_planner, make_profile

SHARED_RISK = "allow-listed store reached from shared outbound addresses"


def _api_and_db(api: str, db: str) -> Any:
    """A US API restricted to provider ``api`` and its Postgres restricted to provider ``db``."""
    prof = make_profile(
        audience={"countries": ["US"]},
        scale={"stages": [1000, 2000]},
        components={
            "api": {"kind": "web_service", "runtime": "go", "memory_mb": 100, "providers": [api]},
            "db": {"kind": "postgres", "storage_mb_per_unit": 1, "providers": [db]},
        },
    )
    return make_planner(prof, load_catalog())


def test_fly_api_on_a_render_database_allocates_an_egress_ip_in_deploy_md() -> None:
    """Fly.io API, Render Postgres (IP allow list only): the API pays Fly's $3.60 a month for an
    app-scoped egress IP in its region (catalog fly.yaml), and DEPLOY.md gives the command with
    the app's name, that price and the database's ipAllowList."""
    planner = _api_and_db("fly", "render")
    dep, files = generate(planner, None, at=1000)
    (ip,) = dep.static_ips
    assert (ip.caller, ip.provider, ip.stores, ip.shared) == ("api", "fly", (("db", "render"),), False)
    assert ip.monthly_usd == pytest.approx(3.60)
    assert ip.region is not None
    readme = files["DEPLOY.md"]
    assert "## Static egress IPs for allow-listed stores" in readme
    assert f"`fly ips allocate-egress --app test-app-api -r {ip.region}`" in readme
    assert "$3.60/month in the plan" in readme
    assert "**db**'s allow list on render" in readme and "`ipAllowList` in `render.yaml`" in readme
    assert "shared with other" not in readme


def test_render_api_on_rds_uses_shared_ranges_and_says_so() -> None:
    """Render web service, RDS (security group): Render's regional outbound ranges cost nothing
    but are shared with other Render customers: DEPLOY.md says so and names the security group,
    and the plan carries the risk line on the API."""
    planner = _api_and_db("render", "aws")
    p = plan(planner)
    doc = plan_report(planner, p)
    items = {it["component"]: it for it in doc["phases"][0]["stack"]}
    api_lines = [ln for ln in items["api"]["lines"] if ln["name"] == LINE_NAME]
    assert len(api_lines) == 1 and api_lines[0]["monthly_usd"] == 0
    assert any(r.startswith(SHARED_RISK) and "db must admit Render" in r for r in items["api"]["risks"])
    dep, files = generate(planner, None, at=1000)
    (ip,) = dep.static_ips
    assert (ip.provider, ip.shared, ip.stores) == ("render", True, (("db", "aws"),))
    readme = files["DEPLOY.md"]
    assert "$0.00/month in the plan" in readme
    assert "**db**'s allow list on aws: the RDS instance's security group" in readme
    assert "shared with other render customers" in readme


def test_no_static_ip_no_section_and_no_risk() -> None:
    """Both on Render in one region: the private network, no address to buy, nothing to say."""
    planner = _api_and_db("render", "render")
    dep, files = generate(planner, None, at=1000)
    assert dep.static_ips == []
    assert "Static egress IPs" not in files["DEPLOY.md"]
    ev = plan(planner).phases[0].stack_end.choices["api"]
    assert allow_listing_stores(ev.lines) == []
