"""The figures a hand-written plan states, read in their sentence: quotas and amounts
(``10 GB storage``, ``100,000 requests a day``), lengths of time that are plan facts (expiry,
inactivity pause, idle sleep, check interval), and unit prices (``$0.50 per million``), each
mapped to catalog metrics by the nouns next to it (storage, bandwidth, requests, commands, reads,
writes, compute hours...) and its period (per day, per month); and the catalog figures a stated
one is compared with. Nothing here knows a particular document; which plan a text names is
doc_vocabulary.py's.
"""

from __future__ import annotations

import bisect
import functools
import math
import re
from dataclasses import dataclass

from ..catalog.loader import PlanRef
from ..metrics import METRICS
from .doc_prefilter import head, last_start_before, match_ends, tail, without_caret
from .doc_tables import PER_WORDS
from .doc_vocabulary import price_or_none

__all__ = [
    "Quantity",
    "UnitPrice",
    "Figure",
    "find_quantities",
    "find_unit_prices",
    "quantity_role",
    "figures_for",
    "in_metric_units",
    "DURATION_FACTS",
]

# ---------------------------------------------------------------------------------------------
# quantities and unit prices in text

_NUMQ = r"(?P<n>\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)\s*(?P<mult>k|m|b|thousand|million|billion)?\b"
_SIZE = r"(?P<size>gb|mb|tb|gib|mib)\b(?!\s*-?\s*(?:hours?|hrs?|h)\b)"
_METRIC_NOUNS: list[tuple[str, tuple[str, ...]]] = [
    (
        r"compute[\s-]*hours?|hours?\s*(?:/\s*month\s*)?compute|h\s+compute|cu[\s-]*hours?",
        ("cu_hours_per_month",),
    ),
    (
        r"bandwidth|egress|transfer|outbound|data\s+transfer|ancho\s+de\s+banda|largura\s+de\s+banda|"
        r"bande\s+passante|bandbreite|traffico|tr[áa]fego|tr[áa]fico|trafic|trafik|bant\s+genişliği|"
        r"băng\s+thông|lưu\s+lượng|egreso|sa[íi]da",
        ("egress_gb_per_month",),
    ),
    (
        r"storage|disk|database|db\b|almacenamiento|armazenamento|stockage|speicher(?:platz)?|penyimpanan|"
        r"archiviazione|spazio|depolama|disco|lưu\s+trữ|dung\s+lượng|hifadhi",
        ("storage_gb", "dataset_mb"),
    ),
    (r"commands?|cmds?|comandos?|commandes?|perintah|befehle|komut(?:lar)?", ("commands_per_", "requests_per_")),
    (r"class\s+a(?:\s+op\w*)?", ("class_a_ops_per_",)),
    (r"class\s+b(?:\s+op\w*)?", ("class_b_ops_per_",)),
    (
        r"operations?|ops\b|operaciones|opera[çc][õo]es|op[ée]rations|operasi|operationen",
        ("class_a_ops_per_", "class_b_ops_per_"),
    ),
    (
        r"requests?|req\b|invocations?|calls?|richieste|solicitudes|peticiones|requisi[çc][õo]es|requ[êe]tes|"
        r"anfragen|permintaan|istek(?:ler)?|yêu\s+cầu|lượt\s+gọi|maombi",
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
    (r"e-?mails?|correos?|courriels?|e-?postas?|thư", ("emails_per_",)),
    (
        r"(?:concurrent\s+|peak\s+|simultaneous\s+)?(?:realtime\s+)?connections?|conex[õo]es|conexiones|connexions|"
        r"connessioni|koneksi|verbindungen|bağlantı\w*|kết\s+nối",
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
    (
        r"(?:change\s+)?history|restore\s+window|backups?|snapshots?|PITR|point[\s-]in[\s-]time|geçmiş\w*|yedek\w*",
        ("history_gb_",),
    ),
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
_PER_WORDS = (
    r"(?:/\s*|per\s+|a\s+|each\s+|por\s+|al\s+|ao\s+|par\s+|pro\s+|je\s+|au\s+|im\s+|ogni\s+|sehari|tiap\s+|setiap\s+|"
    r"mỗi\s+|kwa\s+|her\s+)?"
)
_PER_DAY_AT = re.compile(rf"\s*{_PER_WORDS}(?:day|daily|d[ií]a|jour|tag|hari|giorno|günlük|günde|gün|ngày|siku)\b", re.I)
_PER_MONTH_AT = re.compile(rf"\s*{_PER_WORDS}(?:mo|month|monthly|m[eê]s|mois|monat|bulan|mese|aylık|ayda|ay|tháng|mwezi)\b", re.I)


_PERIOD_BEFORE = re.compile(r"(?:\b(günde|günlük)|\b(?:ayda|aylık))\s*$", re.I)


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
    r"termasuk|gratis|l[ií]mite|limite|batas|kuota|cota|at[eé]\b|hasta|jusqu'à|bis\s+zu|hingga|sampai|"
    r"ücretsiz|miễn\s+phí|bure|fino\s+a|tối\s+đa)[^\d$]{0,40}$",
    re.I,
)
_LIMIT_AFTER = re.compile(
    r"^[^\d$;.,(]{0,30}?(?:\bfree\b(?!\s+(?:plan|tier))|\bincluded\b|\blimit\b|\bcap\b|\bquota\b|\ballowance\b|\bceiling\b|"
    r"\bdahil\b|\bkadar\b|\bincluse?\b|\binclusi\b|\bincluid[oa]s?\b|\binclu[íi]d[oa]s?\b|\binklusive\b|\btermasuk\b|"
    r"\bmiễn\s+phí\b|\bbure\b)",
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
    r"^(?:\s*,?\s*[a-z][\w/-]*){0,3}?\s*(?:[x×*+=<>≤≥-]\s*[\d$(]|(?:->|→|=>)\s*[\d$(]|\(\s*[<≤]|(?:is|are|=)\s+\d|\(?\s*(?:inside|within|dentro|dans|innerhalb)\b|(?:is|are|would|will)\s+(?:about|roughly|around|be|need|use|exceed|stay|fit|mean)|"
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
#: words that make the figure after them a plan's quota even where "at" or "with" would make it
#: usage: "its free plan stops at 300 e-mails", "caps at", "limited to", "Brevo Free, con 300 correos"
_QUOTA_WORDS_BEFORE = re.compile(
    r"(?:\b(?:stops|caps?|capped|tops\s+out|maxes\s+out|limited|limits?\s+(?:you|us)|se\s+limita|limitad[oa]|"
    r"begrenzt)\s+(?:out\s+)?(?:at|to|a|en|em|auf)\s+"
    r"|\b(?:free|gratis|pro|hobby|starter|plan|tier|plano)\s*,?\s*(?:with|con|com|avec|mit|dengan)\s+"
    r"(?:up\s+to\s+|hasta\s+|até\s+|jusqu'à\s+|bis\s+zu\s+)?)$",
    re.I,
)
#: a figure worked out from the app's own counts: "on each of 22 days is 3,168,000 reads", "running
#: all month is 182.5 CU-hours"
_COMPUTED_BEFORE = re.compile(
    r"\b(?:days?|weeks?|months?|hours?|users?|students?|members?|customers?|times|each)\s+"
    r"(?:is|are|comes\s+to|makes?|gives?)\s*(?:about\s+|roughly\s+|~\s*)?$",
    re.I,
)


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
    if _QUOTA_WORDS_BEFORE.search(tail(text, clause_start, start, 64)):
        return "limit"
    if _USAGE_BEFORE.search(tail(text, clause_start, start, 64)) or _COMPUTED_BEFORE.search(
        tail(text, clause_start, start, 40)
    ):
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
        if period is None:
            # "günde 3.000 e-posta", "ayda 500.000 komut": the period before the figure (Turkish)
            before = _PERIOD_BEFORE.search(tail(text, 0, start, 16))
            period = ("day" if before.group(1) else "month") if before else None
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
    rf"\$\s*(?P<usd>\d+(?:\.\d+)?)\s*(?:/\s*|(?:{PER_WORDS})\s+)"
    r"(?:(?:additional|extra|each|cada|chaque|started\s+block\s+of|block\s+of)\s+)?"
    r"(?:(?P<n>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)\s*(?P<mult>thousand|million|milh[ãa]o|milh[õo]es|mill[óo]n|millones|juta|ribu|mil|k|m)?(?![^\W\d_])\s*"
    r"|(?P<word>million|thousand|1m|1k|milh[ãa]o|mill[óo]n|juta))?\s*(?:de\s+)?"
    r"(?P<what>gb(?:[\s-]*(?:month|minute|min|second|sec|hour|hr|s|hora|horas|stunde|heure|jam|saat|mes|mês|mois|monat|bulan|ay)\b)?|(?:cu|vcpu|cpu)[\s-]*(?:hour|hr|h|minute|min|second|sec|s)\b|class\s+[ab]\b|[^\W\d_]+)?",
    re.I,
)
#: a rate per unit of time, and how many of that unit make an hour
_PER_TIME = re.compile(
    r"^(?:(?P<cu>cu|vcpu|cpu)[\s-]*)?(?P<t>hour|hr|h|minute|min|second|sec|s|"
    r"stunde|minute|sekunde|hora|minuto|segundo|heure|seconde|jam|menit|detik|saat|dakika|saniye)$",
    re.I,
)
#: how many of a unit of time make an hour, in the six languages
_HOUR_FACTOR = {
    "hour": 1, "hr": 1, "h": 1, "minute": 60, "min": 60, "second": 3600, "sec": 3600, "s": 3600,
    "stunde": 1, "sekunde": 3600, "hora": 1, "minuto": 60, "segundo": 3600, "heure": 1, "seconde": 3600,
    "jam": 1, "menit": 60, "detik": 3600, "saat": 1, "dakika": 60, "saniye": 3600,
}  # fmt: skip


_OF_FOR_AT = re.compile(r"\s*(?:of|for)\s+", re.I)
_OF_FOR_NOUN_AT = re.compile(r"\s*(?:of|for)\s+[a-z]", re.I)
_COMMA_MARK = re.compile(r"[,;(]")
_COLON_MARK = re.compile(r"[,;:(]")


#: words of stored data before a price per GB and unit of time: a volume or disk, not memory
_STORED = re.compile(r"volume|disk|disco|storage|armazenamento|almacenamiento|stockage|speicher|depolama|penyimpanan", re.I)
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
        per_time = re.search(r"[\s-](minute|min|second|sec|hour|hr|s|hora|horas|stunde|heure|jam|saat)$", what)
        if what.startswith("gb") and per_time and _STORED.search(text[max(0, m.start() - 60) : m.start()]):
            # "Volume do Postgres: 10 GB a USD 0,15 por GB-hora": stored data priced by the hour, a
            # GB-month price in the wrong unit (730 hours a month)
            hours = {"minute": 1 / 60, "min": 1 / 60, "second": 1 / 3600, "sec": 1 / 3600, "s": 1 / 3600}.get(
                per_time.group(1).lower(), 1.0
            )
            out.append(UnitPrice(usd, hours / 730, True, ("storage_gb", "dataset_mb"), " ".join(m.group(0).split())))
            continue
        if what.startswith("gb") and (
            per_time or re.search(r"\b(?:ram|memory|mem)\b", _piece_before(text, _COMMA_MARK, m.start()), re.I)
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
                if re.search(r"month|mes|mês|mois|monat|bulan|[\s-]ay$", what) and prefixes != ("history_gb_",):
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
    out += _units_first(text)
    return out


#: a price written after its unit, in Turkish: "CU-saniye başına 0,106 $", "GB-ay başına 0,35 $",
#: "100.000 komut başına 0,20 $"
_UNIT_FIRST = re.compile(
    r"(?:(?P<n>\d{1,3}(?:,\d{3})+|\d+)\s+(?P<noun>[^\W\d_]+)|(?P<cu>cu|vcpu|cpu)[\s-]*(?P<t>saat|dakika|saniye)|"
    r"(?P<gb>gb(?:[\s-]*ay)?))\s+başına\s+\$\s*(?P<usd>\d+(?:\.\d+)?)",
    re.I,
)


def _units_first(text: str) -> list[UnitPrice]:
    out: list[UnitPrice] = []
    for m in _UNIT_FIRST.finditer(text):
        usd, said = float(m.group("usd")), " ".join(m.group(0).split())
        if m.group("t"):
            out.append(UnitPrice(usd, 1 / _HOUR_FACTOR[m.group("t").lower()], False, ("*cu_hour",), said))
        elif m.group("gb"):
            if re.search(r"geçmiş\w*|yedek\w*|history|backup", text[max(0, m.start() - 60) : m.start()], re.I):
                continue  # "değişiklik geçmişi için GB-ay başına": a change history, not storage
            out.append(UnitPrice(usd, 1.0, True, ("storage_gb", "dataset_mb") if "ay" in m.group("gb").lower() else ("*GB",), said))
        elif prefixes := _nouns(m.group("noun")):
            out.append(UnitPrice(usd, float(m.group("n").replace(",", "")), False, prefixes, said))
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
            hourly = price_or_none(size.usd_per_hour)
            if hourly is None and price_or_none(size.usd_per_month) is not None:
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
