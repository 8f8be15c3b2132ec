"""Stores on other hosts: static egress IPs and unreachable pairings (docs/optimizer.md).

A store that admits callers from outside its provider's private network by IP allow list only
(catalog ``network_access: ip_allow_list``: Render Postgres and Key Value as tierplan configures
them, RDS behind its security group) needs every such caller to send from fixed addresses: the
caller's host sells those (catalog ``static_egress_ip``), per app and region, per app, or per
account and region. A caller whose host offers none, or at a price the catalog does not know,
cannot be paired with such a store; nor can any caller on another provider be paired with a store
reachable only on its provider's private network (``private_network``: Fly Managed Postgres,
ElastiCache). Pure functions over the problem's columns; the MILP (whole_stack.solve) prices the
addresses and forbids the pairings, ``price_solution`` reports them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..pricing import CostLine
from ..pricing.prices import resolve_price

__all__ = [
    "LINE_NAME",
    "StaticIp",
    "static_ip_of",
    "access_of",
    "pair_rule",
    "stack_static_ips",
    "allow_listing_stores",
]

#: the name of a caller's cost line for its static egress IP
LINE_NAME = "static egress IP"
_BY = "allow-listed by "


@dataclass(frozen=True)
class StaticIp:
    """What fixed outbound addresses cost a caller column: ``usd`` per month for the unit ``key``
    (callers with the same key share one price), or None when its host offers none or at an
    unknown price (``why``)."""

    key: tuple[Any, ...]
    usd: float | None
    why: str
    shared: bool
    command: str | None
    source: str | None
    as_of: str | None


def static_ip_of(comp: str, col: Any, country: str) -> StaticIp:
    """The static egress IP offer of a caller column (its option's plan, else its service)."""
    o = col.remote.option
    ref = o.plan
    offer = ref.static_egress_ip
    where = o.region.id if o.region is not None else "edge"
    provider = o.provider
    if offer is None:
        return StaticIp(
            (comp,),
            None,
            f"{ref.provider.name} states no static egress IP for {ref.key}",
            False,
            None,
            None,
            None,
        )
    src, as_of = offer.source, offer.as_of.isoformat() if offer.as_of else None
    if not offer.available:
        return StaticIp(
            (comp,),
            None,
            f"{ref.provider.name} offers no static egress IP on {ref.key}",
            False,
            None,
            src,
            as_of,
        )
    usd = resolve_price(offer.usd_per_month, o.region, country)
    if offer.per == "account_region":
        key: tuple[Any, ...] = ("account", provider, where)
    elif offer.per == "app":
        key = ("app", comp, provider)
    else:
        key = ("app", comp, provider, where)
    why = (
        ""
        if usd is not None
        else f"the price of {ref.provider.name}'s static egress IP in {where} is unknown"
    )
    cmd = offer.command.replace("{region}", where) if offer.command else None
    return StaticIp(key, usd, why, offer.shared, cmd, src, as_of)


def access_of(col: Any) -> str:
    """How a store column admits callers on other hosts: credentials | ip_allow_list | private_network."""
    return str(col.remote.option.plan.network_access)


def pair_rule(caller: Any, store: Any) -> str:
    """What pairing ``caller`` with ``store`` takes: ``ok`` (private network, or a store guarded by
    credentials), ``ip`` (the caller's static egress IP on the store's allow list) or ``no``
    (a store on a private network the caller is not on)."""
    access = access_of(store)
    same_place = caller.klass.colocation is not None and caller.klass.colocation == store.klass.colocation
    if access == "private_network":
        return "ok" if caller.klass.provider == store.klass.provider else "no"
    if access == "ip_allow_list" and not same_place:
        return "ip"
    return "ok"


def stack_static_ips(
    calls: dict[str, dict[str, float]], chosen: dict[str, Any], ips: dict[tuple[str, int], StaticIp]
) -> tuple[bool, dict[str, list[CostLine]], dict[str, float]]:
    """A chosen stack's static egress IPs: (whether every pairing is possible, cost lines per
    caller, cost per caller). A unit shared by several callers (one NAT gateway for the account's
    region) is billed to the first of them."""
    billed: set[tuple[Any, ...]] = set()
    lines: dict[str, list[CostLine]] = {}
    cost: dict[str, float] = {}
    ok = True
    for w in sorted(calls):
        if w not in chosen:
            continue
        wc = chosen[w]
        stores = [s for s in calls[w] if s in chosen and pair_rule(wc, chosen[s]) != "ok"]
        if not stores:
            continue
        if any(pair_rule(wc, chosen[s]) == "no" for s in stores):
            ok = False
            continue
        ip = ips.get((w, wc.klass.index))
        if ip is None or ip.usd is None:
            ok = False
            continue
        detail = _BY + ", ".join(stores)
        if ip.key in billed:
            usd = 0.0
            detail += "; the address set of another caller in this account and region"
        else:
            billed.add(ip.key)
            usd = ip.usd
            if ip.shared:
                detail += "; addresses shared with other customers of the host"
        lines.setdefault(w, []).append(
            CostLine(LINE_NAME, 1, "address set", usd, usd, detail, None, ip.source or "", ip.as_of or "")
        )
        cost[w] = cost.get(w, 0.0) + usd
    return ok, lines, cost


def allow_listing_stores(lines: Any) -> list[str]:
    """The stores whose allow lists name a caller's static egress IP, read from the caller's cost
    lines (the ``LINE_NAME`` line ``stack_static_ips`` wrote); empty when it needs none."""
    for ln in lines:
        if ln.name == LINE_NAME and ln.detail.startswith(_BY):
            return [s.strip() for s in ln.detail[len(_BY) :].split(";")[0].split(",") if s.strip()]
    return []
