"""Platform adapters (tierplan.platforms): the registry covers every deploy platform of the bundled
catalog, and each adapter's commands and names, checked by hand on one method each.

The adapters' full output is pinned by the gen and runbook golden files (test_gen.py,
test_runbook.py); these tests pin single answers without planning anything.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pytest

from tierplan.catalog.loader import load_catalog
from tierplan.kinds import KINDS
from tierplan.platforms import NOT_DEPLOYABLE, PLATFORMS, Generic, Host, NewStore, Placement, platform
from tierplan.platforms.fly import fly_vm
from tierplan.platforms.saas import SAAS, Saas

#: the kinds whose hosting provider needs a deploy platform: code, stores and the frontend
DEPLOYED = sorted(n for n, k in KINDS.items() if k.deploy_as in ("service", "store", "frontend"))


@dataclass
class FakeShell:
    """A runbook's variables, recorded (platforms.Shell)."""

    app: str = "shop"
    vars: dict[str, str] = field(default_factory=dict)

    def var(self, name: str, where: str, default: str | None = None) -> str:
        self.vars.setdefault(name, where)
        return f'"${name}"'

    def tok(self, comp: str) -> str:
        return comp.upper().replace("-", "_")

    def name_of(self, provider: str) -> str:
        return {"fly": "Fly.io", "acme": "Acme Cloud"}.get(provider, provider.capitalize())

    def new_ref(self, name: str) -> str:
        return self.var(f"NEW_{name}", f"the new {name}")

    def old_ref(self, name: str) -> str:
        return self.var(f"OLD_{name}", f"the current {name}")

    def current(self, name: str) -> str:
        return self.var(name, f"the current {name}")


def _host(
    provider: str,
    kind: str = "web_service",
    comp: str = "api",
    name: str = "api",
    region: str | None = None,
    group: str | None = None,
) -> Host:
    return Host(comp, kind, provider, region, name, group=group)


def _at(provider: str, plan: str = "pro", region: str | None = None, size: str | None = None) -> Placement:
    return Placement(
        provider, provider.capitalize(), plan, plan.capitalize(), size, region, 1, f"{provider} {plan}"
    )


# --------------------------------------------------------------------------- the registry
def test_every_deploy_platform_of_the_catalog_has_an_adapter() -> None:
    catalog = load_catalog()
    hosting: dict[str, set[str]] = {}
    for p in catalog.plans:
        for kind in p.hosts:
            if kind in DEPLOYED:
                hosting.setdefault(p.provider.provider, set()).add(kind)
    assert hosting, "no provider hosts code or data"
    missing = {prov: sorted(kinds) for prov, kinds in hosting.items() if prov not in PLATFORMS}
    unexplained = {prov: kinds for prov, kinds in missing.items() if not NOT_DEPLOYABLE.get(prov)}
    assert not unexplained, f"providers hosting {DEPLOYED} with no adapter and no reason: {unexplained}"
    # and nothing registered that the catalog does not know (a typo in a registry line)
    assert set(PLATFORMS) <= set(catalog.providers)
    assert not set(NOT_DEPLOYABLE) & set(PLATFORMS)


def test_registry_ids_and_lookup() -> None:
    for key, adapter in PLATFORMS.items():
        assert adapter.id == key
    assert platform("fly") is PLATFORMS["fly"]
    assert platform("sentry") is SAAS["sentry"] and isinstance(platform("sentry"), Saas)
    unknown = platform("acme")
    assert type(unknown) is Generic and unknown.id == "acme"
    assert not set(SAAS) & set(PLATFORMS)


# --------------------------------------------------------------------------- one method per adapter
def test_generic_scale_is_a_dashboard_step() -> None:
    c = platform("acme").scale(FakeShell(), _host("acme"), 3)
    assert c.commands == [] and c.manual == ["Acme Cloud dashboard: set api to 3 instances"]


def test_fly_vm_and_scale_count() -> None:
    assert fly_vm("performance-2x-4gb", None) == ("performance-2x", "4gb")
    assert fly_vm("odd-size", 512) == ("shared-cpu-1x", "512mb")
    h = _host("fly", name="shop-api", group="web", region="ams")
    assert PLATFORMS["fly"].scale(FakeShell(), h, 2).commands == [
        "flyctl scale count 2 --process-group web --app shop-api --region ams --yes"
    ]


def test_render_scale_calls_the_api_with_the_service_id() -> None:
    sh = FakeShell()
    c = PLATFORMS["render"].scale(sh, _host("render", name="shop-api"), 2)
    assert c.commands == [
        'curl --fail --silent --show-error --request POST --header "Authorization: Bearer $RENDER_API_KEY" '
        "--header 'Content-Type: application/json' --data '{\"numInstances\": 2}' "
        '"https://api.render.com/v1/services/$RENDER_API_ID/scale"'
    ]
    assert sh.vars == {
        "RENDER_API_KEY": "Render dashboard > Account settings > API Keys",
        "RENDER_API_ID": "Render dashboard > api > Info: the service ID (srv-...)",
    }


def test_railway_scale_uses_railways_region_id() -> None:
    h = _host("railway", region="us-east4")
    assert PLATFORMS["railway"].scale(FakeShell(), h, 2).commands == [
        "railway scale --service api --us-east4-eqdc4a 2"
    ]


def test_cloudflare_binds_kv_and_points_pages_domains() -> None:
    cf = PLATFORMS["cloudflare"]
    assert cf.settings("kv", "KV_URL") == []  # a binding in wrangler.toml, no address
    t = cf.dns(FakeShell(), _host("cloudflare", kind="web_frontend", comp="web", name="shop"))
    assert t.target == "shop.pages.dev" and t.commands == []
    assert t.manual == ["Cloudflare dashboard > Workers & Pages > shop > Custom domains: add $WEB_DOMAIN"]


def test_vercel_dns() -> None:
    t = PLATFORMS["vercel"].dns(FakeShell(), _host("vercel", comp="web"))
    assert (t.target, t.commands) == ("cname.vercel-dns.com", ['vercel domains add "$WEB_DOMAIN"'])


def test_aws_multi_az_plan_change_and_its_rollback() -> None:
    c = PLATFORMS["aws"].plan_change(
        FakeShell(),
        "db",
        "postgres",
        _at("aws", "single-az", "eu-west-1"),
        _at("aws", "multi-az", "eu-west-1"),
    )
    assert c.commands == [
        "aws rds modify-db-instance --db-instance-identifier shop-db --multi-az --apply-immediately --region eu-west-1"
    ]
    assert c.rollback == [
        "aws rds modify-db-instance --db-instance-identifier shop-db --no-multi-az --apply-immediately --region eu-west-1"
    ]


def test_neon_creates_a_project_per_database() -> None:
    sh = FakeShell()
    made = PLATFORMS["neon"].create(
        sh, NewStore("db", "postgres", "shop-db", _at("neon", "launch", "aws-us-east-2"))
    )
    assert made.commands == ["npx neonctl projects create --name shop-db --region-id aws-us-east-2"]
    assert made.rollback == ['npx neonctl projects delete "$NEON_PROJECT_ID"']
    assert not made.sized_disk and "NEON_PROJECT_ID" in sh.vars


def test_supabase_storage_is_s3_compatible() -> None:
    s3 = PLATFORMS["supabase"].s3()
    assert (s3.endpoint, s3.rclone) == ("https://PROJECT_REF.supabase.co/storage/v1/s3", "Other")


def test_upstash_kv_needs_its_rest_token() -> None:
    url, token = PLATFORMS["upstash"].settings("kv", "CACHE_KV_URL")
    assert (url.name, url.placeholder) == ("", "https://NAME.upstash.io")
    assert (token.name, token.placeholder) == ("CACHE_KV_TOKEN", "your-upstash-rest-token")


@pytest.mark.parametrize(
    ("provider", "kind", "names"),
    [
        ("resend", "email", ["RESEND_API_KEY", "EMAIL_FROM"]),
        ("cloudflare", "turn", ["TURN_KEY_ID", "TURN_KEY_API_TOKEN"]),
        ("sentry", "error_tracking", ["SENTRY_DSN"]),
        ("uptimerobot", "uptime", []),
    ],
)
def test_credentials_of_external_services(provider: str, kind: str, names: list[str]) -> None:
    assert [s.name for s in platform(provider).settings(kind, "")] == names


def test_saas_verify_reads_the_new_key() -> None:
    sh = FakeShell()
    c = platform("resend").verify(sh, "mail", "email", {"RESEND_API_KEY"})
    assert c is not None and c.verify == [
        'curl --fail --silent --show-error --header "Authorization: Bearer $NEW_RESEND_API_KEY" '
        "https://api.resend.com/domains | jq '.data[] | {name, status}'"
    ]
    assert platform("resend").verify(sh, "mail", "email", set()) is None


def test_a_store_reached_from_another_host_gets_its_public_address() -> None:
    """A private address (Railway's *.railway.internal, Render's internal URL) works only for
    callers on the same host: with a caller elsewhere, .env.example must hold the public one."""

    for provider, kind, private, public in [
        ("railway", "redis", "redis.railway.internal", "PROXY-DOMAIN:PROXY-PORT"),
        ("railway", "postgres", "postgres.railway.internal", "PROXY-DOMAIN:PROXY-PORT"),
        ("render", "redis", "redis://red-ID:6379", "REGION-keyvalue.render.com"),
        ("render", "postgres", "dpg-ID-a/", "REGION-postgres.render.com"),
    ]:
        adapter = platform(provider)
        (own,) = adapter.settings(kind, "URL")
        (far,) = adapter.settings(kind, "URL", public=True)
        assert private in own.placeholder and public not in own.placeholder
        assert public in far.placeholder and private not in far.placeholder
    # Coop ERP's API runs on Fly.io and its database on Render: the generated .env.example says so
    golden = Path(__file__).parent / "golden" / "gen" / "coop-erp" / "phase-1" / ".env.example"
    text = golden.read_text()
    assert "DATABASE_URL=postgresql://USER:PASSWORD@dpg-ID-a.REGION-postgres.render.com/db?sslmode=require" in text
    assert "Internal Database URL" not in text


def test_a_nextjs_frontend_on_cloudflare_is_deployed_and_routed_as_a_worker() -> None:
    """A server-rendered Next.js frontend on Cloudflare is an OpenNext Worker named <app>-<component>:
    the runbook builds and deploys it with OpenNext (not `wrangler pages deploy`), rolls back by
    deleting that Worker, and its domain is added under the Worker, not a pages.dev project. A
    static frontend is still a Pages project."""
    cf = PLATFORMS["cloudflare"]
    worker = Host("web", "web_frontend", "cloudflare", None, "shop-web", "web/wrangler.toml", worker=True)
    r = cf.deploy(FakeShell(), worker, False, 2)
    assert r.create == ["(cd web && npx opennextjs-cloudflare build && npx opennextjs-cloudflare deploy)"]
    assert r.rollback == ["npx wrangler delete --config web/wrangler.toml"]
    assert not any("pages" in c for c in r.create + r.rollback)
    dns = cf.dns(FakeShell(), worker)
    assert "pages.dev" not in dns.target
    assert dns.manual and "Workers & Pages > shop-web > Settings > Domains & Routes" in dns.manual[0]
    pages = Host("web", "web_frontend", "cloudflare", None, "shop", "web/wrangler.toml")
    static = cf.deploy(FakeShell(), pages, False, 2)
    assert any("wrangler pages deploy" in c for c in static.commands + static.create)
    assert cf.dns(FakeShell(), pages).target == "shop.pages.dev"
