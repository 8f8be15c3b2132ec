"""Hypothesis strategies: small random catalogs and profiles (for optimizer/phase properties)."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

REGIONS = [
    {"id": "sg", "city": "Singapore", "country": "SG", "lat": 1.35, "lon": 103.82},
    {"id": "us", "city": "Ashburn", "country": "US", "lat": 39.04, "lon": -77.49},
    {"id": "de", "city": "Frankfurt", "country": "DE", "lat": 50.11, "lon": 8.68},
]
KIND_METRICS = {
    "web_service": ["requests_per_month", "egress_gb_per_month", "cpu_ms_per_month"],
    "postgres": ["storage_gb", "egress_gb_per_month", "connections"],
    "object_storage": ["storage_gb", "class_b_ops_per_month", "egress_gb_per_month"],
}
KIND_LIMITS = {
    "web_service": ["requests_per_day", "requests_per_month", "instance_hours_per_month"],
    "postgres": ["storage_gb", "cu_hours_per_month", "connections"],
    "object_storage": ["storage_gb", "class_b_ops_per_month"],
}

prices = st.sampled_from([0.0, 0.001, 0.01, 0.02, 0.1, 0.35, 1.0])


@st.composite
def meter(draw: Any, kind: str) -> dict[str, Any]:
    metric = draw(st.sampled_from(KIND_METRICS[kind]))
    n = draw(st.integers(1, 3))
    bounds = sorted(
        draw(
            st.lists(
                st.sampled_from([0.5, 1, 5, 10, 100, 1000, 1e5, 1e6]),
                min_size=n - 1,
                max_size=n - 1,
                unique=True,
            )
        )
    )
    tiers = [{"up_to": b, "usd_per_unit": draw(prices)} for b in bounds] + [
        {"up_to": None, "usd_per_unit": draw(prices)}
    ]
    m: dict[str, Any] = {"metric": metric, "unit": "u", "tiers": tiers}
    if draw(st.booleans()) and metric == "storage_gb":
        m["provision_step"] = draw(st.sampled_from([1, 5]))
    return m


@st.composite
def plan(draw: Any, kind: str, i: int, region_ids: list[str]) -> dict[str, Any]:
    p: dict[str, Any] = {
        "id": f"plan{i}",
        "name": f"Plan {i}",
        "base_usd_month": draw(st.sampled_from([0, 0, 5, 19, 25])),
    }
    if kind != "object_storage" and draw(st.booleans()):
        sizes = []
        for j in range(draw(st.integers(1, 3))):
            sizes.append(
                {
                    "id": f"s{j}",
                    "vcpu": draw(st.sampled_from([0.25, 1, 2])),
                    "cpu_baseline_fraction": draw(st.sampled_from([0.1, 0.5, 1.0])),
                    "memory_mb": draw(st.sampled_from([256, 512, 1024, 4096])),
                    "usd_per_hour": draw(st.sampled_from([0.0, 0.003, 0.01, 0.02, 0.05])),
                    "compute_units": 0.25,
                }
            )
        inst: dict[str, Any] = {"sizes": sizes, "horizontal": kind == "web_service"}
        if draw(st.integers(0, 3)) == 0:
            inst["max_count"] = draw(st.integers(2, 6))
        if draw(st.booleans()):
            inst["region_price_factor"] = {
                r: draw(st.sampled_from([1.0, 1.2, None])) for r in region_ids if draw(st.booleans())
            }
        p["instances"] = inst
    p["meters"] = draw(st.lists(meter(kind), max_size=2, unique_by=lambda m: m["metric"]))
    if draw(st.booleans()):
        metric = draw(st.sampled_from(KIND_LIMITS[kind]))
        p["limits"] = [{"metric": metric, "max": draw(st.sampled_from([10, 1000, 1e4, 1e5, 1e6, 1e7, 1e8]))}]
    p["attributes"] = {
        "scale_to_zero": draw(st.booleans()),
        "sleeps_when_idle": draw(st.sampled_from([None, False, True])),
        "commercial_use": draw(st.sampled_from([None, True, True, False])),
        "zero_downtime_deploys": draw(st.sampled_from([None, True, False])),
    }
    return p


@st.composite
def catalogs(draw: Any) -> list[dict[str, Any]]:
    provs = []
    for k in range(draw(st.integers(1, 3))):
        regs = draw(st.lists(st.sampled_from(REGIONS), min_size=1, max_size=3, unique_by=lambda r: r["id"]))
        regs = [{**r, "group": draw(st.sampled_from(["a", "b"]))} for r in regs]
        services = []
        for si, kind in enumerate(
            draw(st.lists(st.sampled_from(list(KIND_METRICS)), min_size=1, max_size=3, unique=True))
        ):
            plans = [draw(plan(kind, i, [r["id"] for r in regs])) for i in range(draw(st.integers(1, 4)))]
            services.append(
                {
                    "id": f"svc{si}",
                    "name": f"Svc {si}",
                    "hosts": [kind],
                    "regions": draw(st.sampled_from(["all", "global"])),
                    "plans": plans,
                }
            )
        provs.append({"provider": f"p{k}", "regions": regs, "services": services})
    return provs


@st.composite
def profiles(draw: Any, max_scale: int = 300) -> dict[str, Any]:
    kinds = draw(st.lists(st.sampled_from(list(KIND_METRICS)), min_size=1, max_size=3, unique=True))
    comps: dict[str, Any] = {}
    for kind in kinds:
        if kind == "web_service":
            comps["api"] = {
                "kind": kind,
                "runtime": draw(st.sampled_from(["go", "python"])),
                "memory_mb": draw(st.sampled_from([64, 200, 400])),
            }
        elif kind == "postgres":
            comps["db"] = {
                "kind": kind,
                "storage_mb_per_unit": draw(st.sampled_from([0, 1, 20])),
                "growth_mb_per_unit_month": draw(st.sampled_from([0, 2])),
            }
        else:
            comps["files"] = {
                "kind": kind,
                "gb_per_unit": draw(st.sampled_from([0, 0.01, 0.5])),
                "downloads_per_user_day": draw(st.sampled_from([0, 5])),
            }
    lo = draw(st.integers(1, max_scale // 2))
    hi = draw(st.integers(lo + 1, max_scale))
    req: dict[str, Any] = {"headroom": draw(st.sampled_from([0.5, 0.8, 1.0])), "max_latency_ms": 400}
    if draw(st.booleans()):
        req["zero_downtime_from"] = draw(st.integers(lo, hi))
    return {
        "name": "Generated",
        "commercial": draw(st.booleans()),
        "audience": {"countries": [draw(st.sampled_from(["SG", "US", "DE"]))]},
        "scale": {"stages": [lo, hi], "users_per_unit": draw(st.sampled_from([1, 5]))},
        "activity": {
            "requests_per_user_day": draw(st.sampled_from([10, 100, 400, 2000])),
            "active_hours_per_day": draw(st.sampled_from([8, 24])),
            "peak_factor": draw(st.sampled_from([1, 3])),
        },
        "components": comps,
        "requirements": req,
    }


@st.composite
def cases(draw: Any, max_scale: int = 300) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """A catalog and a profile whose components the catalog can host (mostly)."""
    provs = draw(catalogs())
    hosted = {svc["hosts"][0] for p in provs for svc in p["services"]}
    prof = draw(profiles(max_scale=max_scale))
    names = {"web_service": "api", "postgres": "db", "object_storage": "files"}
    kept = {n: c for n, c in prof["components"].items() if c["kind"] in hosted}
    if not kept:
        kind = sorted(hosted)[0]
        extra = draw(profiles(max_scale=max_scale))["components"]
        defaults = {
            "web_service": {"kind": "web_service", "runtime": "go"},
            "postgres": {"kind": "postgres"},
            "object_storage": {"kind": "object_storage"},
        }
        kept = {names[kind]: extra.get(names[kind]) or defaults[kind]}
    prof["components"] = kept
    return provs, prof


@st.composite
def coupled_cases(
    draw: Any, pools: bool = False, network: bool = False
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """Catalogs with account-level plans and profiles with an API calling a database (and a cache).
    With ``pools``, every provider has accounts, most plans are on one, and account acct0 shares a
    quota or a cap between its components. With ``network``, stores admit outside callers by
    credentials, IP allow list or private network only, and callers' hosts sell static egress IPs."""
    provs = draw(catalogs())
    for p in provs:
        if pools or draw(st.booleans()):
            n = draw(st.integers(1, 2))
            p["accounts"] = [
                {
                    "id": f"acct{i}",
                    "name": f"Account {i}",
                    "base_usd_month": draw(st.sampled_from([0, 5, 20])),
                    "usage_credit_usd_month": draw(st.sampled_from([0, 0, 5])),
                }
                for i in range(n)
            ]
            for svc in p["services"]:
                for plan in svc["plans"]:
                    if (pools and draw(st.integers(0, 3)) > 0) or draw(st.booleans()):
                        plan["account"] = f"acct{draw(st.integers(0, n - 1))}"
            # quotas shared by an account's components: a pooled meter and a pooled cap on egress
            pooled_meter = draw(
                (st.none() if not pools else st.nothing())
                | st.fixed_dictionaries(
                    {
                        "metric": st.just("egress_gb_per_month"),
                        "unit": st.just("GB"),
                        "included": st.sampled_from([0, 0.5, 5, 100]),
                        "usd_per_unit": st.sampled_from([0.01, 0.1, 1.0]),
                        "pool": st.just("egress"),
                    }
                )
            )
            pooled_cap = draw(st.none() | st.sampled_from([0.5, 5, 50, 1000]))
            for svc in p["services"]:
                for plan in svc["plans"]:
                    if plan.get("account") != "acct0":
                        continue
                    if pooled_meter is not None:
                        plan["meters"] = [
                            m for m in plan["meters"] if m["metric"] != "egress_gb_per_month"
                        ] + [dict(pooled_meter)]
                    if pooled_cap is not None:
                        plan["limits"] = [
                            *plan.get("limits", []),
                            {"metric": "egress_gb_per_month", "max": pooled_cap, "pool": "egress-cap"},
                        ]
    if network:
        # stores on other hosts: how each store admits outside callers, and what a caller's host
        # charges for fixed outbound addresses (engine/egress_ip.py)
        fact = {"source": "https://example.com/network", "as_of": "2026-01-01"}
        for p in provs:
            for svc in p["services"]:
                if svc["hosts"][0] == "postgres":
                    access = draw(
                        st.sampled_from(["credentials", "ip_allow_list", "ip_allow_list", "private_network"])
                    )
                    svc["network_access"] = {"from_other_hosts": access, **fact}
                elif svc["hosts"][0] == "web_service" and draw(st.integers(0, 3)) > 0:
                    svc["static_egress_ip"] = {
                        "available": draw(st.integers(0, 4)) > 0,
                        "usd_per_month": draw(st.sampled_from([0, 1.5, 3.6, 25, None])),
                        "per": draw(st.sampled_from(["app_region", "app", "account_region"])),
                        **fact,
                    }
    kinds = {svc["hosts"][0] for p in provs for svc in p["services"]}
    prof = draw(profiles(max_scale=200))
    comps: dict[str, Any] = {}
    if "web_service" in kinds:
        comps["api"] = {"kind": "web_service", "runtime": "go", "memory_mb": 100}
    if "postgres" in kinds:
        comps["db"] = {"kind": "postgres", "storage_mb_per_unit": draw(st.sampled_from([0, 5]))}
    if "object_storage" in kinds:
        comps["files"] = {"kind": "object_storage", "gb_per_unit": 0.01}
    if not comps:
        comps["api"] = {"kind": "web_service", "runtime": "go"}
    prof["components"] = comps
    req = prof["requirements"]
    req["max_latency_ms"] = draw(st.sampled_from([400, 250, 120]))
    if draw(st.booleans()):
        req["max_vendors"] = draw(st.integers(1, 2))
    req["vendor_cost_usd_month"] = draw(st.sampled_from([0, 0, 3]))
    return provs, prof
