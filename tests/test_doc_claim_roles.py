"""Issue 12: which figures of a plan document are claims about a plan (quotas, rates, terms of use)
and which are the app's own amounts, read from the figure's sentence; hand-made lines, each with
the answer an engineer reading it would give."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tierplan.audit.doc import audit_document
from tierplan.audit.doc_arithmetic import arithmetic_slips
from tierplan.audit.doc_claims import find_quantities, find_unit_prices
from tierplan.audit.doc_numbers import decimal_comma, point_convention
from tierplan.catalog.loader import load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


@pytest.mark.parametrize(
    ("text", "roles"),
    [
        (
            "- Resend Free: 100 e-mails/day, 3,000 e-mails/month.",
            ["limit", "label"],
        ),  # the second by its label only
        ("At 96,000 e-mails a month Resend Pro would need overages", ["usage"]),
        ("| Database compute | Neon Launch | 100 CU-hours x $0.106 | 10.60 |", ["usage"]),
        ("(12 GB - 10 GB free) x $0.015", ["usage", "limit"]),
        ("Tracking stays on Workers Free: 192,000 requests a month is about 6,400 a day", ["usage"]),
        ("Resend volume above 45,000 e-mails in a month", ["usage"]),
        ("Neon Launch includes 100 GB of transfer", ["limit"]),
        ("30.000 e-mails/mês estouram o Resend Free", ["usage"]),
        ("O plano gratuito do Upstash: 500,000 commands por mês", ["limit"]),
    ],
)
def test_a_figure_is_a_quota_or_the_apps_own_amount(text: str, roles: list[str]) -> None:
    assert [q.role for q in find_quantities(text)] == roles


def test_the_unit_of_a_price_is_not_a_quota() -> None:
    assert find_quantities("Pay As You Go: $0.20 per 100K commands") == []
    [up] = find_unit_prices("Upstash: $0.20 per 100,000 commands")
    assert (up.usd, up.per_units) == (0.20, 100_000)


def test_memory_is_not_compared_with_a_storage_or_bandwidth_price() -> None:
    assert find_unit_prices("RAM $10 per GB-month, CPU $20 per vCPU-month") == []
    assert find_unit_prices("$0.000231 per GB-minute of RAM") == []
    assert find_quantities("Render Standard (1 CPU, 2 GB): $25") == []


def test_a_conversion_of_time_is_not_arithmetic() -> None:
    assert arithmetic_slips([(1, "- Dispatcher: 2,880 runs × 30 s = 24 hours")]) == []
    # the same product written wrongly in one unit is still a slip
    [slip] = arithmetic_slips([(1, "- Dispatcher: 2,880 runs × 30 s = 96,400 s")])
    assert slip.computed == 86_400


def test_a_correct_rate_card_raises_nothing(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "\n".join(
        [
            "# Rates",
            "",
            "- Resend Free: 100 e-mails/day, 3,000/month. Pro: $20 for 50,000/month.",
            "- Upstash Pay As You Go: $0.20 per 100,000 commands, first 200 GB of bandwidth free.",
            "- Resend Pro overage: $0.90 per started block of 1,000 e-mails.",
            "- Render Standard (1 CPU, 2 GB): $25 per instance.",
        ]
    )
    audit = audit_document(doc, "rates.md", catalog)
    assert [f.message for f in audit.findings if f.severity == "error"] == []


COMMERCIAL_ON_HOBBY = """# Hosting plan for Tienda

Tienda is a marketplace: shops pay a monthly subscription and we take a 3% commission.

- storefront: Vercel Hobby, $0
- api: Render Starter, $7/month

Later the storefront stays on Vercel Hobby.
"""


def test_a_commercial_product_on_a_non_commercial_plan(catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = [f for f in audit_document(COMMERCIAL_ON_HOBBY, "t.md", catalog).findings if f.kind == "terms"]
    assert (f.line, f.severity) == (5, "error")
    assert f.catalog is not None and f.catalog.endswith("#commercial_use")
    assert "line 3" in f.message and "marketplace" in f.message  # the sentence that shows the intent
    assert f.lines_used == (3, 8)  # the evidence, then the other line that keeps it there
    assert f.source and f.as_of


def test_a_price_per_million_belongs_to_the_nearest_noun_before_it(catalog) -> None:  # type: ignore[no-untyped-def]
    row = (
        "| Option | Storage | Operations |\n|---|---|---|\n| Cloudflare R2 Standard | 10 GB-month free, then "
        "$0.015/GB-month | Class A: 1M free, then $4.50 per million; Class B: 10M free, then {b} per million |\n"
    )
    assert not [
        f for f in audit_document(row.format(b="$0.36"), "r.md", catalog).findings if f.severity == "error"
    ]
    [f] = [
        f for f in audit_document(row.format(b="$4.50"), "r.md", catalog).findings if f.severity == "error"
    ]
    assert f.catalog == "cloudflare/r2/standard#class_b_ops_per_month"


def test_a_usage_priced_line_with_its_usage_is_a_month_of_usage(catalog) -> None:  # type: ignore[no-untyped-def]
    table = (
        "| Component | Plan | Monthly |\n|---|---|---|\n| TURN | Cloudflare Realtime TURN{usage} | $20.00 |\n"
    )
    # 400 GB x $0.05 = $20: a month of usage on a plan without a fee, not a fee of $20
    assert not [
        f
        for f in audit_document(table.format(usage=", 400 GB billable"), "t.md", catalog).findings
        if f.severity == "error"
    ]
    # without an amount used, $20/month is read as the plan's fee, which it does not have
    [f] = [
        f for f in audit_document(table.format(usage=""), "t.md", catalog).findings if f.severity == "error"
    ]
    assert "no fixed monthly fee" in f.message


@pytest.mark.parametrize(
    "line",
    [
        "- **Upstash Free → pay as you go:** above ~400,000 commands in a month (the free database stops).",
        "- **Upstash Free → pago por uso:** al pasar los 400.000 comandos en un mes.",
        "- Neon Free: 0.25 CU × 9 hours × 31 days is about 70 CU-hours, inside the 100.",
        "- Upstash Free : dès que le compteur dépasse 400 000 commandes par mois.",
    ],
)
def test_a_threshold_or_the_apps_own_amount_is_not_a_quota(line: str, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "# Plan\n\n" + line + "\n" + ("Aussi 7,00 $ et 20,00 $.\n" if "dès" in line else "")
    assert [f.message for f in audit_document(doc, "q.md", catalog).findings if f.severity == "error"] == []


def test_a_figure_under_a_plan_label_within_its_quota_is_only_a_doubt(catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = [
        f
        for f in audit_document("- Clerk Hobby: 2,000 MRU.\n", "c.md", catalog).findings
        if f.kind == "catalog_mismatch"
    ]
    assert f.severity == "warning" and "as the app's own amount it fits" in f.message
    # above the quota it cannot be the app's amount on that plan: an error
    [f] = [
        f
        for f in audit_document("- Clerk Hobby: 80,000 MRU.\n", "c.md", catalog).findings
        if f.kind == "catalog_mismatch"
    ]
    assert f.severity == "error"
    # said to be the quota: an error
    [f] = [
        f
        for f in audit_document("- Clerk Hobby: free up to 2,000 MRU.\n", "c.md", catalog).findings
        if f.kind == "catalog_mismatch"
    ]
    assert f.severity == "error"


def test_a_count_after_the_plan_in_a_cost_table_is_only_a_doubt(catalog) -> None:  # type: ignore[no-untyped-def]
    table = "| Line | Plan / usage | USD |\n|---|---|---:|\n| Better Stack | {cell} | 0.00 |\n| Total | | 0.00 |\n"
    # 6 monitors on the Free plan (10 allowed): the app's use, not a claim about the quota
    assert not [
        f
        for f in audit_document(table.format(cell="Free, 6 monitors"), "t.md", catalog).findings
        if f.severity == "error"
    ]
    # said to be the quota, it is one
    [f] = [
        f
        for f in audit_document(table.format(cell="Free includes 6 monitors"), "t.md", catalog).findings
        if f.severity == "error"
    ]
    assert "10 uptime monitors" in f.message


def test_a_terms_finding_lands_on_the_line_that_places_the_product(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = """# Tutoring marketplace

Students pay per lesson and we keep a 15% commission.

| Option | Plan | Price |
|---|---|---|
| Vercel | Hobby | $0 |
| Vercel | Pro | $20 per seat |

Stage 1 runs the web app on Vercel Hobby ($0).
"""
    [f] = [f for f in audit_document(doc, "m.md", catalog).findings if f.kind == "terms"]
    assert f.line == 10 and f.lines_used == (1, 7)  # the table row that lists the option comes after


def test_donations_and_sponsor_banners_are_commercial_use(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = """# Community radio site

The website carries the schedule, the player, paid sponsor banners and the donation form.

It stays on Vercel's free Hobby plan.
"""
    [f] = [f for f in audit_document(doc, "r.md", catalog).findings if f.kind == "terms"]
    assert f.line == 5 and "line 3" in f.message
    plain = doc.replace("paid sponsor banners and the donation form", "the archive")
    assert not [f for f in audit_document(plain, "r.md", catalog).findings if f.kind == "terms"]


def test_a_sentence_that_says_the_free_allowance_is_gone_is_not_a_legacy_claim(catalog) -> None:  # type: ignore[no-untyped-def]
    gone = "- Fly has no free allowance any more for organisations created after October 2024.\n"
    assert not [f for f in audit_document(gone, "f.md", catalog).findings if f.severity != "info"]
    old = "- Fly.io: free allowance of up to 3 shared-cpu-1x VMs.\n"
    assert [f for f in audit_document(old, "f.md", catalog).findings if f.severity == "warning"]
    # "inbound data is free" names no Free plan for the next sentence's price
    egress = (
        "Fly.io charges for data leaving Singapore at $0.04 per GB. Inbound data is free. So one "
        "listener-hour costs 21.6 MB × $0.04 per GB.\n"
    )
    assert not [
        f for f in audit_document(egress, "f.md", catalog).findings if f.severity in ("error", "warning")
    ]


def test_no_terms_finding_without_commercial_intent_or_when_the_terms_are_discussed(catalog) -> None:  # type: ignore[no-untyped-def]
    hobby_project = "# My blog\n\nA personal blog with no ads.\n\n- frontend: Vercel Hobby, $0\n"
    assert not [
        f
        for f in audit_document(hobby_project.replace("no ads", "photos"), "b.md", catalog).findings
        if f.kind == "terms"
    ]
    discussed = COMMERCIAL_ON_HOBBY.replace(
        "- storefront: Vercel Hobby, $0", "- storefront: Vercel Pro, not Hobby (non-commercial only)"
    )
    discussed = discussed.replace("Later the storefront stays on Vercel Hobby.", "")
    assert not [f for f in audit_document(discussed, "t.md", catalog).findings if f.kind == "terms"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("la phase 2 revient à 52,10 $ par mois", "la phase 2 revient à $52.10  par mois"),
        ("Total: US$ 1.991,60 por ano", "Total: US$ 1,991.60 por ano"),
        ("0,5 CU × 300 h = US$ 15,90", "0.5 CU × 300 h = US$ 15.90"),
    ],
)
def test_a_decimal_comma_document_is_read_in_the_point_convention(text: str, expected: str) -> None:
    doc = text + "\nUS$ 7,00 e US$ 20,00"
    out = point_convention(doc)
    assert out.splitlines()[0] == expected
    assert [len(x) for x in out.splitlines()] == [len(x) for x in doc.splitlines()]  # columns kept


def test_other_dollars_are_not_us_dollars_and_point_documents_are_left_alone() -> None:
    assert point_convention("R$ 37,80 or $7.00 and $20.00") == "R¤ 37,80 or $7.00 and $20.00"
    assert not decimal_comma("$1,991.60 a year, $0.106 per CU-hour")


def test_each_sentence_speaks_of_its_own_plan_and_provider(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "\n".join(
        [
            "- **Errors**: Sentry. Developer (free): 1 user, 5,000 errors a month. Team: $26/month billed",
            "  annually ($312 a year), unlimited users, 50,000 errors a month.",
            "- Upstash Free's 500K commands a month, and R2's 10M free reads a month.",
            "- Upstash pay-as-you-go passes $10/month at 5M commands.",
        ]
    )
    assert [f.message for f in audit_document(doc, "d.md", catalog).findings if f.severity == "error"] == []
    wrong = doc.replace("50,000 errors a month.", "5,000 errors a month.")
    [f] = [f for f in audit_document(wrong, "d.md", catalog).findings if f.severity == "error"]
    assert f.line == 2 and "Team" in f.message  # the continuation line speaks of Team, named above


STAGE_BY_COLUMN = """# Plan

## Fase 3 (500 escolas): US$ 238,26/mês

| Componente | Plano | 50 escolas | 500 escolas |
|---|---|---:|---:|
| API | Render Starter | 7,00 | 25,00 |
| Banco | Neon Launch | 0,00 | 223,26 |
| **Total (US$)** | | **7,00** | **248,26** |
"""


def test_a_stage_total_that_disagrees_with_its_column_in_the_summary(catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = [f for f in audit_document(STAGE_BY_COLUMN, "p.md", catalog).findings if f.kind == "range_mismatch"]
    assert (f.line, f.stated, f.expected) == (3, "$238.26", "$248.26")
    assert f.lines_used == (9,)
    agreeing = STAGE_BY_COLUMN.replace("238,26", "248,26")
    assert not [f for f in audit_document(agreeing, "p.md", catalog).findings if f.kind == "range_mismatch"]


BARE_POPULATION_COLUMNS = """# Plano

### Fase 2 — 200 clínicas (US$ 64,30/mês)

Em termos anuais, a fase 2 custa US$ 891,60 por ano; a fase 1, US$ 444,00 por ano.

| Componente | Plano | 50 | 200 |
|---|---|---:|---:|
| API | Render Starter/Standard | 7,00 | 25,00 |
| E-mail | Resend Pro | 20,00 | 49,30 |
| TOTAL (US$) | | 27,00 | 74,30 |
| TOTAL (R$ a 5,40) | | 145,80 | 401,22 |
"""


def test_bare_population_columns_and_a_yearly_stage_cost(catalog) -> None:  # type: ignore[no-untyped-def]
    """Columns headed "50" and "200" are the stages the headings count in clínicas; the R$ total is
    not read as dollars; "US$ 891,60 por ano" is $74.30 a month only if it is 12 x 74.30 = 891.60."""
    found = {
        f.line: f
        for f in audit_document(BARE_POPULATION_COLUMNS, "p.md", catalog).findings
        if f.kind == "range_mismatch"
    }
    assert (found[3].stated, found[3].expected, found[3].lines_used) == ("$64.30", "$74.30; $74.30", (5, 11))
    assert found[3].message.startswith("phase 2:")
    # 891.60 / 12 = 74.30: the yearly figure agrees with the table; the heading is the odd one out
    assert set(found) == {3}
    wrong_year = BARE_POPULATION_COLUMNS.replace("891,60", "791,60")
    found = {
        f.line: f for f in audit_document(wrong_year, "p.md", catalog).findings if f.kind == "range_mismatch"
    }
    assert set(found) == {3, 5}
    assert "yearly figure ($791.60 a year) says $65.97/month" in found[5].message


def test_each_stage_column_adds_up_and_a_yearly_row_is_not_a_month(catalog) -> None:  # type: ignore[no-untyped-def]
    text = """## Appendix A

All figures USD per month.

| Line item | Stage 1 | Stage 2 |
|---|---|---|
| API (Fly.io) | 6.70 | 13.40 |
| E-mail (Resend) | 0.00 | 20.00 |
| **Total per month** | **6.70** | **43.40** |
| Total per year | 80.40 | 520.80 |
"""
    # 13.40 + 20.00 = 33.40, not 43.40; 6.70 adds up; the yearly row is 12 x the monthly one, not a sum
    [f] = [f for f in audit_document(text, "a.md", catalog).findings if f.severity == "error"]
    assert (f.kind, f.line, f.stated, f.expected, f.lines_used) == (
        "total_mismatch",
        9,
        "$43.40",
        "$33.40",
        (7, 8),
    )
    assert f.message.startswith("'Stage 2' total $43.40 does not add up")
    assert not [
        f
        for f in audit_document(
            text.replace("43.40", "33.40").replace("520.80", "400.80"), "a.md", catalog
        ).findings
        if f.severity == "error"
    ]
    # a stated stage cost that agrees with the rows is not blamed for the wrong column total
    stated = text.replace("## Appendix A", "## Summary\n\n- Stage 2: $33.40 per month\n\n## Appendix A")
    assert {f.kind for f in audit_document(stated, "a.md", catalog).findings if f.severity == "error"} == {
        "total_mismatch"
    }


def test_a_stage_total_in_a_code_block_or_as_its_formula(catalog) -> None:  # type: ignore[no-untyped-def]
    yaml_block = """### S2 — 300 vehicles: $126.61/mo

```yaml
s2:
  render_standard:    25.00
  whatsapp:           97.61
  total_usd:         122.61
  total_ngn:     186,367.20
```
"""
    [f] = [f for f in audit_document(yaml_block, "f.md", catalog).findings if f.kind == "range_mismatch"]
    assert (f.line, f.stated, f.expected, f.lines_used) == (1, "$126.61", "$122.61", (7,))
    assert "'total_usd' in a code block" in f.message
    assert not [
        f
        for f in audit_document(yaml_block.replace("126.61", "122.61"), "f.md", catalog).findings
        if f.kind == "range_mismatch"
    ]
    formula = """1. SUMMARY

  - Phase 2 (50-200 promoters): $97.85 per month

4. PHASE 2

Phase 2 total:
  $20 + $14 + $1.20 + $7.95 + $0.70 + $6.00 + $20 + $26 = $95.85 per month
"""
    [f] = [f for f in audit_document(formula, "t.txt", catalog).findings if f.kind == "range_mismatch"]
    assert (f.line, f.stated, f.expected, f.lines_used) == (3, "$97.85", "$95.85", (8,))
    same_line = formula.replace("Phase 2 total:\n  $20", "Phase 2 total: $20")
    [f] = [f for f in audit_document(same_line, "t.txt", catalog).findings if f.kind == "range_mismatch"]
    assert f.lines_used == (7,)
    assert not [
        f
        for f in audit_document(formula.replace("97.85", "95.85"), "t.txt", catalog).findings
        if f.kind == "range_mismatch"
    ]


def test_a_cost_block_in_a_fence_adds_up(catalog) -> None:  # type: ignore[no-untyped-def]
    block = """### S2

```yaml
s2:
  render_standard:    25.00        # 1 instance
  render_bandwidth:    3.00        # 20 GB x $0.15
  whatsapp:           52.26
  total_usd:          80.26
  total_ngn:     121,995.20
  revenue_ngn: 1,350,000.00
```
"""
    a = audit_document(block, "f.md", catalog)
    assert not [f for f in a.findings if f.severity == "error"] and a.totals_checked == 1
    # 25 + 3 + 52.26 = 80.26, not 90.26
    [f] = [
        f
        for f in audit_document(block.replace("80.26", "90.26"), "f.md", catalog).findings
        if f.severity == "error"
    ]
    assert (f.kind, f.line, f.stated, f.expected, f.lines_used) == (
        "total_mismatch",
        8,
        "$90.26",
        "$80.26",
        (5, 6, 7),
    )
    # a block with a count in it is not a list of costs
    counted = block.replace("80.26", "90.26").replace("  whatsapp:", "  drivers:            300\n  whatsapp:")
    assert not [f for f in audit_document(counted, "f.md", catalog).findings if f.kind == "total_mismatch"]


def test_a_stage_heading_with_one_amount_and_an_aligned_block_total(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = """### S2 — 90 pharmacies: $639.21

```
component            plan / basis                                   usd
api                  2 x shared-cpu-2x-1gb jnb                     19.26
wa utility           63,000 x $0.0076                             478.80
errors               Sentry Team                                   26.00
----------------------------------------------------------------------------
total                                                             524.06
```

| Line | Plan | USD |
|---|---|---:|
| R2 Class A | (2M − 1M) × $4.50 per million | 4.50 |
| R2 Class B | (12M − 10M) × $0.36 per million | 0.72 |
"""
    [f] = [f for f in audit_document(doc, "p.md", catalog).findings if f.kind == "range_mismatch"]
    # "S2 — 90" is no range, "R2 Class" no population: the stage is "90 pharmacies"
    assert (f.line, f.stated, f.expected, f.lines_used) == (1, "$639.21", "$524.06", (9,))
    assert f.message.startswith("90 pharmacies:")
    assert not [
        f
        for f in audit_document(doc.replace("639.21", "524.06"), "p.md", catalog).findings
        if f.severity == "error"
    ]


def test_a_stage_number_led_by_a_letter(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = """### 5.2 Stufe S2 – Landkreis

Stufe 2 kostet rund 121,50 $ im Monat.

<table>
  <tr><th>Posten</th><th>$ / Monat</th></tr>
  <tr><td>Web Service</td><td>25,00</td></tr>
  <tr><td>Datenbank</td><td>86,50</td></tr>
  <tr><td><b>Summe S2</b></td><td><b>111,50</b></td></tr>
</table>
"""
    [f] = [f for f in audit_document(doc, "m.md", catalog).findings if f.kind == "range_mismatch"]
    assert (f.line, f.stated, f.expected) == (3, "$121.50", "$111.50")


def test_a_total_row_that_names_its_stage(catalog) -> None:  # type: ignore[no-untyped-def]
    text = """STUFEN (Render Starter: 7,00 USD pro Monat)

| Stufe | Werkstaetten | USD / Monat | EUR / Monat |
|---|---|---:|---:|
| 1 | bis 20 | 8,00 | 7,36 |
| 2 | bis 120 | 75,00 | 69,00 |

| Posten | Tarif | USD | EUR |
|---|---|---:|---:|
| API | Render Standard x1 | 25,00 | 23,00 |
| Datenbank | Neon Launch | 40,00 | 36,80 |
| SUMME STUFE 2 | | 65,00 | 59,80 |
"""
    [f] = [f for f in audit_document(text, "p.txt", catalog).findings if f.kind == "range_mismatch"]
    assert (f.line, f.stated, f.expected, f.lines_used) == (6, "$75", "$65", (12,))


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("- Neon Launch: $0.106 per CU-hour of compute.", False),
        ("- Neon Launch: $0.106 per CU-minute of compute.", True),  # the catalog's number, per hour
        ("- Supabase Pro compute: Small is $0.0206 per hour.", False),
        ("- Supabase Pro compute: Small is $0.0206 per minute.", True),
        ("- Supabase Pro compute: Small is $0.0206 pro Stunde.", False),
        ("- Supabase Pro compute: Small is $0.0206 pro Minute.", True),
        ("- Supabase Pro compute: Small is $0.0206 por minuto.", True),
        # a heading that names services (auth) and kinds (database) that disagree: the kinds decide
        ("### Database, auth, realtime — Supabase\n\nSmall (2 GB RAM) is $0.0206 per hour.", False),
        ("### Database, auth, realtime — Supabase\n\nSmall (2 GB RAM) is $0.0206 per minute.", True),
        # Clerk Pro: $0.02 per monthly retained user past 50,000
        ("- Clerk Pro: $25/month, 50,000 MRU included, then $0.02 per MRU.", False),
        ("- Clerk Pro: $25/month, 50,000 MRU included, then $0.02 per 1,000 MRU.", True),
        ("- Cloudflare R2: Class A operations $4.50 per million beyond the free 1M.", False),
        ("- Cloudflare R2: Class A operations $4.50 per 1,000 beyond the free 1M.", True),
        ("- Upstash Pay As You Go: US$ 0,20 por 100 mil comandos.", False),
        ("- Upstash Pay As You Go: US$ 0,20 por 1 milhão de comandos.", True),
        # the sign after the number, and a check interval in Portuguese
        ("- Upstash Pay As You Go: 0,20 US$ por 100.000 comandos; 1,00 US$ e 2,50 US$.", False),
        ("- Upstash Pay As You Go: 0,20 US$ por 1.000 comandos; 1,00 US$ e 2,50 US$.", True),
        ("- UptimeRobot Plano Free: 50 monitores, com checagem a cada 5 minutos.", False),
        ("- UptimeRobot Plano Free: 50 monitores, com checagem a cada 1 minuto.", True),
        ("- Upstash Pay As You Go: US$ 0,20 per 1 juta perintah.", True),
    ],
)
def test_a_rate_in_the_wrong_unit(line: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "# Rates\n\n" + line + "\n" + "Also US$ 7,00 and US$ 20,00.\n" * ("US$" in line)
    errors = [f for f in audit_document(doc, "r.md", catalog).findings if f.severity == "error"]
    assert bool(errors) == wrong, [f.message for f in errors]
    if wrong and "0.106" in line:
        assert "in another unit" in errors[0].message and "per CU-hour" in errors[0].message


@pytest.mark.parametrize(
    "line",
    [
        "- Fly nos deja correr gratis hasta 3 máquinas shared-cpu-1x de 256 MB.",  # ended 2024-10-07
        "- Database: Neon Launch, 19 USD pauschal pro Monat inkl. 300 Compute-Stunden.",  # retired $19
        "- l'offre Neon Scale : 69 $ par mois, avec 750 heures de calcul.",
    ],
)
def test_plans_that_no_longer_exist_in_other_languages(line: str, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "# Plan\n\n" + line + "\n" + ("Aussi 7,00 $ et 20,00 $.\n" if "$ par" in line else "")
    shown = [f for f in audit_document(doc, "p.md", catalog).findings if f.severity in ("error", "warning")]
    assert shown and all(f.line == 3 for f in shown), [f.message for f in shown]
    assert any("legacy" in f.message for f in shown)


def test_usd_written_as_a_code_is_dollars() -> None:
    assert (
        point_convention("Neon Launch, 19 USD pro Monat; USD 25 for Pro")
        == "Neon Launch, $19    pro Monat; $   25 for Pro"
    )


def test_a_starting_price_or_an_included_credit_is_not_a_plan_price(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "# Plan\n\n- Supabase Pro: point-in-time recovery is an add-on (from $100/month).\n- Supabase Pro includes $10 a month of compute credit.\n"
    assert [f.message for f in audit_document(doc, "p.md", catalog).findings if f.severity == "error"] == []


@given(st.text(alphabet=st.sampled_from(list("0123456789.,$ USDR€ab\n")), max_size=80))
def test_the_number_convention_keeps_every_line_as_long_as_it_was(text: str) -> None:
    out = point_convention(text + "\nUS$ 1,00 US$ 2,00") if "," in text else point_convention(text)
    src = text + "\nUS$ 1,00 US$ 2,00" if "," in text else text
    assert [len(x) for x in out.split("\n")] == [len(x) for x in src.split("\n")]


SUMMARY_AND_STAGE = """# Rencana

| Tahap | Outlet | Biaya infrastruktur / bulan |
|---|---|---|
| Tahap 1 | 25 | US$ 32,00 |
| Tahap 2 | 150 | US$ 70,04 |

### Tahap 2

| Item | Paket | US$/bulan |
|---|---|---|
| API | Render Starter ×2 | 14,00 |
| Database | Supabase Pro | 76,04 |
| **Total Tahap 2** | | **90,04** |
"""


def test_a_summary_row_against_a_stage_table_in_bare_dollars(catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = [
        f for f in audit_document(SUMMARY_AND_STAGE, "p.md", catalog).findings if f.kind == "range_mismatch"
    ]
    assert (f.line, f.stated, f.expected) == (6, "$70.04", "$90.04")
    # the bare numbers are totals, not plan prices: no catalog finding on the rows
    assert not [
        f for f in audit_document(SUMMARY_AND_STAGE, "p.md", catalog).findings if f.kind == "catalog_mismatch"
    ]


def test_html_and_grid_tables_are_tables() -> None:
    from tierplan.audit.doc_tables import extract

    html = "<table>\n  <tr><th>Item</th><th>Usage</th><th>USD</th></tr>\n  <tr><td>API</td><td>4M requests</td><td>$5.00</td></tr>\n  <tr><td>DB</td><td>3 GB</td><td>$25.00</td></tr>\n</table>\n"
    [t] = extract(html).tables
    assert (t.kind, t.header, t.money_col, [r.line for r in t.rows]) == (
        "html",
        ("Item", "Usage", "USD"),
        2,
        [3, 4],
    )
    grid = "+----+----+----+\n| Item | 50 | 200 |\n+----+----+----+\n| API | $7.00 | $25.00 |\n| DB | $0.00 | $15.90 |\n+----+----+----+\n| TOTAL | $7.00 | $40.90 |\n"
    [g] = extract(grid).tables
    assert g.header == ("Item", "50", "200") and [r.label for r in g.rows] == ["API", "DB", "TOTAL"]


def test_a_month_on_a_usage_or_seat_priced_plan_may_exceed_its_fee(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "\n".join(
        [
            "| Component | Plan | Cost |",
            "|---|---|---|",
            "| Frontend | Vercel Pro, 2 seats | $40.00 |",
            "| E-mail | Resend Scale with overages | $148.50 |",
            "| Database | Neon Launch (compute $21.20 + storage $0.70) | $21.90 |",
            "| Frontend 2 | Vercel Pro | $10.00 |",  # below the $20 fee: wrong
        ]
    )
    errors = [f for f in audit_document(doc, "c.md", catalog).findings if f.severity == "error"]
    assert [f.line for f in errors] == [6]


def test_a_gb_month_is_stored_data_and_a_terabyte_is_a_thousand_gigabytes(catalog) -> None:  # type: ignore[no-untyped-def]
    [up] = find_unit_prices("Neon Launch: $0.106 per CU-hour, $0.35 per GB-month")[1:]
    assert up.prefixes == ("storage_gb", "dataset_mb")
    doc = "# Plan\n\n- Vercel Pro includes 1 TB of Fast Data Transfer.\n"
    assert [f.message for f in audit_document(doc, "v.md", catalog).findings if f.severity == "error"] == []
