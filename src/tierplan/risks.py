"""Operational risks of a chosen option, in the words a founder would use."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .engine.egress_ip import allow_listing_stores
from .engine.scale import busy_day_applies
from .kinds import KINDS
from .pricing import Context, Evaluation

__all__ = ["risks_of"]


def risks_of(
    ev: Evaluation,
    kind: str,
    ctx: Context,
    commercial: bool,
    latency_ms: float | None,
    pubsub: str | None = None,
    redis_components: Sequence[str] = (),
    written_for: Any = None,
) -> list[str]:
    """``pubsub``: for a realtime component, the redis component it publishes through
    (Profile.pubsub_redis; None: none), ``redis_components``: the profile's redis components,
    ``written_for``: the component's profile.WrittenFor (the provider its code is written for)."""
    a = ev.option.attributes
    out: list[str] = []
    inst = ev.option.plan.plan.instances
    if (
        inst is not None
        and inst.horizontal
        and ev.instances == 1
        and KINDS[kind].runs_code
    ):
        if a.zero_downtime_deploys:
            out.append(
                "single instance: a crash or host failure means downtime until it restarts (deploys need the bluegreen strategy to avoid a gap)"
            )
        else:
            out.append("single instance: every deploy and every crash is downtime")
    # realtime is left out here, unlike the other runs_code checks (as it always was)
    if a.zero_downtime_deploys is False and kind in ("web_service", "worker"):
        out.append("deploys restart the service (brief downtime on every deploy)")
    if kind == "realtime" and not a.serverless and (ev.instances > 1 or ctx.high_availability):
        many = f"{max(2, ev.instances)} instances"
        if pubsub is not None:
            out.append(
                f"{many}: a message reaches sockets on other instances only through the Redis pub/sub "
                f"adapter on {pubsub} (e.g. @socket.io/redis-adapter; its commands are in {pubsub}'s "
                "demand); clients connect over WebSocket only, or the host must keep sticky sessions"
            )
        elif redis_components:
            out.append(
                f"{many} and no Redis named to publish through: a message reaches only the sockets on its "
                f"own instance; name one in its pubsub key (e.g. {redis_components[0]}) for a pub/sub adapter "
                "(e.g. @socket.io/redis-adapter) so the plan counts its commands"
            )
        else:
            out.append(
                f"{many} and no Redis to publish through: a message reaches only the sockets on its own "
                "instance; add a redis component for a pub/sub adapter (e.g. @socket.io/redis-adapter)"
            )
    if a.sleeps_when_idle:
        cs = f" (~{a.cold_start_s:g} s cold start)" if a.cold_start_s else ""
        after = f" after {a.idle_sleep_minutes:g} min idle" if a.idle_sleep_minutes else " when idle"
        out.append(f"sleeps{after}: the first request waits for it to wake{cs}")
    elif ev.running_hours < 729 and a.scale_to_zero and kind in ("web_service", "postgres"):
        out.append(
            f"scales to zero outside active hours ({ev.running_hours:,.0f} h/month running): first request after idle waits for a cold start"
        )
    if a.pauses_after_inactive_days:
        out.append(
            f"paused after {a.pauses_after_inactive_days:g} days without activity (must be resumed by hand)"
        )
    if KINDS[kind].server_store and a.persistent is not False:
        if a.backups is False or (a.backups is None and kind != "redis"):
            out.append("no backups included: data loss on a bad migration or deletion")
        elif a.pitr_days is None and a.pitr_available:
            out.append(
                "point-in-time restore exists but its window is not published: check how far back it reaches before relying on it"
            )
        elif a.pitr_days is not None and a.pitr_days == 0:
            out.append("no point-in-time recovery: restores go back to the last snapshot")
        elif a.pitr_days is not None and a.pitr_days < 1:
            out.append(f"point-in-time recovery covers only {a.pitr_days * 24:g} hours")
    if a.persistent is False and KINDS[kind].cache:
        out.append("in-memory only: data is lost on restart")
    if a.schedule_best_effort and kind == "scheduled_job":
        out.append(
            "best-effort schedule: runs can start late or be dropped under load; not for commercially critical timing"
        )
    if a.stops_at_quota:
        out.append("hard cap: the service stops (or refuses requests) at the quota instead of billing more")
    for lim in ev.option.plan.plan.limits:
        used = ev.metrics.get(lim.metric, 0.0)
        if lim.kind == "hard" and lim.max > 0 and used > 0 and busy_day_applies(lim):
            out.append(
                f"runs on a daily hard cap ({lim.metric}): {used / lim.max:.0%} of {lim.max:,g} on an "
                f"average day, {used * ctx.busy_day_factor / lim.max:.0%} on a busy day "
                f"({ctx.busy_day_factor:g} x average, limits.busy_day_factor); past it requests fail "
                "until the day resets"
            )
    if commercial and a.commercial_use is None:
        out.append("terms do not state whether commercial use is allowed: check before launch")
    if a.high_availability is False and kind == "postgres":
        out.append("no standby: a host failure means database downtime until it is restored")
    if latency_ms is not None and latency_ms > 120:
        out.append(f"far from users: ~{latency_ms:.0f} ms round trip (estimate)")
    offer = ev.option.plan.static_egress_ip
    stores = allow_listing_stores(ev.lines)
    if stores and offer is not None and offer.shared:
        out.append(
            f"allow-listed store reached from shared outbound addresses: {', '.join(stores)} must admit "
            f"{ev.option.plan.provider.name}'s outbound addresses"
            + (f" in {ev.option.region.id}" if ev.option.region is not None else "")
            + ", which other customers of the host send from too: the allow list lets their code "
            "reach the store's port, and only its password and TLS keep them out"
        )
    if not ev.option.plan.plan.available:
        out.append("legacy plan: new accounts cannot buy it")
    if written_for is not None and ev.option.provider != written_for.provider:
        out.append(
            f"{written_for.describe()}: running it on "
            f"{ev.option.provider} means rewriting it first ("
            + (f"{written_for.rewrite_hours:g} h, " if written_for.rewrite_hours is not None else "")
            + "written_for.rewrite_hours)"
        )
    return list(dict.fromkeys(out))
