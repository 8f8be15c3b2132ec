"""Terms of use in a plan document: the document describes a commercial product (subscriptions,
payments, commissions, ads, software sold to businesses) and puts part of it on a plan whose terms
forbid commercial use (in the catalog: ``attributes.commercial_use: false``, such as Vercel Hobby).

The commercial intent is read from the document itself, in the languages plan documents are
written in here (English, Portuguese, Spanish, French, German, Indonesian), and the finding quotes
the sentence that shows it. A line that discusses the terms ("Hobby is for non-commercial use, so
Pro") or names the plan only to leave it aside ("instead of Hobby") is not a placement."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog.loader import PlanRef
from .doc_findings import DocFinding
from .doc_tables import Line
from .doc_vocabulary import Vocabulary, flat_fee, plan_price_text

__all__ = ["CommercialEvidence", "commercial_evidence", "terms_findings"]

#: words that show a product earns money from its users, by language
_COMMERCIAL = re.compile(
    r"\b(?:"
    # English
    r"subscriptions?|subscribers?\s+pay|paid\s+(?:plans?|tiers?|subscriptions?|seats?)|we\s+charge|"
    r"charges?\s+(?:a|an|each|per)|commissions?|take\s+rate|checkout|payments?|sells?|selling|"
    r"revenue|MRR|ARR|customers?\s+pay|pays?\s+(?:us|a\s+monthly|per|monthly)|marketplace|B2B|SaaS|"
    r"advertis\w*|ads|monetis\w*|monetiz\w*|freemium|per\s+seat|invoic\w+\s+(?:our|the)\s+customers|"
    # taking payments from visitors or showing sponsors' advertising is commercial use too
    r"donations?|sponsors?|sponsorships?|sponsored|affiliate\s+links?|"
    # Portuguese
    r"assinaturas?|mensalidades?|cobramos|comiss(?:ão|ões)|pagam|receita|vendas?|doações|patrocinadores|"
    # Spanish
    r"suscripci(?:ón|ones)|mensualidad(?:es)?|comisi(?:ón|ones)|pagan|ingresos|donaciones|patrocinadores|"
    # French
    r"abonnements?|payants?|paient|facturons|chiffre\s+d'affaires|dons\s+en\s+ligne|"
    # German
    r"Abonnements?|Abos?|zahlen|Provision(?:en)?|Umsatz|kostenpflichtig|Monatsgebühr|Spenden|Sponsoren|"
    # Indonesian
    r"langganan|berlangganan|membayar|bayar|komisi|pendapatan|penjualan|berbayar|donasi|"
    # Italian
    r"abbonament[oi]|pagano|commission[ei]|ricavi|vendite|donazioni|sponsor|"
    # Turkish
    r"abonelik|abonelikler|ödüyor|öderler|ödeme|ücretli\s+müşteri\w*|komisyon|gelir|satış|bağış|"
    # Vietnamese
    r"thuê\s+bao|trả\s+phí|doanh\s+thu|hoa\s+hồng|"
    # Swahili
    r"usajili|malipo|wanalipa|kamisheni|mapato"
    r")\b",
    re.I,
)

#: a line that discusses the terms themselves, or names the plan to set it aside
_DISCUSSES_TERMS = re.compile(
    r"commercial|comercial|commercial|kommerziell|komersial|personal|personnel|pessoal|"
    r"forbid|prohibit|not\s+allowed|terms|ToS\b|instead\s+of|rather\s+than|"
    r"em\s+vez|en\s+(?:lugar|vez)\s+de|au\s+lieu|statt|anstatt|alih-alih|"
    r"proíbe|prohíbe|interdit|verbietet|dilarang|não\s+permite|no\s+permite|n'autorise",
    re.I,
)


#: words that put a part of the product on a plan: runs on, is deployed to, is hosted on, stays on
_PLACES = re.compile(
    r"\b(?:runs?|running|deploy\w*|host(?:s|ed|ing)?|stays?|starts?|launch\w*|serves?|moves?|"
    r"roda|rodar|hospedad\w*|corre|desplegad\w*|alojad\w*|tourne|h[ée]berg\w*|d[ée]ploy\w*|"
    r"l[äa]uft|gehostet|bereitgestellt|berjalan|di-?host|dijalankan)\b",
    re.I,
)


@dataclass(frozen=True)
class CommercialEvidence:
    line: int
    sentence: str


def _sentence_at(text: str, pos: int) -> str:
    starts = [m.end() for m in re.finditer(r"[.!?]\s+", text[:pos])]
    start = starts[-1] if starts else 0
    end = re.search(r"[.!?](?:\s|$)", text[pos:])
    return text[start : pos + end.end() if end else len(text)].strip()


def _set_aside(text: str, ref: PlanRef) -> bool:
    """The line names the plan only to say it is not the one: "Pro and not Hobby", "nicht auf
    Vercel Hobby", "Pro vs. Hobby"."""
    provider, plan = re.escape(ref.provider.name), re.escape(ref.plan.name)
    return bool(
        re.search(
            rf"\b(?:not|nicht|non|não|no|bukan|never|nie|jamais|vs\.?|versus)\s+"
            rf"(?:(?:on|the|auf|en|em|di|sur|el|o|le|der|dem)\s+)?(?:{provider}(?:'s|’s)?\s+)?{plan}\b",
            text,
            re.I,
        )
    )


def commercial_evidence(lines: list[Line]) -> CommercialEvidence | None:
    """The first sentence of the document that shows the product earns money from its users."""
    for ln in lines:
        if ln.in_code:
            continue
        m = _COMMERCIAL.search(ln.text)
        if m:
            sentence = re.sub(r"\s+", " ", re.sub(r"[*_`|#>]", " ", _sentence_at(ln.text, m.start()))).strip()
            return CommercialEvidence(ln.no, sentence[:160])
    return None


def _commercial_alternative(ref: PlanRef, vocab: Vocabulary) -> PlanRef | None:
    """The cheapest available plan of the same service that allows commercial use."""
    same = [
        r
        for r in vocab.by_provider.get(ref.provider.provider, [])
        if r.service.id == ref.service.id and r.plan.available and r.attributes.commercial_use is not False
    ]
    priced = [(flat_fee(r), r) for r in same]
    known = sorted(((f, r) for f, r in priced if f is not None), key=lambda x: x[0])
    return known[0][1] if known else (same[0] if same else None)


def terms_findings(lines: list[Line], vocab: Vocabulary) -> list[DocFinding]:
    """An error for each non-commercial plan a commercial product is put on, on the first line
    that puts it there; the other lines that do are listed in ``lines_used``."""
    evidence = commercial_evidence(lines)
    if evidence is None:
        return []
    placed: dict[str, tuple[PlanRef, list[int]]] = {}
    for ln in lines:
        if ln.in_code or _DISCUSSES_TERMS.search(ln.text):
            continue
        for pid in vocab.providers_in(ln.text):
            match = vocab.match(ln.text, [pid])
            if not match.plan_named:
                continue
            for ref in match.plans:
                if ref.attributes.commercial_use is False and ref.plan.available:
                    if _set_aside(ln.text, ref):
                        break  # "Why Vercel Pro and not Hobby"
                    placed.setdefault(ref.key, (ref, []))[1].append(ln.no)
                    break
    out: list[DocFinding] = []
    by_no = {ln.no: ln.text for ln in lines}
    for ref, at in placed.values():
        # a line that puts the product there ("Stage 1 runs the web app on Vercel Hobby") comes
        # before a table row that only lists the plan among the options
        at.sort(key=lambda n: (by_no[n].lstrip().startswith(("|", "│")) and not _PLACES.search(by_no[n]), n))
        alt = _commercial_alternative(ref, vocab)
        expected = (
            f"a plan that allows commercial use: {alt.plan.name} ({plan_price_text(alt)})"
            if alt
            else "a plan that allows commercial use"
        )
        also = (
            f"; also on line{'s' if len(at) > 2 else ''} {', '.join(map(str, at[1:]))}" if len(at) > 1 else ""
        )
        out.append(
            DocFinding(
                "terms",
                "error",
                at[0],
                f"{ref.provider.name} {ref.plan.name} forbids commercial use, and the document describes "
                f"a commercial product (line {evidence.line}: '{evidence.sentence}'); it needs {expected}{also}",
                stated=f"{ref.provider.name} {ref.plan.name}",
                expected=expected,
                catalog=f"{ref.key}#commercial_use",
                source=ref.source,
                as_of=str(ref.as_of),
                lines_used=(evidence.line, *at[1:]),
            )
        )
    return out
