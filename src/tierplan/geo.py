"""Distances and round-trip estimates between users' countries and provider regions.

Estimate (documented in docs/workload.md, labelled as an estimate in every report):

    rtt_ms = 2 x great_circle_km x route_factor / fiber_km_per_ms + overhead_ms

averaged over the audience countries by their share of users.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import cache
from importlib import resources

import yaml

from .assumptions import Assumptions
from .errors import InputError, Problem

__all__ = ["Country", "countries", "great_circle_km", "rtt_ms", "audience_rtt_ms", "check_countries"]

EARTH_RADIUS_KM = 6371.0


@dataclass(frozen=True)
class Country:
    code: str
    name: str
    city: str
    lat: float
    lon: float


@cache
def countries() -> dict[str, Country]:
    path = resources.files("tierplan") / "data" / "countries.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    return {
        code: Country(code, v["name"], v["city"], v["lat"], v["lon"]) for code, v in data["countries"].items()
    }


def great_circle_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


def rtt_ms(km: float, a: Assumptions) -> float:
    return 2 * km * a["latency.route_factor"] / a["latency.fiber_km_per_ms"] + a["latency.overhead_ms"]


def audience_rtt_ms(shares: dict[str, float], lat: float, lon: float, a: Assumptions) -> float:
    cs = countries()
    total = 0.0
    for code, share in shares.items():
        c = cs[code]
        total += share * rtt_ms(great_circle_km(c.lat, c.lon, lat, lon), a)
    return total


def check_countries(codes: list[str], path: str) -> None:
    import difflib

    cs = countries()
    bad = [c for c in codes if c not in cs]
    if bad:
        probs = []
        for c in bad:
            near = difflib.get_close_matches(c, list(cs), n=3)
            probs.append(
                Problem(
                    "audience.countries",
                    f"no location data for country {c!r}"
                    + (f" (known: {', '.join(near)}...)" if near else ""),
                )
            )
        raise InputError(path, probs, hint="add it to src/tierplan/data/countries.yaml")
