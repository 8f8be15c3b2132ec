"""Profile parsing and its error messages (file, key path, line; never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tierplan.errors import InputError
from tierplan.profile import load_profile, month_at_units, units_at_month

GOOD = """\
name: Demo
commercial: true
audience: {countries: [ID]}
scale: {unit: cooperative, users_per_unit: 5, stages: [50, 200, 500]}
activity: {requests_per_user_day: 400, active_hours_per_day: 8, peak_factor: 3}
components:
  api: {kind: web_service, runtime: go, memory_mb: 256, health_path: /health}
  db: {kind: postgres, storage_mb_per_unit: 6, growth_mb_per_unit_month: 1}
"""


def _write(tmp_path: Path, text: str | bytes, name: str = "app.yaml") -> Path:
    p = tmp_path / name
    p.write_bytes(text if isinstance(text, bytes) else text.encode())
    return p


def test_good_profile_loads(tmp_path: Path) -> None:
    p = load_profile(_write(tmp_path, GOOD))
    assert p.scale.users_per_unit == 5
    assert p.components["api"].kind == "web_service"
    assert p.requirements.headroom == 0.8  # documented default


@pytest.mark.parametrize(
    ("text", "must"),
    [
        ("", "is empty"),
        ("# only a comment\n", "is empty"),
        ("- a\n- b\n", "found a list"),
        ("name: [unclosed\n  x: {", "invalid YAML"),
        (GOOD + "unknwon: 1\n", "unknown key 'unknwon'"),
        (
            GOOD.replace("requests_per_user_day: 400", "requests_per_user_day: -4"),
            "activity.requests_per_user_day",
        ),
        (GOOD.replace("memory_mb: 256", "memory_mb: lots"), "components.api.memory_mb"),
        (GOOD.replace("kind: postgres", "kind: postgress"), "did you mean 'postgres'"),
        (GOOD.replace("[50, 200, 500]", "[500, 200]"), "stages must be increasing"),
        (GOOD.replace("countries: [ID]", "countries: [Indonesia]"), "ISO 3166"),
        (
            GOOD.replace("requests_per_user_day: 400", "requests_per_user_day: 4000000000"),
            "less than or equal",
        ),
    ],
)
def test_bad_profiles_name_file_and_key(tmp_path: Path, text: str, must: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(InputError) as e:
        load_profile(path)
    msg = str(e.value)
    assert str(path) in msg
    assert must in msg
    assert e.value.exit_code == 2


def test_unknown_key_suggests_the_near_one(tmp_path: Path) -> None:
    with pytest.raises(InputError) as e:
        load_profile(_write(tmp_path, GOOD + "requirments: {}\n"))
    assert "did you mean 'requirements'" in str(e.value)
    assert "line 9" in str(e.value)


def test_binary_and_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="binary"):
        load_profile(_write(tmp_path, b"\x00\x01\x02\xff" * 20))
    with pytest.raises(InputError, match="not found"):
        load_profile(tmp_path / "nope.yaml")


def test_growth_curve_round_trips() -> None:
    from tierplan.profile import Growth

    g = Growth(start=10, monthly_growth_pct=20, horizon_months=12)
    assert units_at_month(g, 12) == pytest.approx(10 * 1.2**12)
    assert month_at_units(g, units_at_month(g, 7.5)) == pytest.approx(7.5)
    lin = Growth(start=10, monthly_added=5)
    assert month_at_units(lin, 35) == pytest.approx(5.0)


def test_needs_stages_or_growth(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="give `stages`"):
        load_profile(_write(tmp_path, GOOD.replace(", stages: [50, 200, 500]", "")))


def test_the_unit_is_pluralised_in_every_format(tmp_path: Path) -> None:
    """scale.unit is singular; every output counting several writes the English plural
    (company -> companies, library -> libraries, person -> people), never unit + "s"."""
    import json as _json
    import subprocess
    import sys

    import yaml as _yaml

    from tierplan.units import count, plural

    assert [plural(u) for u in ("company", "library", "person", "user", "cooperative")] == [
        "companies",
        "libraries",
        "people",
        "users",
        "cooperatives",
    ]
    assert count(1, "company") == "1 company" and count(2500, "company") == "2,500 companies"
    data = _yaml.safe_load((Path(__file__).parents[1] / "examples" / "coop-erp.yaml").read_text())
    data["scale"]["unit"] = "company"
    prof = tmp_path / "app.yaml"
    prof.write_text(_yaml.safe_dump(data, sort_keys=False))
    exe = str(Path(sys.executable).parent / "tierplan")
    for args in (["--format", "md"], ["--format", "text"], ["--format", "html"], ["--at", "200", "--format", "md"]):
        r = subprocess.run([exe, "plan", str(prof), *args], capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        assert "companies" in r.stdout and "companys" not in r.stdout, args
    r = subprocess.run([exe, "plan", str(prof), "--format", "json"], capture_output=True, text=True, timeout=120)
    assert "companys" not in r.stdout and _json.loads(r.stdout)["unit"] == "company"
    gen = subprocess.run(
        [exe, "gen", str(prof), "-o", str(tmp_path / "deploy")], capture_output=True, text=True, timeout=120
    )
    assert gen.returncode == 0, gen.stderr
    for f in (tmp_path / "deploy").rglob("*"):
        if f.is_file():
            assert "companys" not in f.read_text(), f
