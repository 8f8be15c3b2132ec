"""Enumerate the options (plan x size x region) that could host each component.

Filters that do not depend on scale are applied here, once: kind, availability, providers
allowed, commercial use, credit card, runtime, persistence, data expiry, latency. Each excluded
plan keeps its reason so that reports can say why the obvious choice is not in the plan.
Regions whose prices are identical for a plan are collapsed to the closest one.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .assumptions import Assumptions
from .catalog.loader import Catalog, PlanRef
from .catalog.models import Region
from .geo import audience_rtt_ms
from .kinds import KINDS
from .pricing import Option, Reason, resolve_price
from .profile import Profile
from .workload import Capacity

__all__ = ["Excluded", "ComponentOptions", "build_options", "latency_limit_ms", "DEFAULT_LATENCY_SLACK_MS"]

#: when the profile sets no max_latency_ms, a region is "near" the users when its estimated round
#: trip is within this many ms of the nearest region any provider in the catalog offers
DEFAULT_LATENCY_SLACK_MS = 40.0


@dataclass(frozen=True)
class Excluded:
    plan: PlanRef
    reason: Reason
    region: Region | None = None


@dataclass
class ComponentOptions:
    component: str
    kind: str
    options: list[Option] = field(default_factory=list)
    excluded: list[Excluded] = field(default_factory=list)


def static_reasons(pref: PlanRef, p: Profile, comp_name: str, cap: Capacity, kind: str) -> list[Reason]:
    a = pref.attributes
    req = p.requirements
    comp = p.components[comp_name]
    out: list[Reason] = []
    prov = pref.provider.provider
    allow = req.providers.allow
    if allow is not None and prov not in allow:
        out.append(Reason("requirement", f"provider {prov} is not in requirements.providers.allow"))
    if prov in req.providers.deny:
        out.append(Reason("requirement", f"provider {prov} is denied by requirements.providers.deny"))
    if comp.providers is not None and prov not in comp.providers:
        out.append(Reason("requirement", f"provider {prov} is not in components.{comp_name}.providers"))
    if p.commercial and a.commercial_use is False:
        out.append(Reason("attribute", "plan forbids commercial use, and the app is commercial"))
    if req.no_credit_card and a.credit_card_required:
        out.append(Reason("requirement", "needs a credit card (requirements.no_credit_card)"))
    if a.managed is False and not req.allow_unmanaged:
        out.append(
            Reason(
                "requirement",
                "self-run (unmanaged) database: set requirements.allow_unmanaged: true to consider it",
            )
        )
    if a.expires_after_days is not None:
        out.append(Reason("attribute", f"deleted after {a.expires_after_days:g} days: not for production"))
    if cap.runtime is not None and a.runtimes is not None and cap.runtime not in a.runtimes:
        out.append(Reason("attribute", f"runs {', '.join(a.runtimes)}, not {cap.runtime}"))
    if a.serverless and KINDS[kind].runs_code and not cap.serverless_ok:
        out.append(
            Reason(
                "attribute",
                "runs request handlers only (serverless); this is a long-running server "
                "(set serverless_ok: true if it can run as handlers)",
            )
        )
    if getattr(comp, "rendering", None) == "ssr" and a.server_rendering is False:
        out.append(
            Reason(
                "attribute",
                "serves static files only, but this frontend renders pages on the server (rendering: ssr)",
            )
        )
    if cap.persistence_required and a.persistent is False:
        out.append(
            Reason(
                "attribute", "keeps data in memory only (lost on restart), but this component needs it kept"
            )
        )
    return out


def _region_price_key(pref: PlanRef, r: Region, country: str, exact: bool = False) -> tuple[object, ...]:
    """Two regions with the same key cost the same for this plan."""
    plan = pref.plan
    factor: object = None
    if plan.instances and plan.instances.region_price_factor is not None:
        factor = plan.instances.region_price_factor.get(r.id, "unknown")
    keyed = []
    prices = [plan.base_usd_month, plan.seat_usd_month, *(ad.base_usd_month for ad in plan.addons)]
    for m in plan.meters:
        prices.extend(t.usd_per_unit for t in m.tiers)
    if plan.instances:
        for s in plan.instances.sizes:
            prices.extend([s.usd_per_hour, s.usd_per_month])
    for pr in prices:
        if isinstance(pr, dict):
            keyed.append(resolve_price(pr, r, country))
    base = (factor, r.group, tuple(map(str, keyed)))
    # with coupled components the location matters too: only regions in the same place collapse
    return (*base, round(r.lat, 1), round(r.lon, 1)) if exact else base


def latency_limit_ms(p: Profile, catalog: Catalog, a: Assumptions) -> float:
    """The profile's max_latency_ms, or (by default) the nearest catalog region + the slack."""
    if p.requirements.max_latency_ms is not None:
        return p.requirements.max_latency_ms
    shares = p.audience.shares
    best = min(
        (
            audience_rtt_ms(shares, r.lat, r.lon, a)
            for prov in catalog.providers.values()
            for r in prov.regions
        ),
        default=a["latency.edge_rtt_ms"],
    )
    return best + DEFAULT_LATENCY_SLACK_MS


def located_components(p: Profile) -> set[str]:
    """Components whose exact location matters beyond price: web services that call others and
    the components they call (latency and private-network traffic between them)."""
    out: set[str] = set()
    kinds = {n: c.kind for n, c in p.components.items()}
    for name, c in p.components.items():
        if not KINDS[c.kind].calls_stores:
            continue
        calls = getattr(c, "calls", None)
        targets = (
            list(calls)
            if calls is not None
            else [n for n, k in kinds.items() if KINDS[k].called_by_api]
        )
        if targets:
            out.add(name)
            out.update(targets)
    return out


def build_options(
    p: Profile, catalog: Catalog, a: Assumptions, capacities: dict[str, Capacity]
) -> dict[str, ComponentOptions]:
    """Options for every component of ``p``. ``capacities`` come from any demand point (static parts).

    Regions with identical prices collapse to the nearest one, except for components whose location
    matters to another component (located_components): there only regions in the same place do."""
    shares = p.audience.shares
    located = located_components(p)
    max_lat = latency_limit_ms(p, catalog, a)
    rtt_cache: dict[tuple[float, float], float] = {}

    def rtt_of(r: Region) -> float:
        """The users' round trip to a region (cached: many plans share a region)."""
        key = (r.lat, r.lon)
        v = rtt_cache.get(key)
        if v is None:
            v = rtt_cache[key] = audience_rtt_ms(shares, r.lat, r.lon, a)
        return v

    edge = a["latency.edge_rtt_ms"]
    out: dict[str, ComponentOptions] = {}
    for name, comp in p.components.items():
        kind = comp.kind
        co = ComponentOptions(name, kind)
        cap = capacities[name]
        staged: list[Option] = []
        for pref in catalog.plans_for(kind):
            if not pref.plan.available:
                continue
            reasons = static_reasons(pref, p, name, cap, kind)
            if reasons:
                co.excluded.append(Excluded(pref, reasons[0]))
                continue
            regions = pref.regions
            sizes = pref.plan.instances.sizes if pref.plan.instances else (None,)
            addons = (None, *pref.plan.addons)
            residency = p.requirements.data_residency if KINDS[kind].stores_data else None
            if regions is None:
                if residency:
                    co.excluded.append(
                        Excluded(
                            pref,
                            Reason(
                                "requirement",
                                f"global service: data is not kept in {', '.join(residency)} (requirements.data_residency)",
                            ),
                        )
                    )
                    continue
                for s in sizes:
                    for ad in addons:
                        staged.append(Option(pref, s, None, edge, addon=ad))
                continue
            best_by_key: dict[tuple[object, ...], tuple[float, Region]] = {}
            outside = 0
            for r in regions:
                if residency and r.country not in residency:
                    outside += 1
                    continue
                lat = rtt_of(r)
                if lat > max_lat:
                    continue
                key = _region_price_key(pref, r, p.audience.main_country, exact=name in located)
                cur = best_by_key.get(key)
                if cur is None or (lat, r.id) < (cur[0], cur[1].id):
                    best_by_key[key] = (lat, r)
            if not best_by_key and residency and outside == len(regions):
                co.excluded.append(
                    Excluded(
                        pref,
                        Reason(
                            "requirement",
                            f"no region in {', '.join(residency)} (requirements.data_residency)",
                        ),
                    )
                )
                continue
            if not regions:
                co.excluded.append(Excluded(pref, Reason("catalog", "the catalog lists no region for it")))
                continue
            if not best_by_key:
                nearest = min(regions, key=rtt_of)
                lat = rtt_of(nearest)
                co.excluded.append(
                    Excluded(
                        pref,
                        Reason(
                            "region",
                            f"nearest region {nearest.id} ({nearest.city}) is ~{lat:.0f} ms from users (estimate), above the {max_lat:.0f} ms limit",
                        ),
                        nearest,
                    )
                )
                continue
            for lat, r in best_by_key.values():
                for s in sizes:
                    for ad in addons:
                        staged.append(Option(pref, s, r, lat, addon=ad))

        def rank(o: Option) -> tuple[object, ...]:
            mem = o.size.memory_mb if o.size else 0.0
            return (
                round(o.latency_ms, 1),
                o.provider,
                o.plan.service.id,
                o.plan.plan.id,
                mem,
                o.size.id if o.size else "",
                o.region.id if o.region else "",
                o.addon.id if o.addon else "",
            )

        staged.sort(key=rank)
        co.options = [
            Option(o.plan, o.size, o.region, o.latency_ms, i, o.addon) for i, o in enumerate(staged)
        ]
        out[name] = co
    return out
