"""Messaging fee formulas in a plan document (issue 12, finding kind ``fee_formula``): a WhatsApp
cost written with a billing rule the provider has retired, or with another message category's rate.

The catalog prices a messaging service (a plan that hosts ``messaging``) per delivered message, by
category (a meter ``<service>_<category>_messages_per_month``: marketing, utility, authentication,
service) and by the recipient's country (``country:XX`` keys). A plan it keeps as no longer
available (``available: false``, ``unavailable_since``) holds the rule in force before. The
document is read unit by unit: a sentence of prose (wrapped lines joined), a list item, a table row
or a line of a code block ("key: value"), in the context of its paragraph or block and of the
headings above it, in English, Portuguese, Spanish, French, German and Indonesian. Three checks,
on units where the service is named (in the unit, its block or a heading above it):

* **priced per conversation** ("per 24-hour conversation", "26 conversations x $0.0067", "first
  1,000 service conversations free"): the catalog's current plan bills each delivered message;
  per-conversation billing is the retired model, and a count of conversations undercounts every
  message after the first in a day. Severity warning (the rule was true once).
* **the wrong category's rate** ("utility ... 1,200 x $0.0516" in Nigeria, where $0.0516 is the
  marketing rate and utility is $0.0067): an error when the rate is another category's rate in the
  country the unit (or its block, or its section) names; a warning when it is none of the
  catalog's rates there (the catalog has the tier-1 list rate only; Meta changes rates quarterly).
* **a category said to be free that the current plan charges** ("service messages inside the
  window: free, unlimited"), when a retired plan had it free: warning, with the date the rule ended.

A unit that sets the old rule aside ("no longer free", "charged since", "instead of per
conversation", "until ...") is not a claim. The catalog holds no payment provider's fees (card or
mobile-money percentages), so "N% + fixed fee" formulas are not checked.
"""

from __future__ import annotations

import gettext
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache, partial

import pycountry

from ..catalog.loader import Catalog, PlanRef
from ..catalog.models import Meter
from .doc_findings import DocFinding
from .doc_tables import Line

__all__ = ["MessageRate", "MessagingFees", "messaging_fees", "fee_findings", "countries_named"]

# ---------------------------------------------------------------------------------------------
# the catalog's per-message prices

_METRIC = re.compile(r"(?:[a-z0-9]+_)??(marketing|utility|authentication|service)_messages_per_month")


@dataclass(frozen=True)
class MessageRate:
    category: str  # marketing | utility | authentication | service
    country: str  # ISO alpha-2
    usd: float
    ref: PlanRef
    meter: Meter

    @property
    def key(self) -> str:
        return f"{self.ref.key}#{self.meter.metric}"

    @property
    def source(self) -> str:
        return self.meter.source or self.ref.source

    @property
    def as_of(self) -> str:
        return str(self.meter.as_of or self.ref.as_of)


@dataclass(frozen=True)
class MessagingFees:
    """One messaging service of the catalog: the words that name it, its current per-message rates
    and the rates of its retired plans."""

    product: re.Pattern[str]
    name: str
    current: tuple[MessageRate, ...]
    retired: tuple[MessageRate, ...]

    def rates(self, country: str, category: str | None = None) -> list[MessageRate]:
        return [r for r in self.current if r.country == country and category in (None, r.category)]

    def ended_free(self, category: str) -> list[MessageRate]:
        """The retired plans' zero rates for a category the current plan charges."""
        charged = any(r.category == category and r.usd > 0 for r in self.current)
        return [r for r in self.retired if r.category == category and r.usd == 0 and charged]


def _rates(ref: PlanRef) -> list[MessageRate]:
    out = []
    for m in ref.plan.meters:
        cat = _METRIC.fullmatch(m.metric)
        if cat is None:
            continue
        prices = m.usd_per_unit
        if isinstance(prices, dict):
            for key, v in prices.items():
                if key.startswith("country:") and v is not None:
                    out.append(MessageRate(cat.group(1), key.split(":", 1)[1], float(v), ref, m))
        elif prices is not None:
            # one price everywhere (a retired rule's "free"): kept under the empty country
            out.append(MessageRate(cat.group(1), "", float(prices), ref, m))
    return out


def messaging_fees(catalog: Catalog) -> list[MessagingFees]:
    """The catalog's messaging services priced per message by category and country."""
    by_service: dict[tuple[str, str], list[PlanRef]] = {}
    for ref in catalog.plans:
        if "messaging" in ref.hosts:
            by_service.setdefault((ref.provider.provider, ref.service.id), []).append(ref)
    out = []
    for refs in by_service.values():
        current = [r for ref in refs if ref.plan.available for r in _rates(ref)]
        retired = [r for ref in refs if not ref.plan.available for r in _rates(ref)]
        if not current:
            continue
        word = refs[0].service.name.split()[0]  # "WhatsApp" of "WhatsApp Cloud API"
        product = re.compile(
            r"\b" + r"\s*".join(map(re.escape, re.findall(r"[A-Z]?[a-z]+|\w", word))) + r"\b", re.I
        )
        out.append(MessagingFees(product, refs[0].service.name, tuple(current), tuple(retired)))
    return out


# ---------------------------------------------------------------------------------------------
# countries named in a text


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c)).lower()


#: endings that make a country's name an adjective or its people ("nigerian", "nigérians",
#: "nigerianos", "égyptien", "sénégalaise", "senegalese"): a name is extended, never rewritten
_DEMONYM = ("n", "ns", "an", "ans", "ano", "anos", "ana", "anas", "ian", "ians", "ien", "iens", "ienne", "iennes",
            "iano", "ianos", "iana", "ianas", "ische", "ischen", "isch", "ese", "eses", "ais", "aise", "aises",
            "i")  # fmt: skip
_LANGUAGES = ("fr", "pt", "es", "de", "id")
_NAME_WORD = re.compile(r"[^\W\d_]+(?:['’-][^\W\d_]+)*")


@cache
def _country_forms() -> dict[str, str]:
    """Every folded form of a country's name (English and five other languages, with demonym
    endings) -> its code; a name beats a demonym, a demonym of a longer name a shorter one's."""
    names: dict[str, str] = {}
    translations = []
    for lang in _LANGUAGES:
        try:
            translations.append(gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[lang]))
        except OSError:
            continue
    for c in pycountry.countries:
        base = [b for b in (getattr(c, a, None) for a in ("name", "common_name")) if b]
        for n in base + [t.gettext(b) for t in translations for b in base]:
            if "," not in n and "(" not in n:
                names.setdefault(" ".join(_NAME_WORD.findall(_fold(n))), c.alpha_2)
    demonyms: dict[str, tuple[int, str]] = {}
    for n, code in names.items():
        if " " in n or len(n) < 4:
            continue
        for stem in {n, n[:-1]} if n[-1] in "aeo" else {n}:
            for end in _DEMONYM:
                f = stem + end
                if f not in names and len(n) > demonyms.get(f, (0, ""))[0]:
                    demonyms[f] = (len(n), code)
    return {**{f: code for f, (_, code) in demonyms.items()}, **names}


def countries_named(text: str) -> set[str]:
    """ISO codes of the countries a text names ("Nigeria", "nigérians", "Afrique du Sud"): the
    longest name at each word, up to four words."""
    forms = _country_forms()
    words = _NAME_WORD.findall(_fold(text))
    found: set[str] = set()
    i = 0
    while i < len(words):
        for n in (4, 3, 2, 1):
            code = forms.get(" ".join(words[i : i + n])) if i + n <= len(words) else None
            if code is not None:
                found.add(code)
                i += n
                break
        else:
            i += 1
    return found


# ---------------------------------------------------------------------------------------------
# the document, unit by unit


@dataclass(frozen=True)
class _Unit:
    line: int  # the line the unit starts on
    text: str
    starts: tuple[tuple[int, int], ...]  # (offset in text, line number)
    block: str  # the paragraph, list item's paragraph, or code block / table around it
    headings: tuple[str, ...]

    def line_at(self, offset: int) -> int:
        no = self.line
        for at, n in self.starts:
            if at > offset:
                break
            no = n
        return no


_LIST_ITEM = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[^\s\da-z])")


#: a line of aligned columns in plain text ("Marketing      60,000 x $0.0036      =   $216.00") or a
#: row of comma-separated values: a row of its own, like a table's
_ALIGNED_ROW = re.compile(r"\S\s{3,}\S.*\d|^(?!.*,\s)[^,\s][^,]*(?:,[^,]*){3,}$")


def _kind(ln: Line) -> str:
    if ln.in_code:
        return "code"
    text = ln.text.strip()
    return "table" if text.startswith("|") or _ALIGNED_ROW.search(text) else "prose"


def _blocks(lines: list[Line]) -> Iterator[list[Line]]:
    """Paragraphs of prose, code blocks and tables: runs of lines of one kind, cut at blank lines
    and headings outside code."""
    run: list[Line] = []
    for ln in lines:
        cut = not ln.in_code and (not ln.text.strip() or re.match(r"^\s{0,3}#", ln.text))
        if run and (cut or _kind(ln) != _kind(run[0])):
            yield run
            run = []
        if not cut:
            run.append(ln)
    if run:
        yield run


def _units(lines: list[Line]) -> Iterator[_Unit]:
    for block in _blocks(lines):
        block_text = " ".join(ln.text.strip() for ln in block)
        if _kind(block[0]) != "prose":
            for ln in block:
                yield _Unit(ln.no, ln.text, ((0, ln.no),), block_text, ln.headings)
            continue
        # prose: list items start a new run; wrapped lines are joined, then cut into sentences
        items: list[list[Line]] = []
        for ln in block:
            if not items or _LIST_ITEM.match(ln.text):
                items.append([])
            items[-1].append(ln)
        for item in items:
            text, starts = "", []
            for ln in item:
                if text:
                    text += " "
                starts.append((len(text), ln.no))
                text += ln.text.strip()
            offsets = [o for o, _ in starts]
            at = 0
            for piece in _SENTENCE_END.split(text):
                start = text.index(piece, at)
                at = start + len(piece)
                # the lines the sentence spans: the one it starts on, and those starting inside it
                lo, hi = bisect_right(offsets, start) - 1, bisect_left(offsets, at)
                sub = ((0, starts[lo][1]), *((o - start, n) for o, n in starts[lo + 1 : hi]))
                first = starts[lo][1]
                yield _Unit(first, piece, sub, block_text, item[0].headings)


# ---------------------------------------------------------------------------------------------
# words, in six languages

_MESSAGE = (
    r"(?:messages?|msgs?|templates?|mod[eè]les?|modelos?|plantillas?|vorlagen?|nachrichten|"
    r"mensage(?:m|ns)|mensajes?|pesan|templat|replies|reply|r[eé]ponses?|respostas?|respuestas?|antworten|balasan)"
)
_CATEGORY = {
    # a message that sells ("this month's specials", a promotion, a campaign) is a marketing template
    "marketing": (
        r"marketing|pemasaran|promo(?:tional|cional|tionnel)|promos?|promotions?|specials|campaigns?|"
        r"promo[cç](?:ão|ões|ión|iones)|campanhas?|campañas?|campagnes?|offres\s+spéciales|angebote|aktionen|"
        r"kampanye|penawaran"
    ),
    "utility": r"utility|utilities|utilitaires?|utilidades?|utilit[aá]ri[oa]s?|utilitas",
    "authentication": r"authentication|authentification|autentica(?:ção|cao|ción|cion)|authentifizierung|autentikasi|otp",
    # "service" alone is any service: only next to a message word, or a non-template message
    "service": (
        rf"service\s+{_MESSAGE}|{_MESSAGE}\s+(?:de\s+)?(?:service|servi[cç]o|servicio|layanan)|"
        r"servi[cç]e?\s+conversations?|service[\s-]+nachrichten|non[\s-]template|free[\s-]form|"
        r"hors\s+mod[eè]le|sans\s+mod[eè]le|sem\s+modelo|fora\s+de\s+modelo|sin\s+plantilla|ohne\s+vorlage|"
        r"tanpa\s+templat|session\s+messages?"
    ),
}
_CATEGORY_RX = {k: re.compile(rf"(?<!\w)(?:{v})(?!\w)", re.I) for k, v in _CATEGORY.items()}

_CONV = r"(?:conversations?|conversas?|conversaci[oó]n(?:es)?|konversation(?:en)?|unterhaltung(?:en)?|gespr[aä]ch(?:e)?|percakapan)"
_WINDOW = r"(?:window|janela|ventana|fen[eê]tre|fenster|jendela)"
#: a price per conversation: "per 24-hour conversation", "26 conversations x $0.0067",
#: "conversation-based pricing", "1,000 free service conversations", "conversations/mo are free"
_PER_CONVERSATION = re.compile(
    r"(?<!\w)(?:"
    rf"(?:per|each|every|par|por|cada|pro|je|setiap|tiap)\s+(?:\d+[\s-]*(?:h|hours?|heures?|horas?|stunden|jam)\s+)?(?:[\w-]+\s+)?{_CONV}(?!\s+{_WINDOW})"
    rf"|\d[\d,.]*\s+(?:[\w-]+\s+)?{_CONV}\s*(?:x|×|\*|@|at|à|a|zu)\s*\$"
    rf"|{_CONV}[\s-]+(?:based|pricing|charges?|fees?|rates?|billing)"
    rf"|(?:tarif\w*|pre[cç]o|precio|preis|harga|pricing|price|rate|cobran[cç]a|facturation|billing)\s+(?:par|por|per|pro|au)\s+{_CONV}"
    rf"|\d[\d,.]*\s+(?:free|gratuites?|gr[aá]tis|gratuitas?|gratis|kostenlose)\s+(?:[\w-]+\s+){{0,2}}{_CONV}"
    rf"|\d[\d,.]*\s+(?:[\w-]+\s+)?{_CONV}(?:/\w+)?\s+(?:[\w/]+\s+){{0,3}}(?:free|gratuites?|gr[aá]tis|gratuitas?|gratis|kostenlos|gratis)"
    # "both reminders land in the same 24-hour conversation, so Meta bills the booking once"
    rf"|{_CONV}[^.;:]{{0,80}}?\b(?:bill(?:s|ed)?|charge[sd]?|counts?|counted|cobra\w*|factur\w*|berechnet)\b"
    r"[^.;:]{0,30}?\b(?:once|one\s+time|una\s+vez|uma\s+vez|une\s+fois|einmal|sekali)"
    r")(?!\w)",
    re.I,
)
_FREE = re.compile(
    r"(?<!\w)(?:free|gratuit[es]*|gr[aá]tis|gratuit[oa]s?|gratis|kostenlos|cuma-cuma)(?!\w)", re.I
)
#: a unit that sets the old rule aside, or says it is over
_SET_ASIDE = re.compile(
    r"no\s+longer|not\s+(?:per|free|by)|isn't|aren't|instead\s+of|rather\s+than|replac\w+|moved\s+from|"
    r"\buntil\b|\bbefore\b|used\s+to|\bwas\b|\bwere\b|retired|ended|old\s+model|formerly|previous\w*|"
    r"plus\s+gratuit|n'est\s+plus|ne\s+sont\s+plus|au\s+lieu|jusqu|\bavant\b|ancien\w*|remplac\w+|"
    r"n[aã]o\s+(?:é|são|sao)\s+mais|deix\w+\s+de|em\s+vez|\baté\b|\bantes\b|antig[oa]s?|substitu\w+|"
    r"ya\s+no|en\s+(?:lugar|vez)\s+de|\bhasta\b|reemplaz\w+|"
    r"nicht\s+mehr|statt|\bbis\b|vorher|früher|ersetzt|"
    r"tidak\s+lagi|bukan|alih-alih|sebelum|hingga|sampai|diganti\w*",
    re.I,
)
def _sets_conversations_aside(text: str, conv: re.Match[str]) -> bool:
    """The unit says conversations are not (or no longer) the billing unit. "per 24-hour
    conversation, not per message" negates the message, after the conversation: that one is not."""
    for m in _SET_ASIDE.finditer(text):
        if m.start() >= conv.end() and re.match(r"not\s+(?:per|by)\b", m.group(0), re.I):
            continue  # "..., not per message": the other unit is the one set aside
        return True
    return False


#: a unit that says the messages are charged (so "free" there is about something else)
_CHARGED = re.compile(
    r"charged|billed|\bpaid\b|\bpay\b|now\s+cost|factur\w+|payant\w*|cobrad\w+|pag[oa]s\b|cobra\w*|"
    r"kostenpflichtig|berechnet|berbayar|dikenakan",
    re.I,
)
#: a unit about prices (a count of conversations alone is not a price)
_PRICING = re.compile(
    r"\$|€|\bpric\w*|\bcost\w*|\bcharg\w*|\bbill\w*|\bfees?\b|\brates?\b|basis|\bfree\b|tarif\w*|pre[cç]o|precio|"
    r"preis|harga|biaya|co[uû]t\w*|custo|coste|kosten|gratuit\w*|gr[aá]tis|gratis|factur\w*|cobr\w*|berechn\w*",
    re.I,
)
#: the free entry point (72 hours after a click-to-WhatsApp ad) is still free, and so are incoming messages
_STILL_FREE = re.compile(
    r"entry[\s-]point|click[\s-]to|\bads?\b|an[uú]ncios?|annonces?|anzeigen?|iklan|72[\s-]*(?:h|hours?|heures|horas|stunden|jam)\b|"
    r"incoming|inbound|entrant\w*|recebid\w*|entrantes?|eingehend\w*|masuk",
    re.I,
)
#: a rate per message in US dollars (documents are in the point convention: "$0.0516")
_NUMBER = r"(0,\d+|\d+\.\d+|\d+)"  # "0,0067" is a decimal comma whatever the document's convention
_RATE = re.compile(
    rf"(?:(?<![\w$])(?:US\s?\$|\$|USD\s*)\s*{_NUMBER}(?![.,]?\d)|(?<![\w.,]){_NUMBER}\s*(?:US\$|\$|USD\b)(?!\s*\d))"
)
_PER_PERIOD = re.compile(
    r"^\s*(?:/\s*(?:mo|month|year|yr|an|mois|m[eê]s|monat|bulan)\b|(?:per|a|par|por|al|pro|each|/)\s*(?:month|year|mois|an|m[eê]s|ano|monat|jahr|bulan|tahun|driver|user|school)\b|par\s+mois|por\s+m[eê]s|al\s+mes|pro\s+monat|per\s+bulan)",
    re.I,
)


#: what a clause prices when it is not messages
_OTHER_UNIT = re.compile(
    r"(?<!\w)(?:[KMGT]i?B|GB-months?|hours?|hrs?|h|CU|vCPUs?|requests?|e-?mails?|seats?|instances?|commands?|"
    r"machines?|minutes?|min)(?!\w)",
    re.I,
)


def _categories(text: str) -> list[tuple[int, int, str]]:
    return sorted((m.start(), m.end(), k) for k, rx in _CATEGORY_RX.items() for m in rx.finditer(text))


def _usd(v: float) -> str:
    return f"${v:.4f}".rstrip("0").rstrip(".") if v < 1 else f"${v:,.2f}"


def _country_name(code: str) -> str:
    rec = pycountry.countries.get(alpha_2=code)
    return str(getattr(rec, "common_name", None) or rec.name) if rec else code


def _agrees(stated: str, usd: float) -> bool:
    """A stated rate agrees with the catalog's when the catalog's, rounded to the stated digits,
    is the stated one ("$0.007" for 0.0067)."""
    decimals = len(stated.split(".", 1)[1]) if "." in stated else 0
    return abs(float(stated) - usd) <= 0.5 * 10**-decimals + 1e-9


# ---------------------------------------------------------------------------------------------
# the checks


def _in_context(u: _Unit, fees: MessagingFees, blocks: dict[int, bool], section: str) -> bool:
    """The service is named in the unit, its block, its section or a heading above it (a block
    or section is searched once, whatever the number of its sentences)."""
    for text in (u.block, section):
        if id(text) not in blocks:
            blocks[id(text)] = bool(fees.product.search(text))
        if blocks[id(text)]:
            return True
    return any(fees.product.search(h) for h in u.headings)


def _countries(u: _Unit, section: str, document: Callable[[], frozenset[str]] = frozenset) -> set[str]:
    """The countries the unit is about: those it names, else its block's, else its section's, else
    the document's when it names one only."""
    for text in (u.text, u.block, section):
        named = countries_named(text)
        if named:
            return named
    around = document()
    if len(around) == 1:
        return set(around)
    return set()


def _service_country(sections: dict[tuple[str, ...], str], fees: MessagingFees) -> frozenset[str]:
    """The country a document prices the service for (a rate's recipients when nothing nearer
    says): the one country named in the sections headed by the service's name ("WhatsApp (Meta
    Cloud API, South Africa)"), else in the sections that name it; empty when none or several."""
    for headed in (True, False):
        named: set[str] = set()
        for heads, text in sections.items():
            if fees.product.search(heads[-1] if headed and heads else text if not headed else ""):
                named |= countries_named(text)
        if named:
            return frozenset(named) if len(named) == 1 else frozenset()
    return frozenset()


def _rate_list(fees: MessagingFees, countries: set[str], category: str | None) -> str:
    parts = []
    for c in sorted(countries):
        rates = fees.rates(c, category)
        if rates:
            parts.append(
                f"{_country_name(c)}: " + ", ".join(f"{_usd(r.usd)} per {r.category} message" for r in rates)
            )
    return "; ".join(parts)


def _cite(fees: MessagingFees, countries: set[str], category: str | None) -> MessageRate:
    for c in sorted(countries):
        for r in fees.rates(c, category):
            return r
    return next((r for r in fees.current if category in (None, r.category)), fees.current[0])


_CATEGORY_KEY = re.compile(r"(?<!\w)(?:category|cat[eé]gorie|categor[ií]a|kategorie|kategori)\W*$", re.I)


def _category_of(u: _Unit) -> str | None:
    """The message category a unit is about: the one it names, else the one its block gives as
    its category ("category: utility"), else the only one its block names, else the only one its
    heading names ("Option: monthly specials broadcast")."""
    for text in (u.text, u.block, *reversed(u.headings[-1:])):
        cats = _categories(text)
        keyed = [k for at, _, k in cats if _CATEGORY_KEY.search(text[max(0, at - 30) : at])]
        if len(set(keyed)) == 1:
            return keyed[0]
        if len({k for _, _, k in cats}) == 1:
            return cats[0][2]
    return None


def _conversation_finding(
    u: _Unit, m: re.Match[str], fees: MessagingFees, section: str, document: Callable[[], frozenset[str]]
) -> DocFinding:
    category = _category_of(u)
    countries = {c for c in _countries(u, section, document) if fees.rates(c)}
    rates = _rate_list(fees, countries, category)
    cited = _cite(fees, countries, category)
    expected = (
        f"per delivered message: {rates}"
        if rates
        else "per delivered message, by category and recipient country"
    )
    return DocFinding(
        "fee_formula",
        "warning",
        u.line_at(m.start()),
        f"{fees.name} priced per conversation ('{m.group(0).strip()}'): the catalog's {cited.ref.plan.name} bills "
        f"each delivered message, by category and the recipient's country; per-conversation billing is the "
        f"retired model (each message is now a charge, not each conversation)"
        + (f": {rates}" if rates else ""),
        stated=m.group(0).strip(),
        expected=expected,
        catalog=cited.key,
        source=cited.source,
        as_of=cited.as_of,
    )


def _free_finding(
    u: _Unit, fees: MessagingFees, section: str, document: Callable[[], frozenset[str]]
) -> DocFinding | None:
    free = _FREE.search(u.text)
    if free is None or any(rx.search(u.text) for rx in (_SET_ASIDE, _CHARGED, _STILL_FREE)):
        return None
    for at, _, category in _categories(u.text):
        ended = fees.ended_free(category)
        if not ended:
            continue
        old = ended[0]
        since = old.ref.plan.unavailable_since
        countries = {c for c in _countries(u, section, document) if fees.rates(c, category)}
        now = _rate_list(fees, countries, category) or ", ".join(
            f"{r.country} {_usd(r.usd)}" for r in fees.current if r.category == category
        )
        cited = _cite(fees, countries, category)
        claim = u.text[min(at, free.start()) : max(free.end(), at)].strip()
        return DocFinding(
            "fee_formula",
            "warning",
            u.line_at(at),
            f"{fees.name}: free {category} messages were the rule of {old.ref.plan.name}, no longer available"
            + (f" since {since}" if since else "")
            + f"; the catalog's {cited.ref.plan.name} charges them per message ({now})",
            stated=claim,
            expected=f"charged per {category} message: {now}",
            catalog=cited.key,
            source=cited.source,
            as_of=cited.as_of,
        )
    return None


def _rate_findings(
    u: _Unit, fees: MessagingFees, section: str, document: Callable[[], frozenset[str]]
) -> Iterator[DocFinding]:
    if not _RATE.search(u.text):
        return
    clauses = []
    at = 0
    for piece in u.text.split(";"):
        clauses.append((at, piece))
        at += len(piece) + 1
    for offset, clause in clauses:
        cats = _categories(clause)
        if not cats:
            # a rate with no category in its clause ("6,000 patients x $0.0076 = $45.60 per
            # broadcast"): the unit's, from its block or heading, when the clause prices nothing
            # else (GB, hours, e-mails) and the rate is a message's (under ten cents)
            category = _category_of(u)
            rates = [float((m.group(1) or m.group(2)).replace(",", ".")) for m in _RATE.finditer(clause)]
            if category is None or _OTHER_UNIT.search(clause) or not rates or min(rates) >= 0.1:
                continue
            cats = [(len(clause), len(clause), category)]
        for m in _RATE.finditer(clause):
            stated = (m.group(1) or m.group(2)).replace(",", ".")
            value = float(stated)
            before = clause[: m.start()].rstrip()
            if value >= 0.5 or value == 0 or before.endswith("=") or _PER_PERIOD.match(clause[m.end() :]):
                continue
            # the category nearest the rate
            near = min(cats, key=lambda c: max(c[0] - m.end(), m.start() - c[1], 0))
            category = near[2]
            named = {k for _, _, k in cats}
            countries = {c for c in _countries(u, section, document) if fees.rates(c)}
            if not countries or len(countries) > 1 or countries != _countries(u, section, document):
                continue  # no priced country, several, or one the catalog does not price
            (country,) = countries
            own = fees.rates(country, category)
            if not own or any(_agrees(stated, r.usd) for r in own):
                continue
            others = [r for r in fees.rates(country) if r.category != category and _agrees(stated, r.usd)]
            if others and any(r.category in named for r in others):
                continue  # the clause names that category too: which rate is which is not sure
            right = own[0]
            where = _country_name(country)
            if others:
                severity = "error"
                why = f"that is the {' / '.join(r.category for r in others)} rate"
            else:
                severity = "warning"
                why = (
                    "none of the catalog's rates there (tier-1 list rates; Meta may change them each quarter)"
                )
            yield DocFinding(
                "fee_formula",
                severity,
                u.line_at(offset + m.start()),
                f"{fees.name}: {m.group(0).strip()} stated for {category} messages to {where}: {why}; "
                f"the {category} rate is {_usd(right.usd)} per message",
                stated=m.group(0).strip(),
                expected=f"{_usd(right.usd)} per {category} message ({where})",
                catalog=right.key,
                source=right.source,
                as_of=right.as_of,
            )


def fee_findings(lines: list[Line], catalog: Catalog) -> list[DocFinding]:
    """Messaging fee formulas checked against the catalog's per-message rates (module docstring)."""
    services = [f for f in messaging_fees(catalog) if any(f.product.search(ln.text) for ln in lines)]
    if not services:
        return []
    by_heading: dict[tuple[str, ...], list[str]] = {}
    for ln in lines:
        by_heading.setdefault(ln.headings, []).append(ln.text)
    sections = {h: " ".join(texts) for h, texts in by_heading.items()}

    out: list[DocFinding] = []
    for fees in services:
        # read only when a unit names no country of its own (a long document's sections are large)
        document = cache(partial(_service_country, sections, fees))
        conversation_blocks: set[str] = set()
        blocks: dict[int, bool] = {}
        for u in _units(lines):
            section = sections.get(u.headings, "")
            if not _in_context(u, fees, blocks, section):
                continue
            conv = _PER_CONVERSATION.search(u.text)
            if conv and _PRICING.search(u.text) and not _sets_conversations_aside(u.text, conv):
                # one finding per block: the lines after it use the same rule
                if u.block not in conversation_blocks:
                    conversation_blocks.add(u.block)
                    out.append(_conversation_finding(u, conv, fees, section, document))
                continue
            free = _free_finding(u, fees, section, document)
            if free is not None:
                out.append(free)
            out.extend(_rate_findings(u, fees, section, document))
    return out
