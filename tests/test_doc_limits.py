"""Issue 12: plan limits a document states that are not quotas of usage: days until a free
database expires, days of inactivity before a project pauses, minutes idle before a service
sleeps, minutes between uptime checks (the catalog's checks_per_hour), in the corpus languages;
and the plan and provider a claim takes from its table row, list label or heading."""

from __future__ import annotations

import pytest

from tierplan.audit.doc import audit_document
from tierplan.audit.doc_claims import find_quantities
from tierplan.catalog.loader import load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def _errors(doc: str, catalog) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f"{f.line}: {f.message}"
        for f in audit_document(doc, "p.md", catalog).findings
        if f.severity == "error"
    ]


@pytest.mark.parametrize(
    ("text", "metric", "value"),
    [
        ("Postgres Free, qui expire au bout de 90 jours ; il suffit", "expires_after_days", 90),
        ("Render Postgres Free expires 30 days after creation", "expires_after_days", 30),
        ("o banco grátis expira após 1 mês", "expires_after_days", 365 / 12),
        ("die Datenbank läuft nach 90 Tagen ab", "expires_after_days", 90),
        ("basis data gratis kedaluwarsa setelah 90 hari", "expires_after_days", 90),
        ("proyek Free di-pause setelah 7 hari tidak aktif", "pauses_after_inactive_days", 7),
        ("Projects pause after 1 week of inactivity", "pauses_after_inactive_days", 7),
        ("it spins down after 15 minutes idle", "idle_sleep_minutes", 15),
        ("50 monitor, interval cek 1 menit", "check_interval_minutes", 1),
        ("10 monitors, 3-minute checks", "check_interval_minutes", 3),
        ("50 monitores con intervalo de 5 minutos", "check_interval_minutes", 5),
        ("10 Monitore, Prüfung alle 3 Minuten", "check_interval_minutes", 3),
        ("surveille 10 URL toutes les 3 minutes", "check_interval_minutes", 3),
        ("checks every 30 seconds", "check_interval_minutes", 0.5),
    ],
)
def test_a_length_of_time_is_a_plan_limit(text: str, metric: str, value: float) -> None:
    [q] = [q for q in find_quantities(text) if q.prefixes == (metric,)]
    assert q.value == pytest.approx(value) and q.role == "limit"


@pytest.mark.parametrize(
    "text",
    [
        "seat holds expire after 10 minutes",  # an expiry in minutes: the app's own, no plan's
        "Free projects are deleted after 90 days of inactivity",  # deletion, not a pause
        "reads due sessions every 5 minutes",  # a job's schedule, not a check interval
        "overspeed and idle > 20 min",
    ],
)
def test_other_lengths_of_time_are_not_plan_limits(text: str) -> None:
    assert find_quantities(text) == []


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("la base de recette tourne sur Render Postgres Free, qui expire au bout de 90 jours.", True),
        ("la base de recette tourne sur Render Postgres Free, qui expire au bout de 30 jours.", False),
        ("- Supabase Free: projects pause after 7 days of inactivity.", False),
        ("- Supabase Free: projects pause after 30 days of inactivity.", True),
        ("- UptimeRobot Free: 50 monitors at a 5-minute interval.", False),
        ("- UptimeRobot Free: 50 monitors at a 1-minute interval.", True),
        ("- Better Stack Free: 10 monitors, 3-minute checks.", False),
    ],
)
def test_a_stated_length_of_time_against_the_catalog(line: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    errors = _errors("# Plan\n\n" + line + "\n", catalog)
    assert bool(errors) == wrong, errors
    if wrong:
        assert errors[0].startswith("3: ")


def test_a_free_cell_names_the_plan_of_the_row(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "\n".join(
        [
            "| Komponen | Penyedia | Paket | Fakta |",
            "|---|---|---|---|",
            "| Uptime | UptimeRobot | Free | 50 monitor, interval cek {} menit |",
        ]
    )
    assert [e[:2] for e in _errors(doc.format(1), catalog)] == ["3:"]
    assert _errors(doc.format(5), catalog) == []
