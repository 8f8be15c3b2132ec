"""The bundled catalog and the catalog schema."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from pydantic import ValidationError

from tierplan.catalog import load_catalog, load_provider_file
from tierplan.catalog.check import check_catalog
from tierplan.catalog.models import Meter, Provider
from tierplan.errors import CatalogError, InputError
from tierplan.metrics import METRICS

from .conftest import make_catalog, write_yaml

SEED_PROVIDERS = {
    "fly",
    "neon",
    "vercel",
    "cloudflare",
    "upstash",
    "supabase",
    "railway",
    "render",
    "aws",
    "metered",
    "sentry",
    "betterstack",
    "uptimerobot",
    "grafana",
    "resend",
    "brevo",
    "meta",
}


def test_bundled_catalog_covers_every_seed_provider() -> None:
    cat = load_catalog()
    assert SEED_PROVIDERS <= set(cat.providers)


def test_every_plan_has_source_and_as_of() -> None:
    for ref in load_catalog().plans:
        assert ref.source.startswith("https://"), ref.key
        assert isinstance(ref.as_of, dt.date), ref.key


def test_cloudflare_covers_the_services_the_seeds_use() -> None:
    cf = load_catalog().providers["cloudflare"]
    assert {"workers", "pages", "r2", "kv", "d1", "durable-objects", "queues", "realtime-turn"} <= {
        s.id for s in cf.services
    }


@pytest.mark.parametrize(
    ("provider", "plan"),
    [
        ("fly", "legacy-free-allowance"),  # the seeds' "3 VMs x 256MB free"
        ("neon", "launch-legacy"),  # the seeds' "$19 Launch"
        ("upstash", "free-legacy"),  # the seeds' "10k commands/day"
        ("cloudflare", "bundled-legacy"),  # Amebo's "$0.50 per million requests"
    ],
)
def test_legacy_plans_are_kept_but_unavailable(provider: str, plan: str) -> None:
    ref = load_catalog().plan(provider, plan)
    assert ref is not None
    assert ref.plan.available is False


def test_vercel_hobby_forbids_commercial_use() -> None:
    ref = load_catalog().plan("vercel", "hobby", "hosting")
    assert ref is not None and ref.attributes.commercial_use is False


def test_fly_machines_are_never_free_for_new_accounts() -> None:
    cat = load_catalog()
    for ref in cat.plans:
        if ref.provider.provider == "fly" and ref.plan.available and ref.plan.instances:
            for s in ref.plan.instances.sizes:
                price = s.usd_per_hour if "usd_per_hour" in s.model_fields_set else s.usd_per_month
                assert price is None or (isinstance(price, float) and price > 0), (ref.key, s.id)


def test_every_meter_and_limit_names_a_known_metric() -> None:
    for ref in load_catalog().plans:
        for m in ref.plan.meters:
            assert m.metric in METRICS
        for lim in ref.plan.limits:
            assert lim.metric in METRICS


def test_meter_shorthand_expands_to_a_free_first_tier() -> None:
    m = Meter.model_validate(
        {
            "metric": "requests_per_month",
            "unit": "1M requests",
            "unit_size": 1e6,
            "included": 10e6,
            "usd_per_unit": 0.3,
        }
    )
    assert [(t.up_to, t.usd_per_unit) for t in m.tiers] == [(10e6, 0.0), (None, 0.3)]
    assert m.free_allowance == 10e6  # in metric units, not multiplied by unit_size


def test_unknown_metric_is_rejected() -> None:
    with pytest.raises(ValidationError, match="unknown metric"):
        Meter.model_validate({"metric": "requests_per_fortnight", "unit": "x", "usd_per_unit": 1})


def test_tiers_must_increase() -> None:
    with pytest.raises(ValidationError, match="tier bounds must increase"):
        Meter.model_validate(
            {
                "metric": "storage_gb",
                "unit": "GB",
                "tiers": [
                    {"up_to": 10, "usd_per_unit": 0},
                    {"up_to": 5, "usd_per_unit": 1},
                    {"usd_per_unit": 2},
                ],
            }
        )


def test_price_keyed_by_unknown_region_is_rejected() -> None:
    with pytest.raises(ValidationError, match="no region id or group"):
        make_catalog(
            {
                "provider": "x",
                "regions": [{"id": "r1", "city": "A", "country": "SG", "lat": 1, "lon": 1}],
                "services": [
                    {
                        "id": "s",
                        "name": "S",
                        "hosts": ["postgres"],
                        "plans": [{"id": "p", "name": "P", "base_usd_month": {"r2": 5}}],
                    }
                ],
            }
        )


def test_plan_without_provenance_is_rejected(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = write_yaml(
        tmp_path / "acme.yaml",
        {
            "provider": "acme",
            "name": "Acme",
            "homepage": "https://acme.test",
            "services": [
                {"id": "db", "name": "DB", "hosts": ["postgres"], "plans": [{"id": "free", "name": "Free"}]}
            ],
        },
    )
    with pytest.raises(CatalogError) as e:
        load_provider_file(f)
    msg = str(e.value)
    assert "acme.yaml" in msg and "services[0].plans[0]" in msg and "source" in msg and "as_of" in msg


def test_file_name_must_match_provider(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = write_yaml(
        tmp_path / "other.yaml",
        {
            "provider": "acme",
            "name": "Acme",
            "homepage": "https://acme.test",
            "source": "https://acme.test/p",
            "as_of": "2026-01-01",
            "services": [
                {"id": "db", "name": "DB", "hosts": ["postgres"], "plans": [{"id": "free", "name": "Free"}]}
            ],
        },
    )
    with pytest.raises(CatalogError, match="declares provider 'acme'"):
        load_provider_file(f)


def test_schema_error_names_key_path_and_line(tmp_path) -> None:  # type: ignore[no-untyped-def]
    f = tmp_path / "acme.yaml"
    f.write_text(
        "provider: acme\nname: Acme\nhomepage: https://acme.test\nsource: https://acme.test/p\nas_of: 2026-01-01\n"
        "services:\n  - id: db\n    name: DB\n    hosts: [postgres]\n    plans:\n      - id: free\n        name: Free\n        base_usd_month: -3\n"
    )
    with pytest.raises(CatalogError) as e:
        load_provider_file(f)
    assert "services[0].plans[0].base_usd_month" in str(e.value)
    assert "line 13" in str(e.value)


def test_check_flags_entries_older_than_twelve_months() -> None:
    cat = make_catalog(
        {
            "provider": "old",
            "as_of": "2025-01-10",
            "services": [
                {
                    "id": "s",
                    "name": "S",
                    "hosts": ["postgres"],
                    "plans": [{"id": "p", "name": "P", "base_usd_month": 5}],
                }
            ],
        },
        {
            "provider": "new",
            "as_of": "2026-10-01",
            "services": [
                {
                    "id": "s",
                    "name": "S",
                    "hosts": ["postgres"],
                    "plans": [{"id": "p", "name": "P", "base_usd_month": None}],
                }
            ],
        },
    )
    res = check_catalog(cat, today=dt.date(2026, 11, 22))
    assert [k for k, _, _ in res.stale] == ["old/s/p"]
    assert ("new/s/p", "plan fee") in res.unknown_prices


def test_provider_model_round_trips() -> None:
    prov = load_catalog().providers["neon"]
    again = Provider.model_validate(prov.model_dump(mode="json", exclude_defaults=True))
    assert again == prov


def test_validated_catalog_is_cached_and_invalidated_by_any_change(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import shutil

    from tierplan.catalog import loader

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    cat_dir = tmp_path / "catalog"
    shutil.copytree(loader.default_catalog_dir(), cat_dir)
    loader._load_dir.cache_clear()
    first = loader.load_catalog(cat_dir)
    cached = list((tmp_path / "cache" / "tierplan").glob("catalog-*.pickle"))
    assert len(cached) == 1
    loader._load_dir.cache_clear()
    assert loader.load_catalog(cat_dir).providers == first.providers  # served from the cache
    neon = cat_dir / "neon.yaml"
    neon.write_text(neon.read_text().replace("usd_per_unit: 0.35", "usd_per_unit: 0.36", 1))
    loader._load_dir.cache_clear()
    changed = loader.load_catalog(cat_dir)
    assert changed.providers != first.providers  # a content change means a fresh parse
    neon.write_text(neon.read_text() + "\nnot: [valid\n")
    loader._load_dir.cache_clear()
    with pytest.raises(InputError, match="neon.yaml"):  # invalid YAML (a CatalogError is an InputError too)
        loader.load_catalog(cat_dir)
    loader._load_dir.cache_clear()


def _pooled(plan_over: dict[str, Any], meter_over: dict[str, Any] | None = None) -> dict[str, Any]:
    meter = {
        "metric": "requests_per_month",
        "unit": "1M",
        "unit_size": 1e6,
        "included": 1e7,
        "usd_per_unit": 0.3,
    }
    meter.update({"pool": "reqs", **(meter_over or {})})
    return {
        "provider": "acme",
        "regions": [{"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82}],
        "accounts": [{"id": "paid", "name": "Paid", "base_usd_month": 5}],
        "services": [
            {
                "id": "fn",
                "name": "Fn",
                "hosts": ["web_service"],
                "plans": [
                    {"id": "a", "name": "A", "account": "paid", "meters": [meter]},
                    {"id": "b", "name": "B", "meters": [dict(meter)], **plan_over},
                ],
            }
        ],
    }


def test_a_pool_must_belong_to_an_account() -> None:
    with pytest.raises(ValidationError, match="needs an account plan"):
        make_catalog(_pooled({}))


def test_a_pool_has_one_included_amount_per_account() -> None:
    data = _pooled({"account": "paid"})
    data["services"][0]["plans"][1]["meters"][0]["included"] = 5e6
    with pytest.raises(ValidationError, match="included amount and price must be the same"):
        make_catalog(data)


def test_a_pooled_meter_is_monthly_with_one_price() -> None:
    with pytest.raises(ValidationError, match="not per month"):
        make_catalog(_pooled({"account": "paid"}, {"metric": "requests_per_day"}))
    tiers = {
        "tiers": [{"up_to": 10, "usd_per_unit": 0}, {"up_to": 20, "usd_per_unit": 1}, {"usd_per_unit": 0.5}]
    }
    with pytest.raises(ValidationError, match="at most a free tier and then one price"):
        make_catalog(_pooled({"account": "paid"}, tiers))
