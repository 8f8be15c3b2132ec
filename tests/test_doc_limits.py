"""Issue 12: plan limits a document states that are not quotas of usage: days until a free
database expires, days of inactivity before a project pauses, minutes idle before a service
sleeps, minutes between uptime checks (the catalog's checks_per_hour), in the corpus languages;
and the plan and provider a claim takes from its table row, list label or heading."""

from __future__ import annotations

import pytest

from tierplan.audit.doc import audit_document
from tierplan.audit.doc_claims import find_quantities, find_unit_prices
from tierplan.audit.doc_vocabulary import Vocabulary
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
        ("50 monitors, checked every minute", "check_interval_minutes", 1),  # one unit, in words
        ("Prüfung jede Minute", "check_interval_minutes", 1),
        ("checagem a cada minuto", "check_interval_minutes", 1),
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
        "we deploy every hour",
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


def test_a_label_above_keeps_the_figures_no_name_in_the_item_claims(catalog) -> None:  # type: ignore[no-untyped-def]
    # "Pages" (Cloudflare) is one of the things monitored, far after the figures: they stay
    # UptimeRobot's, the label's; a figure a name follows closely is that name's
    item = "- Free plan: 50 monitors, checked every {} — plenty for api, worker health, Pages,\n  and the webhook.\n"
    assert [e[:2] for e in _errors("UptimeRobot:\n\n" + item.format("minute"), catalog)] == ["3:"]
    assert _errors("UptimeRobot:\n\n" + item.format("5 minutes"), catalog) == []
    assert _errors("UptimeRobot:\n\n- 10 GB of storage on Cloudflare R2 Free\n", catalog) == []


def test_a_figure_at_the_start_of_a_wrapped_line_reads_the_words_before_it(catalog) -> None:  # type: ignore[no-untyped-def]
    # "reaches about" / "8 GB": the app's own storage, within the free 10 GB, not a quota of 8 GB
    doc = "R2 storage reaches about\n8 GB, still inside the free 10 GB. Sentry and UptimeRobot stay free.\n"
    assert _errors(doc, catalog) == []


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


def test_a_bullet_among_bullets_of_other_providers_is_not_the_headings(catalog) -> None:  # type: ignore[no-untyped-def]
    items = "- api: Render Starter, 2 instances: 2 x $7 = $14\n- api egress: 8 GB x $0.15/GB = $1.20\n"
    assert _errors("# Phase 2 on Cloudflare\n\n" + items, catalog) == []
    # bullets that all speak of the heading's provider keep it
    alone = "# Cloudflare Workers Paid\n\n- requests: 10M included\n- egress: $0.15/GB\n"
    assert [e[:2] for e in _errors(alone, catalog)] == ["4:"]


def test_a_cron_trigger_is_named_by_its_whole_name(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "Phase 1 triggers (any one moves us to phase 2):\n  - api egress: 8 GB x $0.15/GB = $1.20\n"
    assert _errors(doc, catalog) == []
    vocab = Vocabulary(catalog)
    assert vocab.providers_in("Phase 1 triggers on our servers") == []
    assert vocab.providers_in("Workers Cron Triggers at 02:00") == ["cloudflare"]


@pytest.mark.parametrize(("connections", "wrong"), [(200, False), (500, True)])
def test_a_list_item_under_a_plan_label_speaks_of_the_service_its_words_name(  # type: ignore[no-untyped-def]
    connections: int, wrong: bool, catalog
) -> None:
    doc = (
        "### Database, auth, realtime: Supabase\n\n"
        "- **Free** (stage 1): 500 MB database, 50,000 monthly active users for auth,\n"
        f"  {connections} concurrent Realtime connections and 2 million Realtime messages a month.\n"
    )
    errors = _errors(doc, catalog)
    assert [e[:2] for e in errors] == (["4:"] if wrong else []), errors


@pytest.mark.parametrize(("developer", "wrong"), [("5,000", False), ("50K", True)])
def test_a_figure_is_of_the_plan_named_before_it_in_its_cell(developer: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "\n".join(
        [
            "| Need | Option | Free plan | Paid plan |",
            "|------|--------|-----------|-----------|",
            f"| Errors | Sentry | Developer: {developer} errors a month, one user | Team: $26/month billed annually, 50K errors included |",
        ]
    )
    errors = _errors(doc, catalog)
    assert [e[:2] for e in errors] == (["3:"] if wrong else []), errors


@pytest.mark.parametrize(("cap", "wrong"), [("0.5", False), ("3", True)])
def test_a_noun_before_a_size_says_what_it_measures(cap: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    [q] = find_quantities(f"transfer, storage cap {cap} GB per project.")
    assert q.prefixes == ("storage_gb", "dataset_mb")
    doc = (
        "Free-tier limits we are relying on:\n"
        "  - Neon Free: 100 CU-hours a month per project, 5 GB public network\n"
        f"    transfer, storage cap {cap} GB per project. Compute suspends when a limit is\n"
        "    reached, so we watch it.\n"
    )
    errors = _errors(doc, catalog)
    assert [e[:2] for e in errors] == (["3:"] if wrong else []), errors


def test_a_plan_name_split_over_two_lines(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = (
        "### Reminder worker: Fly.io\n\n"
        "The worker needs to run all the time. Fly.io's free\n"
        "allowance covers up to three shared-cpu-1x 256 MB machines, so it costs nothing.\n"
    )
    shown = [f for f in audit_document(doc, "f.md", catalog).findings if f.severity in ("error", "warning")]
    assert [(f.line, f.severity) for f in shown][:1] == [(3, "warning")]
    assert "legacy" in shown[0].message


def test_figures_after_a_line_naming_a_plan_are_of_that_plan(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = (
        "### Cache: Upstash Redis\n\n"
        "Free: 500K commands a month, 256 MB, 10 GB bandwidth, enough for the pilot. Then\n"
        "pay-as-you-go at $0.20 per 100K commands, and at stage 3 the Fixed 250MB plan at $10/month\n"
        "(unlimited commands, {} GB bandwidth a month), which is cheaper once we pass 5 million commands.\n"
    )
    assert _errors(doc.format(50), catalog) == []
    assert [e[:2] for e in _errors(doc.format(500), catalog)] == ["5:"]  # Fixed 250MB: 50 GB


def test_a_rate_is_of_the_noun_nearest_before_it(catalog) -> None:  # type: ignore[no-untyped-def]
    cell = "Class A: 1M free, then $4.50 per million; Class B: 10M free, then $0.36 per million"
    assert [up.prefixes[0] for up in find_unit_prices(cell)] == ["class_a_ops_per_", "class_b_ops_per_"]
    [up] = find_unit_prices("Class A operations $4.50 per million")
    assert up.prefixes == ("class_a_ops_per_",)
    doc = "| Option | Operations |\n|---|---|\n| Cloudflare R2 Standard | " + cell + " |\n"
    assert _errors(doc, catalog) == []
    assert [e[:2] for e in _errors(doc.replace("$0.36", "$3.60"), catalog)] == ["3:"]


@pytest.mark.parametrize(("row", "wrong"), [("400 GB billable", False), ("flat", True)])
def test_a_month_of_billable_usage_on_a_plan_without_a_fee(row: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = f"| Component | Plan | Cost |\n|---|---|---|\n| TURN | Cloudflare Realtime TURN, {row} | $20.00 |\n"
    assert bool(_errors(doc, catalog)) == wrong


@pytest.mark.parametrize(("rate", "wrong"), [("$0.02 per MRU", False), ("$0.02 per 1,000 MRU", True)])
def test_users_a_month_are_a_metric_and_a_cell_names_its_plan_after_the_figure(  # type: ignore[no-untyped-def]
    rate: str, wrong: bool, catalog
) -> None:
    doc = "\n".join(
        [
            "| Option | Free plan | Paid plan |",
            "|--------|-----------|-----------|",
            f"| Clerk | Hobby: 50,000 monthly retained users per application | Pro: $25/month, 50,000 MRU included, then {rate} |",
            "| Supabase Auth | 50,000 MAU on Free | 100,000 MAU included on Pro ($25), then $0.00325 per MAU |",
        ]
    )
    errors = _errors(doc, catalog)
    assert [e[:2] for e in errors] == (["3:"] if wrong else []), errors
