"""Statements in a plan document about a catalog provider's prices, free-tier quotas and unit
prices, compared with the catalog: which provider and plan a line or table row speaks of
(its own words, else the lines and heading above it), then each figure against that plan's."""

from __future__ import annotations

import bisect
import dataclasses
import functools
import math
import re
from typing import Any

from ..catalog.loader import PlanRef
from .doc_claims import (
    Figure,
    Quantity,
    UnitPrice,
    figures_for,
    find_quantities,
    find_unit_prices,
    in_metric_units,
)
from .doc_context import (
    continuation,
    continued,
    line_context,
    segments,
    sibling_names_provider,
    wrapped_quantities,
    wrapped_unit_prices,
)
from .doc_findings import MONTH_WORDS, NOT_COST, DocAudit, DocFinding, Tolerance, consistent, usd_text
from .doc_tables import Line, Money, Row, Table, find_money, is_total_label, parse_money
from .doc_vocabulary import (
    KIND_WORDS,
    Match,
    Vocabulary,
    flat_fee,
    is_free_plan,
    is_usage_priced,
    plan_price_text,
    size_prices,
)

__all__ = ["check_claims"]


def _kinds(text: str) -> set[str]:
    return set(_kinds_of(text.lower()))


@functools.lru_cache(maxsize=4096)
def _kinds_of(low: str) -> frozenset[str]:
    return frozenset(kind for kind, rx in _kind_res().items() if rx.search(low))


@functools.lru_cache(maxsize=1)
def _kind_res() -> dict[str, re.Pattern[str]]:
    """A kind's words as one pattern: it matches where one of them would."""
    return {
        kind: re.compile("|".join(rf"(?<![a-z]){re.escape(w)}(?![a-z])" for w in words))
        for kind, words in KIND_WORDS.items()
    }


#: kind words any store or service may be called ("one database" on Upstash Redis, "the app"):
#: they do not say the text is about another provider's kind of service
_GENERIC_KIND_WORDS = re.compile(r"\b(?:databases?|db|app|server|files)\b", re.I)


def _cite(f: Figure | PlanRef) -> tuple[str, str, str]:
    if isinstance(f, Figure):
        return f"{f.ref.key}#{f.metric}", f.source, f.as_of
    return f.key, f.source, str(f.as_of)


def _fmt_q(v: float, metric: str) -> str:
    if math.isinf(v):
        return "unlimited"
    if metric in _DURATION_TEXT:
        return _DURATION_TEXT[metric].format(f"{v:,.4g}")
    unit = "GB" if metric.endswith("_gb") or "_gb_" in metric else ("MB" if metric.endswith("_mb") else "")
    if metric == "cu_hours_per_month":
        unit = "CU-hours"
    num = f"{v:,.6g}" if v < 1e4 else f"{v:,.0f}"
    per = "/day" if metric.endswith("_per_day") else ("/month" if metric.endswith("_per_month") else "")
    noun = "" if unit else " " + metric.split("_per_")[0].replace("_", " ")
    return f"{num}{' ' + unit if unit else ''}{noun}{per}"


#: how a DURATION_FACTS figure reads in a finding
_DURATION_TEXT = {
    "expires_after_days": "expires after {} days",
    "pauses_after_inactive_days": "pauses after {} days of inactivity",
    "idle_sleep_minutes": "sleeps after {} minutes idle",
    "check_interval_minutes": "checks every {} minutes",
}


#: how far from a figure (characters) the plan it is of is looked for
_PLAN_WINDOW = 400
_FREE_PLAN_WORD = re.compile(r"\bFree\b|\bfree\s*(?:tier|plan|allowance|:)|\bFREE\b")


#: parentheses that list what else a plan covers: "(also covers D1, KV and Queues)", "(copre
#: anche D1, KV, Pages Functions e Queues)"; not "(Pro organization, Frankfurt)"
_PARENTHESES = re.compile(
    r"\((?=[^()]*(?:\b(?:also|anche|aussi|auch|tamb[ée]m|juga|covers?|copre|includes?|inclui|incluye|incl)\b|"
    r"[^(),]*,[^(),]*,))[^()]*\)",
    re.I,
)
#: a provider named within this many characters after a figure is the figure's ("100,000 MAU on
#: Clerk"), further on it is another thing the sentence mentions
_NAME_AFTER_FIGURE = 30


class _Claims:
    def __init__(self, vocab: Vocabulary, tol: Tolerance, audit: DocAudit) -> None:
        self.vocab = vocab
        self.tol = tol
        self.audit = audit
        self.reported: set[tuple[int, str]] = set()
        #: the text whose provider positions _named holds (starts, providers, how many distinct)
        self._named_for: str | None = None
        self._named: tuple[list[int], list[str], int] = ([], [], 0)
        self._at: dict[str, int] = {}  # where each figure of that text is
        #: the provider a label or heading above names, when the text names others (check())
        self._above = ""

    def add(self, f: DocFinding) -> None:
        key = (f.line, f.catalog or f.message)
        if key not in self.reported:
            self.reported.add(key)
            self.audit.findings.append(f)

    def unmatched(self, line: int, text: str, why: str) -> None:
        snippet = re.sub(r"\s+", " ", re.sub(r"[*`|│]", " ", text)).strip()[:90]
        self.add(
            DocFinding("unmatched_claim", "info", line, f"not checked: '{snippet}': {why}", stated=snippet)
        )

    # -- one claim (a line or a table row) ------------------------------------------------------
    def check(
        self,
        line: int,
        text: str,
        context: str,
        *,
        price: Money | None,
        row: bool,
        plan_context: str = "",
        kind_context: str = "",
        quantities: list[Quantity] | None = None,
        unit_prices: list[UnitPrice] | None = None,
        continuation: str = "",
    ) -> None:
        """``continuation``: the first words of the next line when the text's sentence goes on
        there ("Fly.io's free" / "allowance covers ..."): they may end a plan's name."""
        if quantities is None:
            quantities = find_quantities(text)
        if unit_prices is None:
            unit_prices = find_unit_prices(text)
        providers = self.vocab.providers_in(text)
        from_context = not providers
        if not providers:
            providers = self.vocab.providers_in(context)[:1]
        else:
            # "UptimeRobot:" above "- Free plan: 50 monitors, checked every minute, plenty for api,
            # Pages": the label's provider keeps the figures no name in the text claims
            above = self.vocab.providers_in(context)[:1]
            if above and above[0] not in providers and (quantities or unit_prices):
                providers = [above[0], *providers]
                self._above = above[0]
            else:
                self._above = ""
        if not providers:
            if row and price is not None:
                self.unmatched(line, text, "no catalog provider is named")
            elif quantities or unit_prices:
                if re.search(r"\bfree\b|\btier\b|\bplan\b|included|per million|/GB", text, re.I):
                    self.unmatched(line, text, "no catalog provider is named")
            return
        # what the text is about: its own kind words, else its context's (outside parentheses,
        # which list what else a plan covers), else the headings'
        bare_context = _PARENTHESES.sub(" ", context)
        kinds = _kinds(text) or _kinds(bare_context) or _kinds(kind_context)
        if not self.vocab.providers_in(bare_context):
            bare_context = context
        # "gratis", "grátis", "kostenlos": the other languages' word for free, read as "free"
        text = _FREE_WORDS.sub(
            lambda m: "free" + " " * (len(m.group(0)) - 4) if len(m.group(0)) >= 4 else m.group(0), text
        )
        joined = f"{text} {continuation}" if continuation else text
        free_is_plan = _free_is_plan(joined)
        probe = text
        if not free_is_plan and re.search(r"\bfree\b", text, re.I):
            # "10M requests FREE", "200 GB of bandwidth are free": included in the plan, not the Free plan
            probe = re.sub(r"\bfree\b", " ", text, flags=re.I)
        own_kinds = _kinds(_GENERIC_KIND_WORDS.sub(" ", text)) if from_context else set()
        for pid in providers:
            hosts = {h for r in self.vocab.by_provider.get(pid, []) for h in r.hosts}
            if from_context and own_kinds and not (own_kinds & hosts):
                continue  # the text is about something this provider does not host
            match = self.vocab.match(probe, [pid], kinds or None, service_text=bare_context)
            if not match.plans:
                continue
            own_plan_word = re.search(
                r"\b(paid|pro|plan|tier|starter|standard|business|team|enterprise|premium|hobby|developer|"
                r"launch|scale|growth|basic|payg)\b",
                re.sub(r"free\s+tier", "", text, flags=re.I),
                re.I,
            )
            figure_plans = match.plans
            if not match.plan_named and plan_context and not own_plan_word:
                ctx_match = self.vocab.match(plan_context, [pid], kinds or None, service_text=bare_context)
                bare = _PARENTHESES.sub(" ", plan_context)
                if bare != plan_context:
                    # "Workers Paid: $5 a month (also covers D1, KV and Queues)": the services the
                    # parentheses add do not narrow the plan the label names
                    bare_match = self.vocab.match(bare, [pid], kinds or None, service_text=bare_context)
                    if bare_match.plan_named:
                        ctx_match = bare_match
                # the plan the label above names, of the service this text names by its kind
                # ("- Free: 500 MB database, 50,000 MAU for auth," then "200 Realtime connections")
                ids = {r.plan.id for r in ctx_match.plans}
                own_kind = [r for r in match.plans if r.plan.id in ids] if _kinds(text) else []
                if ctx_match.plan_named and own_kind:
                    match = Match(match.providers, tuple(own_kind), True, ctx_match.plan_words)
                elif ctx_match.plan_named:
                    match = ctx_match
                if match.plan_named:
                    # the plan named last above is the one the text's figures are of ("... the
                    # Fixed 250MB plan at $10/month" / "(unlimited commands, 50 GB bandwidth)")
                    figure_plans = self._named_last(plan_context, match.plans)
            name = match.plans[0].provider.name
            checked = False
            if price is not None and not price.delta and pid != self._above:
                checked |= self._price(line, text, name, match.plans, match.plan_named, price, row)
            for q in quantities:
                if not self._speaks_of(text, q.text, pid, from_context):
                    continue  # "Upstash's 500K commands and R2's 10M free reads": each its own
                if q.role == "usage" or (q.role == "" and (row or not _LIMIT_COLUMN.search(plan_context))):
                    continue  # the app's own amount, or a figure nothing marks as a quota
                plans = self._plans_at(probe, q.text, figure_plans) if match.plan_named else figure_plans
                checked |= self._quantity(line, name, plans, match.plan_named, q)
            for up in unit_prices:
                if not self._speaks_of(text, up.text, pid, from_context):
                    continue
                plans = self._plans_at(probe, up.text, figure_plans) if match.plan_named else figure_plans
                checked |= self._unit_price(line, name, plans, up, text)
            if (
                not checked
                and pid != self._above
                and match.plan_named
                and "free" in match.plan_words
                and not any(r.plan.available for r in ([r for r in match.plans if is_free_plan(r)] or match.plans))
                and not _GONE.search(text)
            ):
                old = next((r for r in match.plans if is_free_plan(r)), match.plans[0])
                self._mismatch(
                    "warning",
                    line,
                    f"{name}: the free tier named here is the legacy plan {old.plan.name}, no longer available"
                    + (f" (since {old.plan.unavailable_since})" if old.plan.unavailable_since else ""),
                    stated=re.sub(r"\s+", " ", text)[:80],
                    expected="no free plan for new accounts",
                    cited=old,
                )
                checked = True
            if price is not None and price.delta and not checked:
                self.unmatched(
                    line, text, f"{price.text} is an increase over another price, not a {name} price"
                )

    def _mismatch(
        self, severity: str, line: int, message: str, *, stated: str, expected: str, cited: Figure | PlanRef
    ) -> None:
        """A stated figure that disagrees with the catalog entry ``cited`` (its key, source, as_of)."""
        catalog, source, as_of = _cite(cited)
        self.add(
            DocFinding(
                "catalog_mismatch",
                severity,
                line,
                message,
                stated=stated,
                expected=expected,
                catalog=catalog,
                source=source,
                as_of=as_of,
            )
        )

    def _speaks_of(self, text: str, figure: str, pid: str, from_context: bool) -> bool:
        """The figure belongs to provider ``pid``: the nearest provider named before it in the text
        (or the first named, when none comes before it). When a label above names a provider the
        text does not (``_above``), a figure no name comes before, and none follows closely
        ("50 monitors, ... plenty for api, Pages"), is the label's provider's."""
        if from_context:
            return True
        if self._above:
            starts, _, _ = self._provider_marks(text)
            at = self._figure_at(figure)
            if at < 0:
                return pid != self._above
            before = bool(starts) and starts[0] <= at
            near = bool(starts) and starts[0] - (at + len(figure)) <= _NAME_AFTER_FIGURE
            if not before and not near:
                return pid == self._above
            if pid == self._above:
                return False
        starts, pids, distinct = self._provider_marks(text)
        at = self._figure_at(figure)
        if at < 0 or distinct < 2:
            return True
        i = bisect.bisect_right(starts, at)
        return (pids[i - 1] if i else pids[0]) == pid

    def _provider_marks(self, text: str) -> tuple[list[int], list[str], int]:
        """Where ``text`` names providers: (starts, providers, how many distinct), kept for the
        figures of one text asked about in a row."""
        if self._named_for is not text:
            named = self.vocab.provider_positions(text)
            self._named_for = text
            self._named = ([pos for pos, _ in named], [p for _, p in named], len({p for _, p in named}))
            self._at = {}
        return self._named

    def _figure_at(self, figure: str) -> int:
        """Where ``figure`` is in the text _provider_marks was last asked about."""
        at = self._at.get(figure)
        if at is None:
            at = self._at[figure] = (self._named_for or "").find(figure)
        return at

    def _plans_at(self, text: str, figure: str, plans: tuple[PlanRef, ...]) -> tuple[PlanRef, ...]:
        """Of several plans a text names, the one the figure is of: in the figure's own table cell,
        the plan named last before it, else the first named after it ("100,000 MAU included on
        Pro"); else the plan named last before the figure ("Developer: 50K errors a month |
        Team: $26/month, 50K errors included"); all of them when none is."""
        at = text.find(figure)
        if at < 0 or len({r.plan.id for r in plans}) < 2:
            return plans
        # read in a window around the figure (a plan named further away is not its plan, and a
        # line of a megabyte must not be read again per figure)
        lo, hi = max(0, at - _PLAN_WINDOW), min(len(text), at + _PLAN_WINDOW)
        cell_start = text.rfind("|", lo, at) + 1
        cell_end = text.find("|", at, hi)
        cell_start = max(cell_start, lo)
        cell_end = hi if cell_end < 0 or cell_start == lo else cell_end
        after = self._name_starts(text[at + 1 : cell_end], plans)  # the snippet may name it
        return (
            self._nearest(self._name_starts(text[cell_start:at], plans), plans, last=True)
            or self._nearest(after, plans, last=False)
            or self._nearest(self._name_starts(text[lo:at], plans), plans, last=True)
            or plans
        )

    def _named_last(self, before: str, plans: tuple[PlanRef, ...]) -> tuple[PlanRef, ...]:
        """Of ``plans``, the one whose name starts last in ``before``; all when none is named."""
        if len({r.plan.id for r in plans}) < 2:
            return plans
        return self._nearest(self._name_starts(before[-_PLAN_WINDOW:], plans), plans, last=True) or plans

    @staticmethod
    def _nearest(
        starts: dict[int, list[int]], plans: tuple[PlanRef, ...], *, last: bool
    ) -> tuple[PlanRef, ...]:
        """The plans (by index in ``plans``) named last (or first) in a text, from _name_starts."""
        if not starts:
            return ()
        pick = max if last else min
        where = {i: pick(v) for i, v in starts.items()}
        nearest = pick(where.values())
        return tuple(r for i, r in enumerate(plans) if where.get(i) == nearest)

    def _name_starts(self, text: str, plans: tuple[PlanRef, ...]) -> dict[int, list[int]]:
        """Where each plan (by index in ``plans``) is named in ``text``."""
        out: dict[int, list[int]] = {}
        for i, r in enumerate(plans):
            starts = [
                m.start()
                for rx, alias, ref in self.vocab.plan_aliases.get(r.provider.provider, [])
                if ref is r and alias != "free"
                for m in rx.finditer(text)
            ]
            if re.search(r"\bfree\b", r.plan.name, re.I) or "free" in r.plan.id.split("-"):
                # "Free", "free tier", "free:" name the plan; "1 GB of data free" does not
                starts += [m.start() for m in _FREE_PLAN_WORD.finditer(text)]
            if starts:
                out[i] = starts
        return out

    def _price(
        self,
        line: int,
        text: str,
        name: str,
        plans: tuple[PlanRef, ...],
        named: bool,
        price: Money,
        row: bool,
    ) -> bool:
        if not named:
            if row or price.hi > 0:
                self.unmatched(
                    line,
                    text,
                    f"names {name} but no {name} plan in the catalog (a usage estimate or an unknown plan)",
                )
            return False
        several = bool(
            re.search(r"\b\d+\s*(?:vms?|instances?|machines?|servers?|nodes?|replicas?)\b|×", text, re.I)
        )
        accepted: list[tuple[float, PlanRef, str]] = []
        for ref in plans:
            fee = flat_fee(ref)
            if fee is None:
                continue
            accepted.append((fee, ref, "monthly fee"))
            for size, p in size_prices(ref):
                accepted.append((fee + p, ref, f"size {size}"))
        if not accepted:
            self.unmatched(
                line, text, f"the catalog has no known monthly price for {name} {plans[0].plan.name}"
            )
            return False

        def hits(avail: bool) -> list[tuple[float, PlanRef, str]]:
            return [
                a
                for a in accepted
                if a[1].plan.available == avail and consistent(price.lo, price.hi, a[0], a[0], self.tol)
            ]

        # "$19 flat per month": a flat fee only a legacy plan had, even when a current plan's
        # instance happens to cost the same by the hour
        flat_words = re.search(r"\b(?:flat|fixed|pauschal|fixos?|fijos?|forfait\w*|tetap)\b", text, re.I)
        current_fee = [a for a in hits(True) if a[2] == "monthly fee"]
        if hits(True) and not (flat_words and not current_fee and hits(False)):
            self.audit.claims_ok += 1
            return True
        current = [r for r in plans if r.plan.available]
        # a month's cost on a plan billed by usage, by seat or by instance is its fee plus what is
        # used ("Resend Scale with overages: $148.50", "Vercel Pro, 2 seats: $40"): only a figure
        # below the fee contradicts the plan
        grows = [
            a
            for a in accepted
            if a[1].plan.available
            and (is_usage_priced(a[1]) or a[1].plan.instances is not None or _PER_SEAT.search(text))
            and (a[0] > 0 or _USAGE_WORDS.search(text))
        ]
        if (
            not flat_words
            and grows
            and not hits(False)
            and price.lo >= min(a[0] for a in grows) - self.tol.of(price.lo)
        ):
            self.audit.claims_ok += 1
            return True
        cur = current[0] if current else plans[0]
        expected = "; ".join(f"{r.plan.name}: {plan_price_text(r)}" for r in (current or plans)[:3])
        expected_current = expected
        if several and not hits(False):
            self.unmatched(line, text, "a price for several instances: not compared with one plan's price")
            return False
        old_plans = [r for r in plans if not r.plan.available]
        if current and old_plans:
            expected += "; legacy (no longer sold): " + "; ".join(
                f"{r.plan.name}: {plan_price_text(r)}" for r in old_plans[:2]
            )
        legacy = hits(False)
        if legacy:
            old = legacy[0][1]
            msg = (
                f"{name} {old.plan.name}: {price.label()}/month is the price of a legacy plan, no longer sold"
                + (f" (since {old.plan.unavailable_since})" if old.plan.unavailable_since else "")
                + (f"; current: {expected_current}" if current else "")
            )
            self._mismatch(
                "warning",
                line,
                msg,
                stated=price.label(),
                expected=expected_current if current else usd_text(legacy[0][0]),
                cited=cur if current else old,
            )
            return True
        self._mismatch(
            "error",
            line,
            f"{name}: stated {price.label()}/month, the catalog says {expected}",
            stated=price.label(),
            expected=expected,
            cited=cur,
        )
        return True

    def _compare(self, stated: float, figure: float, kind: str = "limit") -> bool:
        if math.isinf(stated):
            return kind == "included"  # billed beyond the included amount: not capped
        if math.isinf(figure):
            return False
        return abs(stated - figure) <= max(1e-9, self.tol.quota_fraction * max(abs(figure), abs(stated)))

    def _quantity(self, line: int, name: str, plans: tuple[PlanRef, ...], named: bool, q: Any) -> bool:
        if not named:
            return False
        figs: list[Figure] = []
        for ref in plans:
            figs += figures_for(ref, q.prefixes, q.period)
        if q.period is not None and not figs:
            # "10k commands/day" against a plan that only states a monthly quota: report that
            for ref in plans:
                figs += figures_for(ref, q.prefixes, None)
        if q.period is not None and figs and not any(f.ref.plan.available for f in figs):
            # only a legacy plan states it per day/month: show what the current plans state
            for ref in plans:
                if ref.plan.available:
                    figs += figures_for(ref, q.prefixes, None)
        if not figs:
            return False
        if q.prefixes == ("*GB",):
            metrics = {f.metric for f in figs}
            if len(metrics) > 1:
                return False
        ok = [
            f
            for f in figs
            if any(self._compare(v, f.value, f.kind) for v in in_metric_units(q.value, q.unit, f.metric))
            and (q.period is None or f.metric.endswith(f"_per_{q.period}") or "_per_" not in f.metric)
        ]
        cur_ok = [f for f in ok if f.ref.plan.available]
        if cur_ok:
            self.audit.claims_ok += 1
            return True
        current = [f for f in figs if f.ref.plan.available]
        stated = "unlimited" if math.isinf(q.value) else q.text
        if ok:
            old = ok[0]
            exp = "; ".join(f"{f.ref.plan.name}: {_fmt_q(f.value, f.metric)}" for f in current[:3]) or "none"
            self._mismatch(
                "warning",
                line,
                f"{name}: '{stated}' is the quota of the legacy plan {old.ref.plan.name} (no longer available)"
                + (f"; current: {exp}" if current else ""),
                stated=stated,
                expected=exp,
                cited=current[0] if current else old,
            )
            return True
        shown = current or figs
        exp = "; ".join(f"{f.ref.plan.name}: {_fmt_q(f.value, f.metric)}" for f in shown[:3])
        # "Clerk Hobby: 2,000 MRU" under a plan's label: a figure within the quota may be the app's
        # own amount on that plan, so it is only a doubt
        within = q.role == "label" and all(
            max(in_metric_units(q.value, q.unit, f.metric)) < f.value for f in shown
        )
        self._mismatch(
            "warning" if within else "error",
            line,
            f"{name}: stated '{stated}', the catalog says {exp}"
            + (" (if it is the plan's quota; as the app's own amount it fits)" if within else ""),
            stated=stated,
            expected=exp,
            cited=shown[0],
        )
        return True

    def _unit_price(self, line: int, name: str, plans: tuple[PlanRef, ...], up: Any, text: str = "") -> bool:
        figs: list[Figure] = []
        for ref in plans:
            figs += figures_for(ref, up.prefixes, None, prices=True)
        # an instance size the sentence names ("Small is $0.0206 per hour") is the one priced
        named_sizes = [
            f
            for f in figs
            if f.metric.startswith("instance ") and re.search(rf"\b{re.escape(f.metric[9:])}\b", text, re.I)
        ]
        figs = named_sizes or figs
        # one figure per plan and value (a plan's sizes billed in CU-hours share one CU-hour price)
        figs = list(
            {
                (f.ref.key, f.metric if f.metric.startswith("instance ") else "", round(f.value, 9)): f
                for f in figs
            }.values()
        )
        stated_per_unit = up.usd / up.per_units
        if not figs:
            if up.prefixes and any(p.startswith("egress") for p in up.prefixes) and plans:
                plan = plans[0]
                # the same plan under another of the provider's services (an org plan billed once)
                # may carry the egress meter
                names = {r.plan.id for r in plans}
                kin = [
                    r for r in self.vocab.by_provider.get(plan.provider.provider, []) if r.plan.id in names
                ]
                if not any(m.metric.startswith("egress") for r in [*plans, *kin] for m in r.plan.meters):
                    self._mismatch(
                        "error",
                        line,
                        f"{name}: stated {up.text} for bandwidth; the catalog has no bandwidth charge on "
                        f"{', '.join(dict.fromkeys(r.plan.name for r in plans[:3]))}",
                        stated=up.text,
                        expected="no bandwidth charge",
                        cited=plan,
                    )
                    return True
            return False
        ok = [f for f in figs if self._compare(stated_per_unit, f.value)]
        if any(f.ref.plan.available for f in ok):
            self.audit.claims_ok += 1
            return True
        current = [f for f in figs if f.ref.plan.available] or figs
        scale = up.per_units

        hourly = up.prefixes in (("*hour",), ("*cu_hour",))

        def show(f: Figure) -> str:
            if hourly:
                return f"{f.ref.plan.name}: ${f.value:.4g} per {'CU-' if f.metric.startswith('cu_') else ''}hour ({f.metric})"
            unit = "GB" if up.size_unit else (f"{scale:,.0f}" if scale != 1 else "unit")
            return f"{f.ref.plan.name}: ${f.value * scale:.4g} per {unit} ({f.metric})"

        exp = "; ".join(show(f) for f in current[:3])
        # the number is the catalog's, the unit is not ("$0.106 per CU-minute", "$4.50 per 1,000")
        slip = next(
            (
                f
                for f in current
                for k in ((1.0,) if hourly else (1.0, 1e3, 1e5, 1e6))
                if abs(up.usd - f.value * k) <= 0.02 * up.usd and not self._compare(stated_per_unit, f.value)
            ),
            None,
        )
        if slip is not None:
            exp += " (the stated figure is the catalog's, in another unit)"
        sev, extra = "error", ""
        if ok:
            sev, extra = "warning", f" (the price of the legacy plan {ok[0].ref.plan.name})"
        self._mismatch(
            sev,
            line,
            f"{name}: stated {up.text}{extra}, the catalog says {exp}",
            stated=up.text,
            expected=exp,
            cited=current[0],
        )
        return True


_LIMIT_COLUMN = re.compile(
    r"free|limit|quota|included|allowance|tier|cap\b|inclu[sií]|gratu|gratis|kostenlos|l[ií]mite|kuota", re.I
)
_USAGE_COLUMN = re.compile(
    r"usage|use\b|need|volume|formula|calculation|estimate|expected|traffic|load|at \d|how much|amount", re.I
)


#: a cell that opens with a plan's name and goes on ("Free, 6 monitors", "Pro: 12 seats")
_PLAN_WORD_FIRST = re.compile(
    r"^\W*(?:free|gratis|gr[aá]tis|gratuit\w*|hobby|pro|starter|team|developer)\s*[,:;]", re.I
)


def _row_quantities(t: Table, r: Row) -> list[Quantity]:
    """The quotas a table row states: a figure is a quota when its cell says so ("10 GB free"),
    or its column is headed as one ("Free tier", "Limits"); a figure under "Usage" or "Formula"
    is the app's own amount. Under another heading only a figure written as a quota ("10k
    cmds/day") counts."""
    out: list[Quantity] = []
    for i, cell in enumerate(r.cells):
        head = t.header[i] if i < len(t.header) else ""
        for q in find_quantities(cell):
            role = q.role
            if role == "limit" and t.is_cost_table and i != t.money_col and _PLAN_WORD_FIRST.match(cell):
                # "| Better Stack | Free, 6 monitors | 0.00 |": in a cost table the count after the
                # plan's name is what the app uses on it, or its quota: a doubt, not a claim
                role = "label"
            if not role:
                if _LIMIT_COLUMN.search(head):
                    role = "limit"
                elif _USAGE_COLUMN.search(head):
                    role = "usage"
                elif q.period and re.search(r"/\s*(?:day|mo|month)\b", q.text, re.I):
                    role = "limit"
            out.append(dataclasses.replace(q, role=role))
    return out


def _claims(lines: list[Line], tables: list[Table], table_lines: set[int], claims: _Claims) -> None:
    rows_done: set[int] = set()
    for t in tables:
        if t.kind == "list":
            continue
        head_ctx = " ".join(h for h in t.header if re.search(r"free|tier|plan", h, re.I))
        service_table = any(claims.vocab.providers_in(" ".join(r.cells)) for r in t.rows)
        for r in t.rows:
            rows_done.add(r.line)
            if is_total_label(r.label):
                continue
            text = " | ".join(r.cells)
            # a bare-number column ("US$/bulan") is read for its totals, not as plan prices
            money = t.money(r) if t.is_cost_table and not t.bare_dollars else None
            if money is None and t.is_cost_table and t.money_col is not None and t.money_col < len(r.cells):
                cell = r.cells[t.money_col].strip()
                if cell and not parse_money(cell):
                    claims.unmatched(r.line, text, f"amount '{cell}' is not a monthly price")
            ctx = head_ctx + " " + (t.headings[-1] if t.headings else "")
            if money is None:
                # a "Free" cell read as $0 still names the plan the row's figures are of
                other = [c for c in r.cells if parse_money(c) is None or not re.search(r"\d", c)]
                text = " | ".join(other)
            if not service_table:
                continue
            claims.check(
                r.line,
                text,
                ctx,
                price=money,
                row=t.is_cost_table,
                plan_context=head_ctx,
                quantities=_row_quantities(t, r),
            )
    for idx, ln in enumerate(lines):
        if ln.no in rows_done or (ln.no in table_lines and not ln.in_code):
            continue
        text = ln.text.strip()
        if not text or re.match(r"^\s*(```|~~~)", text):
            continue
        if not (
            find_money(text)
            or find_quantities(text)
            or find_unit_prices(text)
            or re.search(r"\bfree\b", text, re.I)
            or _FREE_WORDS.search(text)
        ):
            continue
        if NOT_COST.search(text) and not find_unit_prices(text):
            continue
        label = re.match(r"^\W*(?:\d+[.)]\s*)?([A-Z][\w .&/-]{1,30}?)\s*:", text)
        if (
            label
            and not claims.vocab.providers_in(text)
            and sibling_names_provider(lines, idx, claims.vocab)
        ):
            if find_quantities(text) or find_unit_prices(text) or _line_price(text) is not None:
                claims.unmatched(ln.no, text, f"'{label.group(1)}' is not a provider in the catalog")
            continue
        pctx, plctx, kctx = line_context(lines, idx, claims.vocab)
        # each sentence is a claim of its own: "Free: 100 e-mails a day. Pro: $20 for 50,000." A
        # sentence that names no plan speaks of the last one named before it in the same item
        # (its earlier sentences, or the lines it continues); one that names no provider, of the
        # last provider named there
        # walked once, in order: the last sentence naming a provider, and the last naming a plan
        last_provider = ""
        last_plan = ""
        earlier = [(seg, False) for seg in segments(continued(lines, idx))]
        # a line of more than _SENTENCES_UP_TO characters (a document flattened into one line) is
        # read as one claim, as before sentences were read: per sentence it would be quadratic
        own_segments = segments(text) if len(text) <= _SENTENCES_UP_TO else [text]
        going_on = continuation(lines, idx)
        for seg, of_line in [*earlier, *((seg, True) for seg in own_segments)]:
            own = claims.vocab.providers_in(seg)
            # the line's first sentence began on the lines before
            wrapped = bool(earlier) and seg is own_segments[0] and not re.search(r"[.!?:;]\W*$", earlier[-1][0])
            if of_line:
                seg_plctx = last_plan or plctx
                if (
                    seg_plctx is not plctx
                    and _LIMIT_COLUMN.search(plctx)
                    and not _LIMIT_COLUMN.search(seg_plctx)
                ):
                    seg_plctx = plctx + " " + seg_plctx
                claims.check(
                    ln.no,
                    seg,
                    pctx if own or not last_provider else last_provider,
                    price=_line_price(seg, going_on if seg is own_segments[-1] else ""),
                    row=False,
                    plan_context=seg_plctx,
                    kind_context=kctx,
                    continuation=going_on if seg is own_segments[-1] else "",
                    quantities=wrapped_quantities(earlier[-1][0], seg) if wrapped else None,
                    unit_prices=wrapped_unit_prices(earlier[-1][0], seg) if wrapped else None,
                )
            if own:
                last_provider = seg
            pids = own or claims.vocab.providers_in(last_provider or pctx)
            named = [claims.vocab.match(seg, [pid]) for pid in pids]
            # "inbound data is free" names no plan for the sentences after it
            if any(m.plan_named and (m.plan_words != ("free",) or _free_is_plan(seg)) for m in named):
                last_plan = seg


_SENTENCES_UP_TO = 5_000


def _free_is_plan(text: str) -> bool:
    """ "free" names the Free plan ("Free: 10 GB", "the free tier", "3 free machines"), not an amount
    included ("10M requests FREE", "inbound data is free")."""
    return bool(
        re.search(
            r"(?:^|\|)\W*free\b|\bfree\s*(?:tier|plan|allowance|:)|\(free\)|\bfree\s+\d|"
            r"\bfree\b.{0,60}\b(?:machines?|vms?|máquinas|mesin|maschinen)\b|\b(?:machines?|vms?|máquinas|mesin|maschinen)\b.{0,60}\bfree\b",
            text,
            re.I,
        )
        or re.search(r"(?<=[a-z0-9] )Free\b", text)
    )


#: a sentence that says a plan is gone ("Fly has no free allowance any more"): it names the
#: legacy plan correctly
_GONE = re.compile(
    r"\bno\s+(?:longer|more)\b|\bany\s?more\b|\bno\s+(?:free|longer)\b|\bdiscontinued|\bretired|\bended\b|"
    r"\bwas\s+removed|\bya\s+no\b|\bnão\s+(?:há|existe)\s+mais|\bjá\s+não|\bn'existe\s+plus|\bne\s+\w+\s+plus\b|"
    r"\bnicht\s+mehr|\bkein\w*\s+\w*\s*mehr|\btidak\s+(?:ada\s+)?lagi|\bsudah\s+tidak",
    re.I,
)
#: a row that says its amount is made of usage ("compute $21.20 + storage $0.70", "with overages")
_USAGE_WORDS = re.compile(
    r"overage|usage|\bcompute\b|storage|\+|\d\s*[x×]|instances?|billable|\bbilled\b|metered|"
    # an amount used of what the plan meters: "400 GB billable", "21,200 MRU", "3M requests"
    r"\d[\d,.]*\s*(?:[KMB]\s+)?(?:GB|TB|GB-months?|requests|commands|MRU|MAU|e-?mails|messages|minutes)\b",
    re.I,
)
_PER_SEAT = re.compile(
    r"\b(?:\d+|two|three|four|five)\s+(?:seats?|users?|members?|devs?|developers?)\b|\bper\s+(?:seat|user)\b|overage",
    re.I,
)
#: "free" in the other languages of the corpus (replaced in place, same length or padded)
_FREE_WORDS = re.compile(
    r"\b(?:gratis|grátis|gratuit[oaei]?s?|kostenlos|gratuitement|ücretsiz|miễn\s+phí|bure)\b", re.I
)


_THRESHOLD_BEFORE = re.compile(
    r"(?:\b(?:passes|exceeds?|above|over|under|below|reaches|beyond|past|at|includes?|including|credits?|from|desde|"
    r"ab|starting|mulai|dès|à\s+partir\s+de|a\s+partir\s+de)|=)\s*\(?\s*(?:US|R|A|C)?$",
    re.I,
)
_YEARLY_AFTER = re.compile(r"\s*(?:a|per|/)\s*(?:year|yr|annum)\b", re.I)


#: "then $4.50 and $0.36 per million": the first amount shares the second's unit
_SHARED_UNIT_AFTER = re.compile(
    r"\s*(?:and|or|y|e|et|und|dan|/)\s*\$\s*\d[\d.,]*\s*(?:/|(?:per|por|par|pro|je|ogni|each)\s)", re.I
)


#: "$10 of compute credit", "$5 in credits": a credit the plan includes, not its price
_CREDIT_AFTER = re.compile(r"\s*(?:of|in)\s+(?:[\w-]+\s+)?credits?\b|\s+(?:[\w-]+\s+)?credits?\b", re.I)


def _line_price(text: str, continuation: str = "") -> Money | None:
    """The one monthly price a sentence states, if it states exactly one and says it is monthly: not
    a threshold ("passes $10/month"), an included credit, a formula's result, a yearly amount or one
    sharing the next amount's unit ("$4.50 and" / "$0.36 per million", ``continuation`` being the
    first words of the next line when the sentence goes on there). Only the words next to each
    amount are read (a window, not a copy of the text before it)."""
    going_on = f"{text} {continuation}" if continuation else text
    has_money = [
        m
        for m, at, unit in find_money(text)
        if not unit
        and not _THRESHOLD_BEFORE.search(text[max(0, at - 40) : at])
        and not _YEARLY_AFTER.match(text, at + len(m.text))
        and not _SHARED_UNIT_AFTER.match(going_on, at + len(m.text))
        and not _CREDIT_AFTER.match(text, at + len(m.text))
    ]
    price = (
        has_money[0]
        if len(has_money) == 1
        and re.search(rf"{MONTH_WORDS}|\(\$|:\s*\$", text, re.I)
        else None
    )
    if price is not None and re.search(r"total|estimate|typical|~", text, re.I):
        return None
    return price


def check_claims(
    lines: list[Line],
    tables: list[Table],
    table_lines: set[int],
    vocab: Vocabulary,
    tol: Tolerance,
    audit: DocAudit,
) -> None:
    """Compare every price, quota and unit price the document states for a catalog plan."""
    _claims(lines, tables, table_lines, _Claims(vocab, tol, audit))
