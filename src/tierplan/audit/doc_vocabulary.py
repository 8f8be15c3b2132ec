"""The vocabulary a hand-written plan is read with: which providers, services and plans of the
catalog a text names, and what a plan costs at a glance.

The vocabulary comes from the catalog only: provider ids and names, service names (minus the
provider's name: ``Cloudflare R2`` -> ``R2``), plan ids and names (minus parentheses) and account
plan names. A plan named by an ordinary word ("tempting for launch") names nothing. Nothing here
knows a particular document; the figures a text states are read by doc_claims.py.
"""

from __future__ import annotations

import bisect
import functools
import re
from dataclasses import dataclass

from ..catalog.loader import Catalog, PlanRef
from .doc_prefilter import RefClasses, alias_matches, alias_search, folded, may_match

__all__ = [
    "Vocabulary",
    "Match",
    "build_vocabulary",
    "flat_fee",
    "size_prices",
    "is_usage_priced",
    "plan_price_text",
    "price_or_none",
    "is_free_plan",
    "KIND_WORDS",
]

#: words that name a plan on many providers: they never identify a provider by themselves
_GENERIC_PLAN_WORDS = {
    "free",
    "pro",
    "paid",
    "starter",
    "standard",
    "hobby",
    "launch",
    "scale",
    "team",
    "basic",
    "business",
    "developer",
    "enterprise",
    "growth",
    "solo",
    "legacy",
    "plan",
    "tier",
    "trial",
    "pay as you go",
    # account plans are named "Pro organization", "Team organization": the word alone names none
    "organization",
    "organisation",
    "workspace",
    "the",
    "and",
    "with",
    "cloud",
    "api",
    "usage",
    "model",
}
#: words of service names that are ordinary words: never an alias on their own
_GENERIC_SERVICE_WORDS = {
    "storage",
    "hosting",
    "functions",
    "function",
    "realtime",
    "email",
    "monitoring",
    "uptime",
    "logs",
    "telemetry",
    "errors",
    "error",
    "tracking",
    "services",
    "service",
    "machines",
    "transactional",
    "postgres",
    "postgresql",
    "redis",
    "pages",
    "workers",
    "worker",
    "queues",
    "turn",
    "key",
    "value",
    "web",
    "background",
    "static",
    "sites",
    "database",
    "cloud",
    "api",
    "network",
    "traversal",
    "managed",
    "objects",
    "on",
    "for",
    "and",
    "of",
    "the",
    "with",
    "template",
    "apps",
    "app",
    "standard",
    "infrequent",
    "access",
    "linux",
    "project",
    "unmanaged",
    "data",
    "cdn",
    "free",
}
#: ordinary words of service names ("Workers Cron Triggers", "Hetzner Cloud Servers", "Render
#: Cron Jobs", "Auth0 Customer Identity Platform"): no alias on their own, though the service's
#: whole name ("cron triggers") still is one
_ORDINARY_SERVICE_WORDS = {
    "cron",
    "triggers",
    "trigger",
    "jobs",
    "job",
    "scheduled",
    "workflows",
    "server",
    "servers",
    "customer",
    "identity",
    "platform",
    "authentication",
    "durable",
}
#: words of component kinds (from the catalog's COMPONENT_KINDS) as written in plans
KIND_WORDS: dict[str, tuple[str, ...]] = {
    "postgres": ("postgres", "postgresql", "database", "db", "sql"),
    "redis": ("redis", "cache", "valkey", "key value"),
    "object_storage": ("object storage", "file storage", "files", "uploads", "s3", "static assets", "images"),
    "web_frontend": ("frontend", "front-end", "static site", "cdn", "next.js", "spa"),
    "web_service": ("backend", "api", "server", "signaling", "web service", "app"),
    "worker": ("worker", "celery", "background"),
    "email": ("email", "e-mail", "smtp"),
    "uptime": ("uptime", "monitoring", "monitors", "monitor", "health checks", "status page"),
    "error_tracking": ("error tracking", "errors", "sentry"),
    "logging": ("logging", "logs"),
    "turn": ("turn", "relay", "stun"),
    "kv": ("kv",),
    "queue": ("queue", "queues"),
    "sqlite": ("d1", "sqlite"),
    "realtime": ("realtime", "durable objects", "websocket"),
    "messaging": ("whatsapp", "sms"),
    "auth": ("authentication", "sign-in"),
    "scheduled_job": ("cron job", "cron jobs", "scheduled job", "scheduled jobs"),
}


def _norm(s: str) -> str:
    s = re.sub(r"\([^)]*\)", " ", s)
    s = re.sub(r"[^a-z0-9.+]+", " ", s.lower())
    return re.sub(r"\s+", " ", s).strip()


def _alias_re(alias: str) -> re.Pattern[str]:
    words = [re.escape(w) for w in alias.split()]
    body = r"[\s\-_./]*".join(words)
    return re.compile(rf"(?<![a-z0-9]){body}(?![a-z0-9])", re.I)


@dataclass(frozen=True)
class Match:
    """What a piece of text names in the catalog."""

    providers: tuple[str, ...]
    plans: tuple[PlanRef, ...]
    #: True when a plan (not only a provider or service) is named
    plan_named: bool
    plan_words: tuple[str, ...] = ()


class Vocabulary:
    """Aliases built from the catalog."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.provider_aliases: list[tuple[re.Pattern[str], str]] = []
        self.service_aliases: list[tuple[re.Pattern[str], str, str]] = []  # (re, provider, service)
        self.plan_aliases: dict[str, list[tuple[re.Pattern[str], str, PlanRef]]] = {}
        self.by_provider: dict[str, list[PlanRef]] = {}
        self.distinctive_plans: list[tuple[re.Pattern[str], str]] = []
        self.service_words: dict[tuple[str, str], set[str]] = {}
        kind_phrases = {w for ws in KIND_WORDS.values() for w in ws} | set(KIND_WORDS)
        seen: set[tuple[str, str]] = set()
        distinctive: dict[str, set[str]] = {}  # a plan name of two words or more -> its providers
        for ref in catalog.plans:
            pid = ref.provider.provider
            self.by_provider.setdefault(pid, []).append(ref)
            if (pid, "") not in seen:
                seen.add((pid, ""))
                names = {pid, _norm(ref.provider.name)}
                paren = re.findall(r"\(([^)]*)\)", ref.provider.name)
                names.update(_norm(p) for p in paren)
                host = re.sub(r"^https?://(www\.)?", "", ref.provider.homepage).split("/")[0]
                names.add(_norm(host))
                names.add(_norm(host.rsplit(".", 1)[0]))
                for n in names:
                    if n and n not in _GENERIC_PLAN_WORDS and len(n) >= 2:
                        self.provider_aliases.append((_alias_re(n), pid))
            if (pid, ref.service.id) not in seen:
                seen.add((pid, ref.service.id))
                prov_words = set(_norm(ref.provider.name).split()) | {pid}
                sname = _norm(ref.service.name)
                rest = [w for w in sname.split() if w not in prov_words]
                aliases = set()
                if rest and rest != sname.split():
                    aliases.add(sname)  # "cloudflare r2", "amazon s3"
                for w in rest:
                    if w not in _GENERIC_SERVICE_WORDS and w not in _ORDINARY_SERVICE_WORDS and len(w) >= 2:
                        aliases.add(w)  # "r2", "kv", "d1", "s3", "fargate", "elasticache"
                rest_phrase = " ".join(rest)
                if len(rest) >= 2 and not set(rest) <= (_GENERIC_SERVICE_WORDS | kind_phrases):
                    aliases.add(rest_phrase)  # "durable objects"
                self.service_words.setdefault((pid, ref.service.id), set()).update(
                    {rest_phrase, sname, *aliases}
                )
                for n in aliases:
                    self.service_aliases.append((_alias_re(n), pid, ref.service.id))
            names = {_norm(ref.plan.name), ref.plan.id.replace("-", " ")}
            if ref.account is not None:
                names.add(_norm(ref.account.name))
                names.add(ref.account.id.replace("-", " "))
            svc_words = self.service_words.get((pid, ref.service.id), set())
            for n in names:
                if not n or n in svc_words:
                    continue
                n2 = re.sub(r"\b(team|workspace|plan|on demand cdn|machines)\b", " ", n)
                for alias in {n, re.sub(r"\s+", " ", n2).strip()}:
                    # "team organization" less "team" is "organization", which names every plan
                    if alias and not (alias != n and alias in _GENERIC_PLAN_WORDS):
                        self.plan_aliases.setdefault(pid, []).append((_alias_re(alias), alias, ref))
                        words = set(alias.split())
                        if (
                            len(words) >= 2
                            and not words <= _GENERIC_PLAN_WORDS
                            and alias not in kind_phrases
                            and not re.fullmatch(r"[\d.]+\s*\w*", alias)
                        ):
                            distinctive.setdefault(alias, set()).add(pid)

        # a plan name identifies its provider only when no other provider uses it ("workers paid"
        # does; "pay as you go" does not)
        self.distinctive_plans = [
            (_alias_re(alias), next(iter(pids))) for alias, pids in distinctive.items() if len(pids) == 1
        ]

    @functools.cached_property
    def _providers_seen(self) -> dict[str, tuple[tuple[int, str], ...]]:
        return {}  # providers_in by text: a line is read again as the context of the lines below

    @functools.cached_property
    def _same_ref(self) -> RefClasses:
        return RefClasses(self.catalog.plans)

    def providers_in(self, text: str) -> list[str]:
        out: list[str] = []
        for _, pid in self.provider_positions(text):
            if pid not in out:
                out.append(pid)
        return out

    def provider_positions(self, text: str) -> list[tuple[int, str]]:
        """(offset, provider) of every provider, service or distinctive plan name in ``text``;
        remembered per text (a line is read again as the context of the lines below)."""
        seen = self._providers_seen.get(text)
        if seen is None:
            seen = self._providers_seen[text] = tuple(self._provider_positions(text))
        return list(seen)

    def _provider_positions(self, text: str) -> list[tuple[int, str]]:
        # "cloudflare_r2:", "railway_hobby:": a key of a YAML-like block names the provider too
        text = text.replace("_", " ")
        low = folded(text)
        found: list[tuple[int, str]] = []
        spans: list[tuple[int, int, str]] = []
        for rx, pid in self.provider_aliases:
            if not may_match(rx, low):
                continue
            for m in alias_matches(rx, text, low):
                found.append((m.start(), pid))
                spans.append((m.start(), m.end(), pid))
        others = [(rx, pid) for rx, pid, _ in self.service_aliases] + list(self.distinctive_plans)
        # the provider names a match overlaps, looked up by start (a long line names many)
        by_start = sorted(spans)
        starts = [a for a, _, _ in by_start]
        longest = max((b - a for a, b, _ in spans), default=0)
        for rx, pid in others:
            if not may_match(rx, low):
                continue
            for m in alias_matches(rx, text, low):
                near = by_start[
                    bisect.bisect_right(starts, m.start() - longest) : bisect.bisect_left(starts, m.end())
                ]
                if any(a < m.end() and m.start() < b and p != pid for a, b, p in near):
                    continue
                found.append((m.start(), pid))
        return sorted(found)

    def match(
        self, text: str, providers: list[str], kinds: set[str] | None = None, service_text: str = ""
    ) -> Match:
        """Plans of ``providers`` that ``text`` names. Without a plan name, the provider's plans
        (filtered by named services or component kinds)."""
        plans: list[PlanRef] = []
        words: list[str] = []
        named = False
        same = self._same_ref.of
        text = _as_plan_text(text)
        in_plans: set[int] = set()  # same(r) of the plans
        low = folded(text)
        for pid in providers:
            refs = all_refs = self.by_provider.get(pid, [])
            services = {
                sid
                for rx, p, sid in self.service_aliases
                if p == pid and may_match(rx, low) and alias_search(rx, text, low)
            }
            text_services = bool(services)
            if not services and service_text:
                low_service = folded(service_text)
                services = {
                    sid
                    for rx, p, sid in self.service_aliases
                    if p == pid and may_match(rx, low_service) and alias_search(rx, service_text, low_service)
                }
            all_refs = refs
            if services:
                refs = [r for r in refs if r.service.id in services]
            if kinds:
                k_refs = [r for r in refs if set(r.hosts) & kinds]
                if not k_refs and services and not text_services:
                    # "Database, auth, realtime — Supabase": the heading's services and kinds
                    # disagree (auth hosts neither); the kinds decide
                    k_refs = [r for r in all_refs if set(r.hosts) & kinds]
                if k_refs:
                    refs = k_refs
            hits: list[tuple[int, PlanRef, str]] = []
            in_refs = {same(r) for r in refs}
            for rx, alias, ref in self.plan_aliases.get(pid, []):
                if same(ref) not in in_refs or not may_match(rx, low):
                    continue
                m = alias_search(rx, text, low)
                if m:
                    hits.append((len(alias), ref, alias))
            free_word = re.search(r"\bfree\b", text, re.I)
            # "runs on Fly's free allowance (3 shared-cpu-1x 256MB machines)": the free tier is named
            # even beside another plan's name (here an instance size)
            if free_word and (not hits or _FREE_TIER.search(text)):
                free_refs = [r for r in refs if is_free_plan(r)]
                if free_refs:
                    hits += [(4, r, "free") for r in free_refs]
                else:
                    # no free plan: the free tier is the included amounts of the paid plans
                    hits += [(4, r, "free allowance") for r in refs if r.plan.available]
            if hits:
                named = True
                # an alias inside a longer one names nothing of its own ("paid" in "workers paid");
                # every other plan named counts ("Starter / Standard / Pro" in a row of stages)
                chosen = [
                    h
                    for h in hits
                    if h[2] == "free"
                    or not any(
                        len(o[2]) > len(h[2]) and re.search(rf"\b{re.escape(h[2])}\b", o[2]) for o in hits
                    )
                ]
                for _, r, alias in chosen:
                    if same(r) not in in_plans:
                        in_plans.add(same(r))
                        plans.append(r)
                    if alias not in words:
                        words.append(alias)
            else:
                for r in refs:
                    if same(r) not in in_plans:
                        in_plans.add(same(r))
                        plans.append(r)
        return Match(tuple(providers), tuple(plans), named, tuple(words))


_FREE_TIER = re.compile(r"\bfree\s+(?:allowance|tier|plan|quota)\b", re.I)
#: plan names that are ordinary words, used as words: "tempting for launch", "at scale", "our
#: team", "the business" (lower case only: "Neon Launch", "the Team plan" still name plans)
_ORDINARY_USE = re.compile(
    r"(\b(?:for|at|before|after|until|till|since|to|from|of|our|the|a|my|your|whole|small|this)\s+)"
    r"(launch|scale|team|business|growth)\b(?!\s+(?:plan|tier)\b)"
)


@functools.lru_cache(maxsize=256)
def _as_plan_text(text: str) -> str:
    """``text`` as plan names are looked up in it, as long as it: "cloudflare_r2" is two words, and
    plan names used as ordinary words ("tempting for launch") are blanked (remembered per text: a
    line is matched once per provider)."""
    return _ORDINARY_USE.sub(lambda m: m.group(1) + " " * len(m.group(2)), text.replace("_", " "))


def is_free_plan(ref: PlanRef) -> bool:
    if flat_fee(ref) == 0 and ref.plan.limits and not is_usage_priced(ref) and not ref.plan.meters:
        return True
    return (
        "free" in ref.plan.id.split("-")
        or bool(re.search(r"\bfree\b", ref.plan.name, re.I))
        or (ref.account is not None and "free" in ref.account.id.split("-"))
    )


def build_vocabulary(catalog: Catalog) -> Vocabulary:
    return Vocabulary(catalog)


# ---------------------------------------------------------------------------------------------
# prices of a plan


def price_or_none(v: object) -> float | None:
    """A catalog price that is one number (not a price per region, not unknown)."""
    if v is None or isinstance(v, dict):
        return None
    return float(v)  # type: ignore[arg-type]


def flat_fee(ref: PlanRef) -> float | None:
    """Fixed monthly fee of a plan: base + its account plan's base + one seat; None if unknown."""
    parts = [ref.plan.base_usd_month, ref.plan.seat_usd_month]
    if ref.account is not None:
        parts += [ref.account.base_usd_month, ref.account.seat_usd_month]
    total = 0.0
    for i, p in enumerate(parts):
        if p is None and i in (1, 3):
            continue  # no seat price
        v = price_or_none(p)
        if v is None:
            return None
        total += v
    return total


def size_prices(ref: PlanRef) -> list[tuple[str, float]]:
    """Monthly price of each instance size (hourly prices x 730 h), where a single figure exists."""
    out: list[tuple[str, float]] = []
    if ref.plan.instances is None:
        return out
    for s in ref.plan.instances.sizes:
        m = price_or_none(s.usd_per_month)
        h = price_or_none(s.usd_per_hour)
        if m is not None:
            out.append((s.name or s.id, m))
        elif h is not None:
            out.append((s.name or s.id, h * 730))
    return out


def is_usage_priced(ref: PlanRef) -> bool:
    hourly = ref.plan.instances is not None and any(
        s.usd_per_hour not in (None, 0, 0.0) for s in ref.plan.instances.sizes
    )
    metered = any(any(t.usd_per_unit not in (0, 0.0) for t in m.tiers) for m in ref.plan.meters)
    return hourly or metered


def plan_price_text(ref: PlanRef) -> str:
    fee = flat_fee(ref)
    sizes = size_prices(ref)
    bits = []
    if fee is None:
        bits.append("monthly fee unknown")
    elif fee > 0 or not (sizes or is_usage_priced(ref)):
        bits.append(f"${fee:,.2f}/month".replace(".00/", "/"))
    else:
        bits.append("no fixed monthly fee")
    if sizes:
        lo = min(p for _, p in sizes)
        hi = max(p for _, p in sizes)
        bits.append(f"instances ${lo:,.2f}-${hi:,.2f}/month" if lo != hi else f"instance ${lo:,.2f}/month")
    elif fee == 0 and is_usage_priced(ref):
        bits.append("usage-priced")
    return ", ".join(bits)
