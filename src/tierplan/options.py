"""Enumerate the options (plan x size x region) that could host each component.

Filters that do not depend on scale are applied here, once: kind, availability, providers
allowed, commercial use, credit card, runtime, persistence, data expiry, latency. Each excluded
plan keeps its reason so that reports can say why the obvious choice is not in the plan.
Regions whose prices are identical for a plan are collapsed to the closest one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from .assumptions import Assumptions
from .catalog.loader import Catalog, PlanRef
from .catalog.models import Region
from .geo import audience_rtt_ms
from .kinds import KINDS
from .pricing import Option, Reason, resolve_price
from .pricing.model import required_plan
from .profile import Profile
from .workload import Capacity

__all__ = [
    "Excluded",
    "ComponentOptions",
    "LatencyLimit",
    "build_options",
    "latency_limits",
    "located_groups",
    "nearest_priced_region",
    "price_known",
    "DEFAULT_LATENCY_SLACK_MS",
]

#: when the profile sets no max_latency_ms, a region is "near" the users when its estimated round
#: trip is within this many ms of the nearest region where the component has a price (shared by
#: the components placed together: latency_limits)
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
    wf = comp.written_for
    if wf is not None and prov != wf.provider and wf.rewrite_hours is None:
        out.append(
            Reason(
                "requirement",
                f"{wf.describe()}: another host means a rewrite "
                f"(set components.{comp_name}.written_for.rewrite_hours to consider one)",
            )
        )
    if p.commercial and a.commercial_use is False:
        out.append(Reason("attribute", "plan forbids commercial use, and the app is commercial"))
    if req.no_credit_card and a.credit_card_required:
        out.append(Reason("requirement", "needs a credit card (requirements.no_credit_card)"))
    if a.managed is False and not req.allow_unmanaged:
        what = "database" if KINDS[kind].server_store else "TURN relay" if kind == "turn" else kind.replace("_", " ")
        out.append(
            Reason(
                "requirement",
                f"self-run (unmanaged) {what}: set requirements.allow_unmanaged: true to consider it",
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


@dataclass(frozen=True)
class LatencyLimit:
    """How far (users' round trip, ms) a component's region may be: the profile's
    ``requirements.max_latency_ms``, or by default the nearest region where the component (or a
    component placed with it) has a price, plus ``DEFAULT_LATENCY_SLACK_MS``."""

    ms: float
    #: True: requirements.max_latency_ms; False: the default derived from the catalog
    explicit: bool
    #: default only: the region the default is measured from and the users' round trip to it
    #: (None when no region has a price: then the nearest region of the whole catalog)
    basis: Region | None = None
    basis_ms: float | None = None
    #: default only: the component whose nearest priced region is the basis
    basis_component: str | None = None

    def describe(self) -> str:
        """``120 ms limit`` or ``100 ms default limit (...)``: for exclusion reasons."""
        if self.explicit:
            return f"{self.ms:.0f} ms limit (requirements.max_latency_ms)"
        if self.basis is None or self.basis_ms is None:
            return f"{self.ms:.0f} ms default limit (the nearest catalog region + {DEFAULT_LATENCY_SLACK_MS:.0f} ms)"
        return (
            f"{self.ms:.0f} ms default limit ({self.basis_component}'s nearest region with a price, "
            f"{self.basis.id} ({self.basis.city}) ~{self.basis_ms:.0f} ms, + {DEFAULT_LATENCY_SLACK_MS:.0f} ms; "
            "set requirements.max_latency_ms to choose)"
        )


def price_known(opt: Option, country: str) -> bool:
    """Whether the option has a price in its region for the audience's main country: its flat fees
    (plan, required plan, add-on, seats, account plan), its instance size and the first tier of
    each meter resolve to numbers. Static (no demand): tiers beyond the first may still be unknown,
    which an evaluation reports when usage reaches them."""
    plan, r = opt.plan.plan, opt.region
    fees = [plan.base_usd_month]
    if "seat_usd_month" in plan.model_fields_set:
        fees.append(plan.seat_usd_month)
    if plan.requires is not None:
        fees.append(required_plan(opt).base_usd_month)
    if opt.addon is not None:
        fees.append(opt.addon.base_usd_month)
    acct = opt.plan.account
    if acct is not None:
        fees.append(acct.base_usd_month)
        if "seat_usd_month" in acct.model_fields_set:
            fees.append(acct.seat_usd_month)
    if any(resolve_price(f, r, country) is None for f in fees):
        return False
    if any(m.tiers and resolve_price(m.tiers[0].usd_per_unit, r, country) is None for m in plan.meters):
        return False
    return opt.size is None or opt.hourly_price(country) is not None


def located_groups(p: Profile) -> list[tuple[str, ...]]:
    """The components placed together: each web service that calls others with the components it
    calls, joined where they share a component (two APIs on one database are one group); in
    profile order. Components in no group are not listed."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    kinds = {n: c.kind for n, c in p.components.items()}
    for name, c in p.components.items():
        if not KINDS[c.kind].calls_stores:
            continue
        calls = getattr(c, "calls", None)
        targets = list(calls) if calls is not None else [n for n, k in kinds.items() if KINDS[k].called_by_api]
        for t in targets:
            parent[find(t)] = find(name)
    groups: dict[str, list[str]] = {}
    for name in p.components:
        if name in parent:
            groups.setdefault(find(name), []).append(name)
    return [tuple(g) for g in groups.values() if len(g) > 1]


def _eligible_regions(
    pref: PlanRef, p: Profile, name: str, cap: Capacity, kind: str
) -> tuple[Region, ...]:
    """The regions where a regional plan could host the component: available, no static reason
    against it, within requirements.data_residency for a data store. Empty for global plans."""
    if not pref.plan.available or pref.regions is None or static_reasons(pref, p, name, cap, kind):
        return ()
    residency = p.requirements.data_residency if KINDS[kind].stores_data else None
    return tuple(r for r in pref.regions if not residency or r.country in residency)


def nearest_priced_region(
    p: Profile, catalog: Catalog, name: str, cap: Capacity, rtt_of: Callable[[Region], float]
) -> tuple[float, Region] | None:
    """The users' round trip to the nearest region where some plan that could host component
    ``name`` has a price (``price_known``, base option: no add-on), and that region; None when no
    regional plan has a price anywhere (global plans never count: they have no region to limit)."""
    kind = p.components[name].kind
    country = p.audience.main_country
    best: tuple[float, Region] | None = None
    for pref in catalog.plans_for(kind):
        regions = _eligible_regions(pref, p, name, cap, kind)
        if not regions:
            continue
        sizes = pref.plan.instances.sizes if pref.plan.instances else (None,)
        for ms, r in sorted(((rtt_of(r), r) for r in regions), key=lambda x: (x[0], x[1].id)):
            if best is not None and (ms, r.id) >= (best[0], best[1].id):
                break  # no nearer region left for this plan
            if any(price_known(Option(pref, s, r, ms), country) for s in sizes):
                best = (ms, r)
                break
    return best


def latency_limits(
    p: Profile,
    catalog: Catalog,
    a: Assumptions,
    capacities: dict[str, Capacity],
    rtt_of: Callable[[Region], float] | None = None,
) -> dict[str, LatencyLimit]:
    """Per component, the users' round-trip limit for its regions.

    ``requirements.max_latency_ms`` when set. Otherwise the round trip to the nearest region where
    the component has a price (``nearest_priced_region``: a region listed without a price, such as
    Fly bom or AWS ap-south-1 for an API, is not a basis), plus ``DEFAULT_LATENCY_SLACK_MS``;
    components placed together (``located_groups``: an API and what it calls) share the farthest
    of their bases, so each keeps a priced region it can share with the others. So a default
    never excludes every priced region of a component. With no priced region at all (every
    regional price unknown), the nearest region of the whole catalog + the slack."""
    shares = p.audience.shares
    if rtt_of is None:

        def rtt_of(r: Region) -> float:
            return audience_rtt_ms(shares, r.lat, r.lon, a)

    explicit = p.requirements.max_latency_ms
    if explicit is not None:
        return {n: LatencyLimit(explicit, True) for n in p.components}
    fallback = LatencyLimit(
        min(
            (rtt_of(r) for prov in catalog.providers.values() for r in prov.regions),
            default=a["latency.edge_rtt_ms"],
        )
        + DEFAULT_LATENCY_SLACK_MS,
        False,
    )
    groups = located_groups(p)
    grouped = {n for g in groups for n in g}
    out: dict[str, LatencyLimit] = {}
    for g in [*groups, *((n,) for n in p.components if n not in grouped)]:
        bases = [
            (b[0], b[1].id, n, b[1])
            for n in g
            if (b := nearest_priced_region(p, catalog, n, capacities[n], rtt_of)) is not None
        ]
        if not bases:
            lim = fallback
        else:
            ms, _, comp, region = max(bases, key=lambda x: (x[0], x[1], x[2]))
            lim = LatencyLimit(ms + DEFAULT_LATENCY_SLACK_MS, False, region, ms, comp)
        for n in g:
            out[n] = lim
    return out


def located_components(p: Profile) -> set[str]:
    """Components whose exact location matters beyond price: web services that call others and
    the components they call (latency and private-network traffic between them)."""
    return {n for g in located_groups(p) for n in g}


def build_options(
    p: Profile, catalog: Catalog, a: Assumptions, capacities: dict[str, Capacity]
) -> dict[str, ComponentOptions]:
    """Options for every component of ``p``. ``capacities`` come from any demand point (static parts).

    Regions with identical prices collapse to the nearest one, except for components whose location
    matters to another component (located_components): there only regions in the same place do."""
    shares = p.audience.shares
    located = located_components(p)
    rtt_cache: dict[tuple[float, float], float] = {}

    def rtt_of(r: Region) -> float:
        """The users' round trip to a region (cached: many plans share a region)."""
        key = (r.lat, r.lon)
        v = rtt_cache.get(key)
        if v is None:
            v = rtt_cache[key] = audience_rtt_ms(shares, r.lat, r.lon, a)
        return v

    limits = latency_limits(p, catalog, a, capacities, rtt_of)
    edge = a["latency.edge_rtt_ms"]
    out: dict[str, ComponentOptions] = {}
    for name, comp in p.components.items():
        kind = comp.kind
        co = ComponentOptions(name, kind)
        cap = capacities[name]
        limit = limits[name]
        max_lat = limit.ms
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
                            f"nearest region {nearest.id} ({nearest.city}) is ~{lat:.0f} ms from users (estimate), above the {limit.describe()}",
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
