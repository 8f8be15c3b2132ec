"""Latency claims in a plan document ("Nairobi to Frankfurt is about 25 ms", "São Paulo → Virginia
fica em torno de 35 ms", "Wien–Frankfurt ca. 45 ms") checked against the geography.

A claim is a sentence with a figure in milliseconds and two places: cities (data/cities.json,
generated from GeoNames, in the names other languages give them), provider regions (the catalog's
region names, cities and ids: "Virginia", "Ashburn", "us-east-1") and countries (their main
population centre, data/countries.yaml). The model's round trip between them is the great-circle
distance over fibre (``latency.route_factor``, ``latency.fiber_km_per_ms``) plus a data-centre
hop; real routes run from about 1.2 to 2 times the great circle, which gives the range the
finding quotes. A figure under the straight-fibre floor is impossible (an error); one outside the
range by more than a factor of two and ``audit.doc_latency_margin_ms`` is an error too; a claim
that says "one way" is doubled first.
"""

from __future__ import annotations

import gettext
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib import resources

import pycountry

from ..assumptions import Assumptions
from ..catalog.loader import Catalog
from ..geo import countries, great_circle_km
from .doc_findings import DocFinding
from .doc_tables import Line

__all__ = ["Place", "places", "latency_findings"]

#: fibre routes between two cities run from about 1.2 to 2 times the great circle (the model uses
#: latency.route_factor between them)
_ROUTE_LOW, _ROUTE_HIGH = 1.2, 2.0


@dataclass(frozen=True)
class Place:
    name: str
    lat: float
    lon: float
    what: str  # "city" | "region" | "country"


@cache
def _cities() -> tuple[dict[str, Place], str, str]:
    with resources.files("tierplan").joinpath("data", "cities.json").open(encoding="utf-8") as f:
        data = json.load(f)
    out: dict[str, Place] = {}
    for name, _country, lat, lon, names in data["cities"]:  # largest first: a shared name is the larger's
        place = Place(name, float(lat), float(lon), "city")
        for n in names:
            out.setdefault(place_key(n), place)
    return out, str(data["source"]), str(data["as_of"])


#: the languages whose names of countries a claim may use ("von Deutschland aus", "desde Alemania"):
#: pycountry's translations of ISO 3166-1 (Debian iso-codes)
_COUNTRY_LANGUAGES = ("de", "es", "fr", "pt", "pt_BR", "it", "nl", "pl", "id", "tr", "sw", "vi")


@cache
def _country_names() -> dict[str, Place]:
    out: dict[str, Place] = {}
    for c in countries().values():
        out.setdefault(place_key(c.name), Place(c.name, c.lat, c.lon, "country"))
    record = {r.alpha_2: r for r in pycountry.countries}
    for language in _COUNTRY_LANGUAGES:
        try:
            tr = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=[language])
        except OSError:
            continue
        for c in countries().values():
            r = record.get(c.code)
            if r is None:
                continue
            for english in {r.name, getattr(r, "common_name", r.name)}:
                name = tr.gettext(english)
                if name != english and len(name) >= 4:
                    out.setdefault(place_key(name), Place(c.name, c.lat, c.lon, "country"))
    return out


def place_key(name: str) -> str:
    """A place's name as looked up: casefolded, without accents ("İstanbul", "Istanbul",
    "São Paulo" and "Sao Paulo" are one name)."""
    decomposed = unicodedata.normalize("NFKD", name.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


_APOSTROPHE = re.compile(r"['’]")


def places(catalog: Catalog) -> dict[str, Place]:
    """Every name a latency claim may use for a place, by its place_key."""
    out: dict[str, Place] = dict(_country_names())
    out.update(_cities()[0])
    for prov in catalog.providers.values():
        for r in prov.regions:
            place = Place(f"{r.name or r.city} ({prov.name} {r.id})", r.lat, r.lon, "region")
            out.setdefault(place_key(r.id), place)
            out.setdefault(place_key(r.city), place)
            if r.name:
                out.setdefault(place_key(re.sub(r"\s*\(.*", "", r.name).strip()), place)
    return out


_MS = re.compile(
    r"(?P<approx>~|≈|about|around|roughly|approx\.?|ca\.|circa|cerca\s+de|em\s+torno\s+de|unos|environ|etwa|sekitar|kira-kira)?\s*"
    r"(?P<lo>\d+(?:[.,]\d+)?)(?:\s*[-–]\s*(?P<hi>\d+(?:[.,]\d+)?))?\s*ms\b",
    re.I,
)
_ONE_WAY = re.compile(r"one[\s-]way|\bida\b(?!\s+y\s+vuelta|\s+e\s+volta)|aller\s+simple|einfach", re.I)
_WORD = re.compile(r"[^\W\d_][\w'’\-]*", re.U)


def _places_in(sentence: str, names: dict[str, Place]) -> list[tuple[int, int, Place]]:
    """Places a sentence names, in order: the longest name at each word (up to three words)."""
    words = [(m.start(), m.end(), m.group(0)) for m in _WORD.finditer(sentence)]
    found: list[tuple[int, int, Place]] = []
    i = 0
    while i < len(words):
        for n in (3, 2, 1):
            if i + n > len(words):
                continue
            start, end = words[i][0], words[i + n - 1][1]
            text = sentence[start:end]
            if not (text[0].isupper() or "-" in text) or len(text) < 3:
                continue
            place = names.get(place_key(text))
            last = words[i + n - 1][2]
            ending = _APOSTROPHE.search(last)
            if place is None and ending:
                # "İstanbul'dan", "Frankfurt'a": a Turkish case ending after an apostrophe
                text = text[: len(text) - (len(last) - ending.start())]
                ok = len(text) >= 3 and not _APOSTROPHE.search(text)
                place = names.get(place_key(text)) if ok else None
            if place is not None:
                found.append((start, end, place))
                i += n
                break
        else:
            i += 1
    return found


#: what joins the two ends of a route: "A to B", "A → B", "A–B", "de A a B", "A nach B", "dari A ke B"
_JOIN = re.compile(
    r"^\s*(?:(?:RTT|latency|latência|latencia|latence|Latenz|latensi)\s+)?(?:to|→|->|–|—|-|/|a|à|ao|para|nach|ke|hasta|vers|bis|until)\s*$",
    re.I,
)
#: "between A and B", "entre A e B", "zwischen A und B", "antara A dan B"
_BETWEEN = re.compile(r"\b(?:between|entre|zwischen|antara)\s*$", re.I)
_AND = re.compile(r"^\s*(?:and|e|y|et|und|dan|&)\s*$", re.I)


def _endpoints(text: str, names: dict[str, Place]) -> tuple[Place, Place] | None:
    """The two ends of the route a sentence names before its latency figure: the last two places
    joined as a route ("Nairobi to Frankfurt", "between Lisbon and Frankfurt"); "users in Spain
    and Germany" is not a route."""
    found = _places_in(text, names)
    turkish = _turkish_route(text, found)
    if turkish is not None:
        return turkish
    for (_, a_end, a), (b_at, _, b) in reversed(list(zip(found, found[1:], strict=False))):
        if a == b:
            continue
        gap = text[a_end:b_at]
        a_at = next(x for x, y, p in found if y == a_end)
        if _JOIN.match(gap) or (_AND.match(gap) and _BETWEEN.search(text[:a_at])):
            return a, b
        # "Desde Córdoba el viaje ida y vuelta a São Paulo", "from Lagos the round trip to Frankfurt",
        # "From Nairobi, Frankfurt is roughly 25 ms"
        if _FROM_BEFORE.search(text[:a_at]) and (_TO_AFTER_WORDS.match(gap) or _COMMA.match(gap)):
            return a, b
    return None


_COMMA = re.compile(r"^\s*,\s*$")
#: "von Deutschland aus sind das ca. 30 ms", "from Lagos that is about 40 ms": one end after "from",
#: the other the place the clause before named ("das", "that" point back to it)
_FROM_ONLY = re.compile(
    r"\b(?:from|desde|depuis|von|dari|vindo\s+de)\s+(?P<place>[^,;]{2,40}?)(?:\s+aus)?\s*,?\s+"
    r"(?:that(?:'s|’s|\s+is|\s+would\s+be)?|this\s+is|it(?:'s|’s|\s+is)|sind\s+das|ist\s+das|das\s+sind|c'est|c’est|"
    r"isso\s+(?:é|dá)|eso\s+(?:es|son)|son|itu)\b[^\d]{0,20}$",
    re.I,
)


def _back_reference(before_sentence: str, clause: str, names: dict[str, Place]) -> tuple[Place, Place] | None:
    """ "… move the service to Render Virginia; from Germany that is about 30 ms": the clause names
    one end after "from" and points back ("that", "das") to the region the text before it named."""
    m = _FROM_ONLY.search(clause)
    if m is None:
        return None
    here = _places_in(m.group("place"), names)
    back = [p for _, _, p in _places_in(before_sentence[-_SENTENCE_WINDOW:], names) if p.what != "country"]
    if len(here) != 1 or not back or back[-1] == here[0][2]:
        return None
    return here[0][2], back[-1]


#: Turkish case endings: "İstanbul'dan" (from), "Frankfurt'a" (to)
_FROM_ENDING = re.compile(r"['’](?:dan|den|tan|ten)$", re.I)
_TO_ENDING = re.compile(r"['’](?:a|e|ya|ye|na|ne)$", re.I)


def _turkish_route(text: str, found: list[tuple[int, int, Place]]) -> tuple[Place, Place] | None:
    """ "İstanbul'dan Frankfurt'a ... 30 ms": the end marked "from" and the one marked "to"; with
    no "to", "ABD doğu yakası (Fly iad, Virginia) İstanbul'dan yaklaşık 45 ms": the place named
    nearest before the "from" end."""
    origins = [i for i, (a, b, _) in enumerate(found) if _FROM_ENDING.search(text[a:b])]
    if not origins:
        return None
    i = origins[-1]
    origin = found[i][2]
    to = [p for a, b, p in found[i + 1 :] if _TO_ENDING.search(text[a:b]) and p != origin]
    if to:
        return origin, to[0]
    before = [p for _, _, p in found[:i] if p != origin]
    return (origin, before[-1]) if before else None


#: "from A" / "desde A" right before the first end, and a few words ending in "to" before the second
_FROM_BEFORE = re.compile(r"\b(?:from|desde|depuis|von|dari|vindo\s+de)\s*$", re.I)
_TO_AFTER_WORDS = re.compile(r"^[^\d.;:]{0,40}\s(?:to|a|à|ao|para|nach|ke|hasta|vers|bis)\s*$", re.I)


_FROM = re.compile(r"^\s*(?:round[\s-]trip\s+|RTT\s+)?(?:away\s+)?(?:from|de|desde|von|dari)\s+", re.I)


def _from_after(before: str, after: str, names: dict[str, Place]) -> tuple[Place, Place] | None:
    """ "Johannesburg is ~50 ms from Lagos": one place before the figure, the other after "from"."""
    head = _places_in(before, names)
    m = _FROM.match(after)
    if not head or m is None:
        return None
    tail = _places_in(after[m.end() :], names)
    if not tail or tail[0][0] != 0 or tail[0][2] == head[-1][2]:
        return None
    return head[-1][2], tail[0][2]


#: how far back from a latency figure its sentence is looked for: a claim names its places close
#: to the figure (a window, so that a document flattened into one long line is not read quadratically)
_SENTENCE_WINDOW = 300


#: a full stop after one of these ends no sentence ("ca. 30 ms", "approx. 40 ms", "z. B.")
_ABBREVIATION_STOP = re.compile(
    r"(?<![\w.])(?:ca|approx|aprox|env|etc|vs|bzw|z\.\s?B|e\.g|i\.e|inkl|zzgl|Nr|no)\.(?:\s+|$)", re.I
)
_END = re.compile(r"[.;!?](?:\s+|$)")


def _sentence(text: str, at: int) -> tuple[int, str]:
    lo = max(0, at - _SENTENCE_WINDOW)
    abbreviations = {lo + m.end() for m in _ABBREVIATION_STOP.finditer(text[lo:at])}
    starts = [lo + m.end() for m in _END.finditer(text[lo:at]) if lo + m.end() not in abbreviations]
    start = starts[-1] if starts else lo
    end = re.search(r"[.;!?](?:\s|$)", text[at:])
    return start, text[start : at + end.start() if end else len(text)]


def latency_findings(lines: list[Line], catalog: Catalog, a: Assumptions) -> list[DocFinding]:
    names = places(catalog)
    _, source, as_of = _cities()
    fibre, route = a["latency.fiber_km_per_ms"], a["latency.route_factor"]
    dc = a["latency.dc_overhead_ms"]
    margin = a["audit.doc_latency_margin_ms"]
    out: list[DocFinding] = []
    for i, ln in enumerate(lines):
        if "ms" not in ln.text:
            continue
        # a sentence that wraps: the end of the line before, when it ends no sentence
        prev = lines[i - 1].text if i > 0 and not lines[i - 1].in_code else ""
        tail = re.split(r"[.;!?](?:\s+|$)|^\s*$", prev)[-1] if prev.strip() else ""
        text = f"{tail.strip()} {ln.text}" if tail.strip() else ln.text
        for m in _MS.finditer(text):
            start, sentence = _sentence(text, m.start())
            pair = (
                _endpoints(sentence[: m.start() - start], names)
                or _from_after(sentence[: m.start() - start], sentence[m.end() - start :], names)
                or _back_reference(text[:start], sentence[: m.start() - start], names)
            )
            if pair is None:
                continue
            p1, p2 = pair
            km = great_circle_km(p1.lat, p1.lon, p2.lat, p2.lon)
            if km < 50:
                continue
            lo = float(m.group("lo").replace(",", "."))
            hi = float((m.group("hi") or m.group("lo")).replace(",", "."))
            one_way = bool(_ONE_WAY.search(sentence))
            if one_way:
                lo, hi = 2 * lo, 2 * hi
            floor = 2 * km / fibre
            model = 2 * km * route / fibre + dc
            low, high = 2 * km * _ROUTE_LOW / fibre + dc, 2 * km * _ROUTE_HIGH / fibre + dc
            too_low = hi < floor or (hi < low / 2 and low - hi > margin)
            too_high = lo > 2 * high and lo - high > margin
            if not (too_low or too_high):
                continue
            stated = m.group(0).strip()
            why = (
                f"less than light in fibre needs for the {km:,.0f} km great circle ({floor:.0f} ms)"
                if hi < floor
                else ("far below" if too_low else "far above") + " what the distance gives"
            )
            out.append(
                DocFinding(
                    "latency",
                    "error",
                    ln.no,
                    f"{p1.name} to {p2.name}: stated {stated}{' one way' if one_way else ''} round trip is {why}; "
                    f"the model gives about {model:.0f} ms ({low:.0f}-{high:.0f} ms on routes 1.2-2 times "
                    f"the {km:,.0f} km great circle)",
                    stated=stated,
                    expected=f"about {model:.0f} ms ({low:.0f}-{high:.0f} ms)",
                    catalog="assumptions#latency.route_factor",
                    source=source,
                    as_of=as_of,
                )
            )
    return out
