"""Matching what a hand-written plan says about a provider's prices and free tiers to the catalog.

The vocabulary comes from the catalog only: provider ids and names, service names (minus the
provider's name: ``Cloudflare R2`` -> ``R2``), plan ids and names (minus parentheses) and account
plan names. Quantities are mapped to catalog metrics by the nouns next to them (storage,
bandwidth, requests, commands, reads, writes, compute hours...) and their period (per day, per
month). Nothing here knows a particular document.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass

from ..catalog.loader import Catalog, PlanRef
from ..metrics import METRICS
from .doc_prefilter import (
    RefClasses,
    alias_matches,
    alias_search,
    folded,
    head,
    last_start_before,
    match_ends,
    may_match,
    tail,
    without_caret,
)

__all__ = [
    "Vocabulary",
    "Match",
    "Quantity",
    "UnitPrice",
    "build_vocabulary",
    "find_quantities",
    "find_unit_prices",
    "flat_fee",
    "size_prices",
    "plan_price_text",
    "figures_for",
    "KIND_WORDS",
    "DURATION_FACTS",
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
                    if alias:
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
        text = _ORDINARY_USE.sub(lambda m: m.group(1) + " " * len(m.group(2)), text.replace("_", " "))
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
            if free_word and not hits:
                free_refs = [r for r in refs if _is_free_plan(r)]
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


#: plan names that are ordinary words, used as words: "tempting for launch", "at scale", "our
#: team", "the business" (lower case only: "Neon Launch", "the Team plan" still name plans)
_ORDINARY_USE = re.compile(
    r"(\b(?:for|at|before|after|until|till|since|to|from|of|our|the|a|my|your|whole|small|this)\s+)"
    r"(launch|scale|team|business|growth)\b(?!\s+(?:plan|tier)\b)"
)


def _is_free_plan(ref: PlanRef) -> bool:
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


def _num_or_none(v: object) -> float | None:
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
        v = _num_or_none(p)
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
        m = _num_or_none(s.usd_per_month)
        h = _num_or_none(s.usd_per_hour)
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


# ---------------------------------------------------------------------------------------------
# quantities and unit prices in text

_NUMQ = r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<mult>k|m|b|thousand|million|billion)?\b"
_SIZE = r"(?P<size>gb|mb|tb|gib|mib)\b(?!\s*-?\s*(?:hours?|hrs?|h)\b)"
_METRIC_NOUNS: list[tuple[str, tuple[str, ...]]] = [
    (
        r"compute[\s-]*hours?|hours?\s*(?:/\s*month\s*)?compute|h\s+compute|cu[\s-]*hours?",
        ("cu_hours_per_month",),
    ),
    (r"bandwidth|egress|transfer|outbound|data\s+transfer", ("egress_gb_per_month",)),
    (r"storage|disk|database|db\b", ("storage_gb", "dataset_mb")),
    (r"commands?|cmds?|comandos?|commandes?|perintah|befehle", ("commands_per_", "requests_per_")),
    (r"class\s+a(?:\s+op\w*)?", ("class_a_ops_per_",)),
    (r"class\s+b(?:\s+op\w*)?", ("class_b_ops_per_",)),
    (
        r"operations?|ops\b|operaciones|opera[çc][õo]es|op[ée]rations|operasi|operationen",
        ("class_a_ops_per_", "class_b_ops_per_"),
    ),
    (
        r"requests?|req\b|invocations?|calls?|richieste|solicitudes|peticiones|requisi[çc][õo]es|requ[êe]tes|"
        r"anfragen|permintaan|istek(?:ler)?",
        (
            "requests_per_",
            "edge_requests_per_",
            "function_invocations_per_",
            "commands_per_",
            "class_a_ops_per_",
            "do_requests_per_",
        ),
    ),
    (r"reads?", ("kv_reads_per_", "rows_read_per_", "class_b_ops_per_")),
    (r"writes?", ("kv_writes_per_", "rows_written_per_", "class_a_ops_per_")),
    (r"e-?mails?|correos?|courriels?", ("emails_per_",)),
    (
        r"(?:concurrent\s+|peak\s+|simultaneous\s+)?(?:realtime\s+)?connections?|conex[õo]es|conexiones|connexions",
        ("concurrent_connections", "connections"),
    ),
    (
        r"MAUs?\b|MRUs?\b|monthly\s+(?:active|retained)\s+users|usu[áa]rios\s+ativos|usuarios\s+activos|"
        r"utilisateurs\s+actifs",
        ("monthly_active_users",),
    ),
    (r"monitors?", ("uptime_monitors",)),
    (r"(?:error\s+)?events|errors", ("error_events_per_",)),
    (r"messages?", ("realtime_messages_per_", "wa_service_messages_per_")),
    (r"relay|turn", ("relay_gb_per_month",)),
    # "per million CPU ms", "por millón de ms de CPU", "per milione di ms di CPU"
    (r"(?:cpu\s+)?ms(?:\s+(?:of|de|di|der)\s+cpu)?\b|cpu[\s-]+(?:ms|milliseconds|time)", ("cpu_ms_per_month",)),
    # a database's change history, backups and snapshots are billed apart from its storage (Neon's
    # restore window at $0.20/GB-month): no catalog figure has this metric, so it is not compared
    (r"(?:change\s+)?history|restore\s+window|backups?|snapshots?|PITR|point[\s-]in[\s-]time", ("history_gb_",)),
    (
        r"mau\b|mru\b|monthly\s+(?:active|retained)\s+users?|(?:active|retained)\s+users?",
        ("monthly_active_users",),
    ),
]


@dataclass(frozen=True)
class Quantity:
    value: float  # in the metric's own unit family: GB for sizes, a count otherwise; inf = unlimited
    unit: str  # "GB" | "count" | "hours"
    prefixes: tuple[str, ...]  # candidate metric names or prefixes ("requests_per_")
    period: str | None  # "day" | "month" | None
    text: str
    #: the quantity is called free / included
    free: bool
    #: what the figure is in its sentence: "limit" (a plan's quota: "free: 10 GB", "includes
    #: 50,000 e-mails"), "usage" (the app's own amount: "at 96,000 e-mails a month", "100 CU-hours
    #: x $0.106"), "label" (after a plan's label, "Clerk Hobby: 2,000 MRU": a quota, or the app's
    #: amount on that plan), or "" when nothing around it says (quantity_role)
    role: str = ""


@dataclass(frozen=True)
class UnitPrice:
    usd: float
    per_units: float  # metric units per priced unit (1e6 for "per million")
    size_unit: bool  # priced per GB
    prefixes: tuple[str, ...]
    text: str


_SCALE = {
    "k": 1e3, "thousand": 1e3, "mil": 1e3, "ribu": 1e3, "m": 1e6, "million": 1e6, "milhão": 1e6,
    "milhao": 1e6, "milhões": 1e6, "milhoes": 1e6, "millón": 1e6, "millon": 1e6, "millones": 1e6,
    "juta": 1e6, "b": 1e9, "billion": 1e9,
}  # fmt: skip


def _mult(m: str | None) -> float:
    return _SCALE.get((m or "").lower(), 1.0)


def _period(after: str, pos: int = 0) -> str | None:
    """The period ``after[pos:]`` starts with."""
    if _PER_DAY_AT.match(after, pos):
        return "day"
    if _PER_MONTH_AT.match(after, pos):
        return "month"
    return None


#: "a day", "/day", "por dia", "al día", "par jour", "pro Tag", "per hari" (and the months)
_PER_WORDS = r"(?:/\s*|per\s+|a\s+|each\s+|por\s+|al\s+|ao\s+|par\s+|pro\s+|je\s+|au\s+|im\s+|ogni\s+|sehari|tiap\s+|setiap\s+)?"
_PER_DAY_AT = re.compile(rf"\s*{_PER_WORDS}(?:day|daily|d[ií]a|jour|tag|hari|giorno)\b", re.I)
_PER_MONTH_AT = re.compile(rf"\s*{_PER_WORDS}(?:mo|month|monthly|m[eê]s|mois|monat|bulan|mese)\b", re.I)


def _nouns(text: str, pos: int = 0) -> tuple[str, ...]:
    """The metrics the noun ``text[pos:]`` starts with names."""
    for rx, prefixes in _nouns_at():
        if rx.match(text, pos):
            return prefixes
    return ()


@functools.cache
def _nouns_at() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    return [(re.compile(rf"\s*(?:{rx})", re.I), prefixes) for rx, prefixes in _METRIC_NOUNS]


# words that make a figure a plan's quota or the app's own amount; read in the figure's clause only
_LIMIT_BEFORE = re.compile(
    r"(?:\bfree\b|\bincludes?\b|\bincluded\b|\bincluding\b|\bup\s+to\b|\blimit(?:ed)?\b|\bcap(?:ped)?\b|"
    r"\bquota\b|\ballows?\b|\ballowance\b|\bmax(?:imum)?\b|\bgives?\b|\boffers?\b|\bcomes?\s+with\b|"
    r"\bprovides?\b|gr[aá]tis|gratuit[oae]?s?|inclu[iíy]d[oa]s?|inclus|incluye|inklusive|enthalten|kostenlos|"
    r"termasuk|gratis|l[ií]mite|limite|batas|kuota|cota|at[eé]\b|hasta|jusqu'à|bis\s+zu|hingga|sampai)[^\d$]{0,40}$",
    re.I,
)
_LIMIT_AFTER = re.compile(
    r"^[^\d$;.,(]{0,30}?(?:\bfree\b(?!\s+(?:plan|tier))|\bincluded\b|\blimit\b|\bcap\b|\bquota\b|\ballowance\b|\bceiling\b)",
    re.I,
)
_USAGE_BEFORE = re.compile(
    r"(?:\b(?:at|above|over|under|below|beyond|past|exceeds?|exceeding|uses?|using|used|sends?|sending|sent|"
    r"serves?|served|needs?|needing|expects?|expected|estimated?|about|around|roughly|approx(?:imately)?|"
    r"only|our|we|currently|peak|average|typical(?:ly)?|reach(?:es|ing)?|hits?|grows?|of|for|than|"
    r"com|con|avec|mit|dengan|cerca|circa|unos|unas|environ|etwa|sekitar|acima|encima|au-delà|über|di\s+atas|oltre|"
    r"usamos|usa|enviamos|envoyons|nous|wir|kami|kita|nossos?|nuestros?|nos|"
    # passing a threshold: "al pasar los 400.000", "dès que ... dépasse 400 000", "ultrapassar"
    r"pasa[rn]?|supera[rn]?|exced\w*|dépass\w*|ultrapass\w*|überschreit\w*|übersteig\w*|melebihi|melampaui)\b|[~≈=<>≤≥→])"
    r"[^\d$]{0,12}$",
    re.I,
)
_USAGE_AFTER = re.compile(
    r"^(?:\s*[a-z][\w/-]*){0,3}?\s*(?:[x×*+=<>≤≥-]\s*[\d$(]|(?:->|→|=>)\s*[\d$(]|\(\s*[<≤]|(?:is|are|=)\s+\d|\(?\s*(?:inside|within|dentro|dans|innerhalb)\b|(?:is|are|would|will)\s+(?:about|roughly|around|be|need|use|exceed|stay|fit|mean)|"
    r"(?:[,:]\s*)?(?:under|below|within|inside|of\s+the|out\s+of)\b|"
    r"(?:estouram|excedem|superan?|exceden?|dépassent|überschreiten|melebihi|passam|pasan)\b|"
    r"(?:[\w\s]{0,12}\s)?(?:son|são|sont|sind|adalah)\s+(?:unos|cerca|about|environ|etwa|sekitar|\d)|"
    r"(?:,\s*)?(?:dentro|dans|innerhalb|di\s+dalam)\b)",
    re.I,
)
_LABEL = re.compile(
    r"^\W*(?:[\w.&/-]+\s+){0,4}?(?:free(?:\s+tier)?|tier|plan|limits?|quotas?|includes?|included|pro|paid|"
    r"hobby|starter|launch|scale|team|business|developer|standard|basic)\b[^:]{0,30}:",
    re.I,
)


_CLAUSE_MARK = re.compile(r"[;|(\[]")
_SENTENCE_END = re.compile(r"[.!?]\s+(?=[A-Z(])")
_USAGE_AFTER_AT = without_caret(_USAGE_AFTER)


def quantity_role(text: str, start: int, end: int) -> str:
    """Whether the figure at text[start:end] states a plan's quota ("limit"), the app's own amount
    ("usage") or neither clearly (""). Only the figure's clause counts: "Resend Free: 100
    e-mails/day" is a limit, "at 96,000 e-mails a month Resend Pro would need overages" and
    "100 CU-hours x $0.106" are usage, "(12 GB - 10 GB free)" is usage then a limit."""
    # the clause and what follows are read around the figure, not copied (issue 12, speed: a long
    # line has many figures); tail() and head() are exact for patterns whose matches hold a
    # bounded number of non-blank characters (_USAGE_BEFORE 25, _LIMIT_BEFORE 50, _LIMIT_AFTER 45)
    clause_start = last_start_before(text, _CLAUSE_MARK, start) + 1
    ends = match_ends(text, _SENTENCE_END)
    i = bisect.bisect_left(ends, start)  # a sentence break before the figure, inside text[:start]
    clause_start = max(clause_start, ends[i - 1] if i else 0)
    if _USAGE_AFTER_AT.match(text, end):
        return "usage"
    if _LIMIT_AFTER.match(head(text, end, 64)):
        return "limit"
    if _USAGE_BEFORE.search(tail(text, clause_start, start, 64)):
        return "usage"
    if _LIMIT_BEFORE.search(tail(text, clause_start, start, 96)):
        return "limit"
    label = _LABEL.match(text)
    if label and label.end() <= start:
        return "label"  # "Clerk Hobby: 2,000 MRU": a quota, or the app's amount on that plan
    return ""


_NOT_QUOTA_AFTER_AT = re.compile(r"\s*(?:%|x\b|×|ms\b|s\b|/s\b|req/s)", re.I)
_SIZE_AT = re.compile(rf"\s*{_SIZE}", re.I)
_HOURS_AT = re.compile(r"\s*(?:h|hrs?|hours?)\b", re.I)
_PERIOD_WORD_AT = re.compile(r"\s*(?:/\s*|per\s+)?(?:day|daily|mo|month|monthly)\b", re.I)
_FREE_OF_AT = re.compile(r"\s*(?:free|of|included)\s+", re.I)
_COMPUTE_AT = re.compile(r"\s*(?:/\s*month\s*)?(?:compute|cu)|\s*compute", re.I)
_LETTERS_AT = re.compile(r"\s*[a-z]{2,}", re.I)
_FILLER_AT = re.compile(r"\s*(?:each|total|per|of|free|included|and|or)\b", re.I)
_WORD_AT = re.compile(r"\s*\w+(?:-\w+)*")  # "e-mails", "CU-hours": one word
_INSTANCE_MARK = re.compile(r"[;(\[]")
_SNIPPET_END = re.compile(r"(?<!\d),|,(?!\d)|[;|()\[\]]|\s{2,}")
_NOUN_CAP_BEFORE = re.compile(
    r"\b([^\W\d]+)\s+(?:(?:cap|limit|quota|max(?:imum)?|allowance|ceiling)\s+)?(?:(?:of|is|at|up\s+to)\s+)?$",
    re.I,
)
_LABEL_BEFORE = re.compile(r"(\w[\w\s]*?)\s*[:=]\s*$")
_WORD_OR_SPACE = re.compile(r"[\w\s]")


def _matched_end(rx: re.Pattern[str], text: str, pos: int) -> int:
    """Where ``re.sub("^" + rx, "", text[pos:])`` would start: after rx's match at pos, if any."""
    m = rx.match(text, pos)
    return m.end() if m else pos


def _label_before(text: str, start: int) -> re.Match[str] | None:
    """``_LABEL_BEFORE.search(text[:start])`` ("Storage: " before a figure), read from the run of
    words and spaces before the colon instead of all of text[:start]."""
    k = start
    while k > 0 and text[k - 1].isspace():  # str.isspace is re's \s
        k -= 1
    if k == 0 or text[k - 1] not in ":=":
        return None  # the pattern needs [:=] then only blanks to the end
    i = k - 1
    while i > 0 and _WORD_OR_SPACE.match(text, i - 1):
        i -= 1
    return _LABEL_BEFORE.search(text[i:start])


@functools.lru_cache(maxsize=256)
def _quantities(text: str) -> tuple[Quantity, ...]:
    return tuple(_find_quantities(text))


def find_quantities(text: str) -> list[Quantity]:
    """Quota figures: ``0.5GB storage``, ``100h compute``, ``10k commands/day``, ``1M requests/month``,
    ``unlimited bandwidth``, ``storage: 10GB`` (remembered per text: a line is asked several times)."""
    return list(_quantities(text))


def _find_quantities(text: str) -> list[Quantity]:
    """Quota figures: ``0.5GB storage``, ``100h compute``, ``10k commands/day``, ``1M requests/month``,
    ``unlimited bandwidth``, ``storage: 10GB``."""
    out: list[Quantity] = []
    free_ctx = bool(re.search(r"\bfree\b|included|includes", text, re.I))
    for m in re.finditer(r"\bunlimited\s+(\w+(?:\s+\w+)?)", text, re.I):
        prefixes = _nouns(m.group(1))
        if prefixes:
            out.append(
                Quantity(
                    math.inf,
                    "GB" if prefixes[0].startswith("egress") or "storage" in prefixes[0] else "count",
                    prefixes,
                    None,
                    m.group(0),
                    free_ctx,
                    "usage" if _USAGE_BEFORE.search(tail(text, 0, m.start(), 64)) else "limit",
                )
            )
    out += _durations(text)
    for m in re.finditer(rf"(?<![\w$.,]){_NUMQ}\s*", text, re.I):
        start, end = m.start(), m.end()
        # what follows the figure is read in place (rest, rest2 and noun_text are positions in
        # text), what precedes it from a window: a copy per figure is quadratic on a long line
        if text[max(0, start - 1) : start] in ("$", "×", "x") or _NOT_QUOTA_AFTER_AT.match(text, end):
            continue
        if re.search(r"(?:\bper|/)\s*$", tail(text, 0, start, 8), re.I):
            continue  # "$0.20 per 100K commands": the unit of a price, not a quota
        value = float(m.group("n").replace(",", "")) * _mult(m.group("mult"))
        rest = end
        sz = _SIZE_AT.match(text, rest)
        hours = _HOURS_AT.match(text, rest)
        if sz:
            unit = "GB"
            factor = {"gb": 1.0, "gib": 1.0, "mb": 1 / 1024, "mib": 1 / 1024, "tb": 1000.0}[
                sz.group("size").lower()
            ]
            value *= factor
            rest2 = sz.end()
        elif hours:
            unit = "hours"
            rest2 = hours.end()
        else:
            unit = "count"
            rest2 = rest
        period = _period(text, rest2)
        after_period = _matched_end(_PERIOD_WORD_AT, text, rest2)
        noun_text = _matched_end(_FREE_OF_AT, text, after_period if period else rest2)
        prefixes = _nouns(text, noun_text)
        if unit == "hours":
            if _COMPUTE_AT.match(text, rest2) or re.search(
                r"compute", text[max(0, start - 20) : start], re.I
            ):
                prefixes = ("cu_hours_per_month",)
            else:
                continue
        if not prefixes and _LETTERS_AT.match(text, noun_text) and not _FILLER_AT.match(text, noun_text):
            continue  # "4 GB RAM": a noun the catalog has no quota for
        if not prefixes:
            # "Storage: 10GB", "Free: 0.5 GB storage" written the other way round
            lab = _label_before(text, start)
            if lab:
                prefixes = _nouns(lab.group(1).split()[-1]) or _nouns(lab.group(1))
        if (
            unit == "GB"
            and prefixes
            and not any(
                p in ("storage_gb", "dataset_mb", "egress_gb_per_month", "relay_gb_per_month")
                for p in prefixes
            )
        ):
            continue
        if unit == "GB" and not prefixes:
            # "storage cap 3 GB", "bandwidth limit of 100 GB", "disk up to 8 GB": the noun before
            noun_before = _NOUN_CAP_BEFORE.search(text[max(0, start - 40) : start])
            if noun_before:
                prefixes = _nouns(noun_before.group(1))
        if unit == "GB" and not prefixes:
            clause = text[last_start_before(text, _INSTANCE_MARK, start) + 1 : start]
            if re.search(r"\b(?:v?cpus?|cores?|ram|memory)\b", clause, re.I):
                continue  # "Standard (1 CPU, 2 GB)": an instance's memory, not a quota
            prefixes = ("*GB",)
        if not prefixes:
            continue
        if unit == "count" and (prefixes[0] in ("storage_gb", "dataset_mb", "egress_gb_per_month")):
            continue
        if period is None:
            first = _WORD_AT.match(text, noun_text)
            period = _period(text, first.end()) if first else None
        cut = _SNIPPET_END.search(text, start)  # what re.split(...)[0] of text[start:] was
        snippet = text[start : cut.start() if cut else len(text)].strip().rstrip("*").strip()
        out.append(
            Quantity(value, unit, prefixes, period, snippet, free_ctx, quantity_role(text, start, m.end()))
        )
    return out


#: plan facts that are lengths of time, as quantities: the catalog attribute (or, for the check
#: interval, the checks_per_hour limit) each is compared with, and the unit it is stated in
DURATION_FACTS: dict[str, str] = {
    "expires_after_days": "days",
    "pauses_after_inactive_days": "days",
    "idle_sleep_minutes": "minutes",
    "check_interval_minutes": "minutes",
}
#: a length of time and its unit: "90 jours", "5-minute", "7 hari", "3 Minuten", "12 months"
_DURATION = re.compile(
    r"(?<![\w$.,])(?P<n>\d+(?:\.\d+)?)\s*-?\s*(?P<u>"
    r"seconds?|secs?|segundos?|secondes?|sekunden?|detik|secondi|"
    r"minutes?|mins?|minutos?|minuten|menit|minuti|"
    r"hours?|hrs?|horas?|heures?|stunden?|jam|ore|"
    r"days?|d[ií]as?|jours?|tagen?|tage|hari|giorni|"
    r"weeks?|semanas?|semaines?|wochen?|minggu|settimane|"
    r"months?|m[eê]s(?:es)?|mois|monaten?|bulan|mesi|"
    r"years?|a[ñn]os?|ans?|jahren?|jahre|tahun|anni)(?![\w])",
    re.I,
)
#: one unit of time said in words, as an interval: "every minute", "a cada minuto", "jede Minute",
#: "chaque minute", "setiap menit" (a check interval of 1 minute)
_EVERY_UNIT = re.compile(
    r"\b(?:every|each|a\s+cada|cada|jede[nrs]?|chaque|setiap|tiap|ogni)\s+(?P<n>)(?P<u>"
    r"second|segundo|seconde|sekunde|secondo|detik|minute|minuto|menit|hour|hora|heure|stunde|ora|jam)\b",
    re.I,
)
#: a unit's length in minutes
_UNIT_MINUTES = [
    (re.compile(r"seconds?|secs?|segundos?|secondes?|sekunden?|detik|secondi|second[oa]", re.I), 1 / 60),
    (re.compile(r"minutes?|mins?|minutos?|minuten|menit|minuti|minuto", re.I), 1.0),
    (re.compile(r"hours?|hrs?|horas?|heures?|stunden?|jam|ore|ora", re.I), 60.0),
    (re.compile(r"days?|d[ií]as?|jours?|tagen?|tage|hari|giorni", re.I), 1440.0),
    (re.compile(r"weeks?|semanas?|semaines?|wochen?|minggu|settimane", re.I), 7 * 1440.0),
    (re.compile(r"months?|m[eê]s(?:es)?|mois|monaten?|bulan|mesi", re.I), 365 / 12 * 1440),
    (re.compile(r"years?|a[ñn]os?|ans?|jahren?|jahre|tahun|anni", re.I), 365 * 1440.0),
]
#: words that say a plan expires, in the corpus languages (expire, expira, expire au bout de,
#: kedaluwarsa, caduca, vence, verfällt)
_EXPIRE_WORDS = r"expir\w*|kedaluwarsa|kadaluwarsa|kadaluarsa|caduc\w*|vence[mn]?|verf[äa]llt|abl[äa]uft"
_EXPIRE_BEFORE = re.compile(rf"(?:\b(?:{_EXPIRE_WORDS})\b|\bl[äa]uft\b)\W*(?:[^\W\d]+\W+){{0,4}}$", re.I)
_EXPIRE_AFTER = re.compile(rf"^\W*(?:[^\W\d]+\W+){{0,2}}?(?:{_EXPIRE_WORDS})\b|^\s+ab\b", re.I)
#: "of inactivity", "idle", "tidak aktif", "sans activité", "de inatividade", "ohne Aktivität"
_INACTIVE_AFTER = re.compile(
    r"^\W*(?:(?:of|de|d'|sem|sin|sans|ohne|tanpa|without|no)\s*)?(?:inactiv\w*|inatividade|inativ\w*|inaktiv\w*|"
    r"idle|tidak\s+aktif|activity|atividade|actividad|activité|aktivität|aktivitas|traffic|tráfego|tráfico|trafic)\b",
    re.I,
)
_INACTIVE_BEFORE = re.compile(
    r"\b(?:idle|inactive|inativo|inactivo|inactif|inaktiv|tidak\s+aktif)\s+(?:for|por|pendant|f[üu]r|selama)\s+$",
    re.I,
)
#: words that make a length of minutes an uptime check's interval ("interval cek 1 menit",
#: "5-minute checks", "checks every 5 minutes", "intervalo de 5 minutos", "Prüfung alle 3 Minuten")
_CHECK_WORDS = r"checks?|checked|checking|checag\w*|cek|interval\w*|pr(?:ü|ue)f\w*|verifica\w*|comproba\w*|chequeo\w*|v[ée]rifi\w*|surveill\w*|pemeriksaan|diperiksa|periksa"
_CHECK_BEFORE = re.compile(rf"\b(?:{_CHECK_WORDS})\b\W*(?:[^\W]+\W+){{0,4}}$", re.I)
_CHECK_AFTER = re.compile(rf"^\W*(?:(?:uptime|health)\s+)?(?:{_CHECK_WORDS})\b", re.I)
_DURATION_CLAUSE_MARK = re.compile(r"[;|(\[]|[.!?]\s")


def _durations(text: str) -> list[Quantity]:
    """Plan facts stated as lengths of time (DURATION_FACTS): "expire au bout de 90 jours" (days
    until a free database expires), "pause after 7 days of inactivity", "spins down after 15
    minutes idle", "interval cek 1 menit" / "5-minute checks" (an uptime check's interval). Each
    is a plan's own figure (role "limit"): the words that find it say so."""
    out: list[Quantity] = []
    for m in sorted([*_DURATION.finditer(text), *_EVERY_UNIT.finditer(text)], key=lambda m: m.start()):
        start, end = m.start(), m.end()
        minutes = next(f for rx, f in _UNIT_MINUTES if rx.fullmatch(m.group("u")))
        value = float(m.group("n") or 1) * minutes
        window = text[max(0, start - 60) : start]
        cut = [x.end() for x in _DURATION_CLAUSE_MARK.finditer(window)]
        before = window[cut[-1] :] if cut else window
        after = text[end : end + 40]
        stop = _DURATION_CLAUSE_MARK.search(after)
        after = after[: stop.start()] if stop else after
        metric = ""
        said = m.group(0)
        inactive = _INACTIVE_AFTER.match(after)
        expire = _EXPIRE_BEFORE.search(before) if minutes >= 1440 else None
        check = _CHECK_AFTER.match(after) if minutes < 1440 else None
        check_before = _CHECK_BEFORE.search(before) if minutes < 1440 and not check else None
        if inactive or _INACTIVE_BEFORE.search(before):
            if re.search(
                rf"\b(?:{_EXPIRE_WORDS})\b|delet|supprim|apag|borr|gelöscht|dihapus", before + after, re.I
            ):
                continue  # "deleted after 90 days of inactivity": not a pause
            metric = "pauses_after_inactive_days" if minutes >= 1440 else "idle_sleep_minutes"
            said += inactive.group(0) if inactive else ""
        elif expire or (minutes >= 1440 and _EXPIRE_AFTER.match(after)):
            if expire and re.match(r"l[äa]uft", expire.group(0), re.I) and not re.match(r"\s+ab\b", after):
                continue  # "läuft" without its "ab": runs, not expires
            metric = "expires_after_days"
            said = (expire.group(0) if expire else "") + said
        elif check or check_before:
            metric = "check_interval_minutes"
            said = check_before.group(0) + said if check_before else said + (check.group(0) if check else "")
        if not metric:
            continue
        if DURATION_FACTS[metric] == "days":
            value /= 1440
        out.append(Quantity(value, DURATION_FACTS[metric], (metric,), None, said.strip(), False, "limit"))
    return out


_UNIT_PRICE = re.compile(
    r"\$\s*(?P<usd>\d+(?:\.\d+)?)\s*(?:/\s*|(?:per|por|par|pro|je|ogni|cada|chaque|setiap|tiap)\s+)"
    r"(?:(?:additional|extra|each|cada|chaque|started\s+block\s+of|block\s+of)\s+)?"
    r"(?:(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<mult>thousand|million|milh[ãa]o|milh[õo]es|mill[óo]n|millones|juta|ribu|mil|k|m)?(?![^\W\d_])\s*"
    r"|(?P<word>million|thousand|1m|1k|milh[ãa]o|mill[óo]n|juta))?\s*(?:de\s+)?"
    r"(?P<what>gb(?:[\s-]*(?:month|minute|min|second|sec|hour|hr|s)\b)?|(?:cu|vcpu|cpu)[\s-]*(?:hour|hr|h|minute|min|second|sec|s)\b|class\s+[ab]\b|[^\W\d_]+)?",
    re.I,
)
#: a rate per unit of time, and how many of that unit make an hour
_PER_TIME = re.compile(
    r"^(?:(?P<cu>cu|vcpu|cpu)[\s-]*)?(?P<t>hour|hr|h|minute|min|second|sec|s|"
    r"stunde|minute|sekunde|hora|minuto|segundo|heure|seconde|jam|menit|detik)$",
    re.I,
)
#: how many of a unit of time make an hour, in the six languages
_HOUR_FACTOR = {
    "hour": 1, "hr": 1, "h": 1, "minute": 60, "min": 60, "second": 3600, "sec": 3600, "s": 3600,
    "stunde": 1, "sekunde": 3600, "hora": 1, "minuto": 60, "segundo": 3600, "heure": 1, "seconde": 3600,
    "jam": 1, "menit": 60, "detik": 3600,
}  # fmt: skip


_OF_FOR_AT = re.compile(r"\s*(?:of|for)\s+", re.I)
_OF_FOR_NOUN_AT = re.compile(r"\s*(?:of|for)\s+[a-z]", re.I)
_COMMA_MARK = re.compile(r"[,;(]")
_COLON_MARK = re.compile(r"[,;:(]")


#: how far before a price "per million" its noun is looked for first (characters)
_NOUN_REACH = 200


@functools.cache
def _metric_res() -> list[tuple[re.Pattern[str], tuple[str, ...]]]:
    return [(re.compile(rx, re.I), prefixes) for rx, prefixes in _METRIC_NOUNS]


def _piece_before(text: str, marks: re.Pattern[str], pos: int) -> str:
    """``re.split(marks, text[:pos])[-1]`` for a one-character class ``marks``."""
    return text[last_start_before(text, marks, pos) + 1 : pos]


def find_unit_prices(text: str) -> list[UnitPrice]:
    """``$0.50 per additional million`` (requests), ``$0.36/GB``, ``$0.2 per 100k commands``."""
    out: list[UnitPrice] = []
    for m in _UNIT_PRICE.finditer(text):
        prefixes: tuple[str, ...]
        usd = float(m.group("usd"))
        what = (m.group("what") or "").lower()
        if what.startswith("gb") and (
            re.search(r"[\s-](?:minute|min|second|sec|hour|hr|s)$", what)
            or re.search(r"\b(?:ram|memory|mem)\b", _piece_before(text, _COMMA_MARK, m.start()), re.I)
        ):
            continue  # memory by the GB-minute or GB-month: no catalog meter is compared with it
        if what.startswith("gb"):
            after = _matched_end(_OF_FOR_AT, text, m.end())  # a position in text, not a copy
            prefixes = _nouns(text, after)
            if not prefixes and _OF_FOR_NOUN_AT.match(text, m.end()):
                continue  # "$0.20 per GB-month of change history": a charge the noun names, unknown here
            if not prefixes:
                # " ".join(re.split(r"[,;:(]", text[: m.start()])[-2:]): the last two pieces
                j1 = last_start_before(text, _COLON_MARK, m.start())
                j0 = last_start_before(text, _COLON_MARK, j1) if j1 >= 0 else -1
                clause = text[: m.start()] if j1 < 0 else f"{text[j0 + 1 : j1]} {text[j1 + 1 : m.start()]}"
                for w in reversed(clause.split()):
                    prefixes = _nouns(w)
                    if prefixes:
                        break
                if re.search(r"month", what) and prefixes != ("history_gb_",):
                    # a GB-month is stored data, not transfer or compute (a change history's apart)
                    prefixes = ("storage_gb", "dataset_mb")
            prefixes = prefixes or ("*GB",)
            out.append(UnitPrice(usd, 1.0, True, prefixes, " ".join(m.group(0).split())))
            continue
        timed = _PER_TIME.match(what) if not m.group("n") and not m.group("word") else None
        if timed:
            # "$0.106 per CU-hour", "$0.0206 per minute": compared per hour with the plan's
            # compute meters and instance sizes
            prefixes = ("*cu_hour",) if timed.group("cu") else ("*hour",)
            out.append(
                UnitPrice(
                    usd,
                    1 / _HOUR_FACTOR[timed.group("t").lower()],
                    False,
                    prefixes,
                    " ".join(m.group(0).split()),
                )
            )
            continue
        if what in ("mo", "month", "hr", "hour", "h", "year", "user", "seat", "cpu"):
            continue
        per = 1.0
        if m.group("word"):
            per = _mult(m.group("word").lower().replace("1", ""))
        elif m.group("n"):
            per = float(m.group("n").replace(",", "")) * _mult(m.group("mult"))
        else:
            continue
        prefixes = _nouns(what) if what else ()
        if not prefixes:
            # "$0.50 per additional million" in a sentence about requests
            # a noun before it: the one ending nearest in the clause's reach ("Class A: ... $4.50
            # per million; Class B: ... $0.36 per million"), the longest of those ending there
            # ("Class A operations", not "operations"), else the first one in the text
            window = text[max(0, m.start() - _NOUN_REACH) : m.start()]
            nearest = (-1, 0)
            for rx, pf in _metric_res():
                if pf[0] in ("storage_gb", "egress_gb_per_month"):
                    continue
                for x in rx.finditer(window):
                    if (x.end(), -x.start()) > nearest:
                        prefixes, nearest = pf, (x.end(), -x.start())
            if not prefixes:
                for rx, pf in _metric_res():
                    found = rx.search(text, 0, m.start())
                    if found and pf[0] not in ("storage_gb", "egress_gb_per_month"):
                        prefixes = pf
                        break
        if prefixes:
            out.append(UnitPrice(usd, per, False, prefixes, " ".join(m.group(0).split())))
    return out


@dataclass(frozen=True)
class Figure:
    """A catalog figure that can be compared with a stated one."""

    ref: PlanRef
    metric: str
    kind: str  # "limit" | "included" | "price"
    value: float  # metric units (GB, count, hours); for prices USD per metric unit
    source: str
    as_of: str


def _metric_ok(metric: str, prefixes: tuple[str, ...], period: str | None) -> bool:
    if prefixes == ("*GB",):
        ok = metric in ("storage_gb", "egress_gb_per_month", "relay_gb_per_month", "dataset_mb")
    else:
        ok = any(metric == p or (p.endswith("_") and metric.startswith(p)) for p in prefixes)
    if not ok:
        return False
    per = METRICS[metric].period if metric in METRICS else None
    if period is not None and per in ("day", "month") and per != period:
        return False
    return True


def figures_for(
    ref: PlanRef, prefixes: tuple[str, ...], period: str | None, *, prices: bool = False
) -> list[Figure]:
    """Limits, included amounts (or, with ``prices``, per-unit prices) of ``ref`` on the metrics."""
    if not prices and len(prefixes) == 1 and prefixes[0] in DURATION_FACTS:
        return _duration_figures(ref, prefixes[0])
    out: list[Figure] = []
    for lim in ref.plan.limits:
        if not prices and _metric_ok(lim.metric, prefixes, period):
            out.append(
                Figure(
                    ref, lim.metric, "limit", lim.max, lim.source or ref.source, str(lim.as_of or ref.as_of)
                )
            )
    if prices and prefixes in (("*hour",), ("*cu_hour",)):
        return _hourly_prices(ref, cu_only=prefixes == ("*cu_hour",))
    for met in ref.plan.meters:
        if not _metric_ok(met.metric, prefixes, period):
            continue
        src, asof = met.source or ref.source, str(met.as_of or ref.as_of)
        if prices:
            paid = [t for t in met.tiers if t.usd_per_unit not in (0, 0.0)]
            if paid:
                p = paid[0].usd_per_unit
                # a price per region: any region's price matches
                values = (
                    sorted({v for v in p.values() if v is not None})
                    if isinstance(p, dict)
                    else ([] if p is None else [float(p)])
                )
                for v in values:
                    per = v / met.unit_size
                    if met.metric.endswith("_mb"):
                        per *= 1024  # compared per GB
                    out.append(Figure(ref, met.metric, "price", per, src, asof))
        elif met.free_allowance > 0:
            out.append(Figure(ref, met.metric, "included", met.free_allowance, src, asof))
    return out


def _duration_figures(ref: PlanRef, metric: str) -> list[Figure]:
    """The plan's figure for a DURATION_FACTS metric: its attribute, or the interval between
    checks (60 / checks_per_hour minutes)."""
    if metric == "check_interval_minutes":
        return [
            Figure(ref, metric, "limit", 60 / lim.max, lim.source or ref.source, str(lim.as_of or ref.as_of))
            for lim in ref.plan.limits
            if lim.metric == "checks_per_hour" and lim.max > 0
        ]
    value = getattr(ref.attributes, metric, None)
    if value is None:
        return []
    return [Figure(ref, metric, "limit", float(value), ref.source, str(ref.as_of))]


def _hourly_prices(ref: PlanRef, *, cu_only: bool) -> list[Figure]:
    """What an hour of compute costs on ``ref``: its CU-hour meters, and (unless only CU-hours
    are asked for) each instance size by the hour."""
    out: list[Figure] = []
    for met in ref.plan.meters:
        if met.metric == "cu_hours_per_month":
            for t in met.tiers:
                p = t.usd_per_unit
                for v in sorted({x for x in p.values() if x is not None}) if isinstance(p, dict) else [p]:
                    if v:
                        out.append(
                            Figure(
                                ref,
                                met.metric,
                                "price",
                                float(v) / met.unit_size,
                                met.source or ref.source,
                                str(met.as_of or ref.as_of),
                            )
                        )
    if ref.plan.instances is not None:
        for size in ref.plan.instances.sizes:
            hourly = _num_or_none(size.usd_per_hour)
            if hourly is None and _num_or_none(size.usd_per_month) is not None:
                hourly = float(size.usd_per_month) / size.month_hours  # type: ignore[arg-type]
            if not hourly:
                continue
            if size.compute_units:  # a size billed in CU-hours: its price per CU-hour
                out.append(
                    Figure(ref, "cu_hours", "price", hourly / size.compute_units, ref.source, str(ref.as_of))
                )
            if not cu_only:
                out.append(Figure(ref, f"instance {size.id}", "price", hourly, ref.source, str(ref.as_of)))
    return out


def in_metric_units(value: float, unit: str, metric: str) -> tuple[float, ...]:
    """A stated quantity (GB for sizes) in the metric's unit (MB for ``*_mb`` metrics). Sizes
    written in MB are read both ways (1 GB = 1,000 or 1,024 MB): vendors use both."""
    if unit == "GB" and metric.endswith("_mb"):
        return (value * 1024,)
    if unit == "GB":
        return (value, value * 1024 / 1000)
    return (value,)
