"""Issue 12: layouts and phrasings the fourth held-out batch showed the audit missing or misreading
(docs/audit.md): setext headings, YAML-like cost blocks, an Italian plan, a stage's cost said in
a summary line or as a year "to run", and figures that are not what they seem (a change
history's GB-month, "$4.50 and $0.36 per million", "$19.345", "tempting for launch")."""

from __future__ import annotations

import pytest

from tierplan.audit.doc import audit_document
from tierplan.audit.doc_claims import find_quantities, find_unit_prices
from tierplan.audit.doc_tables import split_lines
from tierplan.catalog.loader import load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def _errors(doc: str, catalog) -> list[str]:  # type: ignore[no-untyped-def]
    return [
        f"{f.line}: {f.kind}: {f.message}"
        for f in audit_document(doc, "p.md", catalog).findings
        if f.severity == "error"
    ]


def test_setext_headings_are_headings() -> None:
    lines = split_lines("Stage 2 - growth, 300 salons\n----------------------------\n\ntext\n")
    assert lines[3].headings == ("Stage 2 - growth, 300 salons",)
    # a list item over a rule, or aligned columns over their dashes, are not headings
    assert split_lines("- item\n---\ntext\n")[2].headings == ()
    assert split_lines("Stage    Users    Cost\n----------------------\n")[1].headings == ()


# hand-added: 20.00 + 17.46 + 3.00 = 40.46 a month; 12 x 40.46 = 485.52 a year
_STAGE = """TL;DR
-----
- Growth (300 salons): stage 2 runs about ${summary} a month.

Stage 2 - growth, 300 salons
----------------------------

| Item        | Calc      | $/month |
|-------------|-----------|--------:|
| Vercel Pro  | 1 seat    |   20.00 |
| Fly API     | 2 x $8.73 |   17.46 |
| Fly volume  | 20 x $0.15 |   3.00 |
| **Total**   |           | **40.46** |

That's about ${yearly} a year to run, against 300 x $19 x 12 = $68,400 of subscriptions.
"""


@pytest.mark.parametrize(
    ("summary", "yearly", "wrong_lines"),
    [
        ("40", "485", []),  # both within rounding of the table's 40.46
        ("52", "485", [3]),  # the summary line disagrees with the table under the stage's heading
        ("40", "400", [15]),  # 400 / 12 = 33.33 a month, not 40.46
    ],
)
def test_a_stage_cost_in_a_summary_line_and_as_a_year_to_run(  # type: ignore[no-untyped-def]
    summary: str, yearly: str, wrong_lines: list[int], catalog
) -> None:
    errors = _errors(_STAGE.format(summary=summary, yearly=yearly), catalog)
    assert sorted({int(e.split(":")[0]) for e in errors if "range_mismatch" in e or "total" in e}) == wrong_lines


_BLOCK = """  upstash:
    free:         {commands} commands per day, 256 MB, one database
    payg:         $0.20 per 100K commands; first 1 GB storage and 200 GB bandwidth free
  cloudflare_r2:
    storage:      10 GB-month free, then $0.015 per GB-month
  supabase:
    free:         500 MB database, 5 GB egress, 1 GB file storage
    pro:          $25/month per org, includes $10 compute credit
    disk:         8 GB included per project, then $0.125 per GB-month
    egress:       250 GB included, then $0.09 per GB
  stage_b:
    supabase_pro:
      disk:       3 GB (< 8 GB included) -> 0.00
      egress:     30 GB (< 250 GB) -> 0.00
    clerk:        hobby, 12,000 MRU -> 0.00
    r2:           3 GB -> 0.00
"""


def test_a_yaml_like_block_of_plan_facts_and_costs(catalog) -> None:  # type: ignore[no-untyped-def]
    # every figure is right but the old Upstash free tier (10,000 a day; now 500K a month): each
    # key is an item of its own, "cloudflare_r2" names Cloudflare, "pro:" is the plan of the keys
    # under it, and "3 GB -> 0.00" or "30 GB (< 250 GB)" are the app's own amounts
    assert _errors(_BLOCK.format(commands="500K").replace("per day", "per month"), catalog) == []
    assert _errors(_BLOCK.format(commands="10,000"), catalog) == []
    [old] = [f for f in audit_document(_BLOCK.format(commands="10,000"), "p.txt", catalog).findings if f.severity == "warning"]
    assert (old.line, old.kind) == (2, "catalog_mismatch") and "legacy" in old.message  # was true once


_ITALIAN = """### Cloudflare Workers

- **Piano Free**
    - {free} richieste al giorno, poi le richieste falliscono fino al reset
- **Piano Workers Paid**: 5 $ al mese per account (copre anche D1, KV e Queues)
    - 10 milioni di richieste al mese incluse, poi 0,30 $ ogni {per} richieste
"""


def test_an_italian_plan_list(catalog) -> None:  # type: ignore[no-untyped-def]
    # Workers Free: 100,000 requests a day; Paid: $0.30 per million after 10 million
    assert _errors(_ITALIAN.format(free="100.000", per="milione di"), catalog) == []
    errors = _errors(_ITALIAN.format(free="100.000", per="1.000"), catalog)
    assert [e[:2] for e in errors] == ["6:"] and "per 1,000" in errors[0]
    month = _ITALIAN.format(free="100.000", per="milione di").replace("al giorno", "al mese")
    assert [e[:2] for e in _errors(month, catalog)] == ["4:"]


@pytest.mark.parametrize(
    "line",
    [
        # Neon's change history is billed apart from storage ($0.35/GB-month on Launch)
        "Launch's restore window can be raised to 7 days, with the change history billed at\n$0.20/GB-month.",
        "- **Cloudflare R2**: 1M Class A and 10M Class B operations free each month, then $4.50 and\n"
        "  $0.36 per million. No egress charges.",  # $4.50 shares the per-million unit
        "- 0.25 CU: 0.25 x 730 x $0.106 = $19.345, i.e. **$19.35/month**",  # three decimals
        "### Why Vercel Pro and not Hobby",  # names Hobby to set it aside
        "Neon's free plan was tempting for launch, but 0.5 GB of storage per project and 100\n"
        "CU-hours a month would not carry an always-on database.",  # "launch" is a word here
    ],
)
def test_right_figures_that_look_wrong(line: str, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "# Plan\n\nMembers pay us $20 a month.\n\n" + line + "\n"
    assert _errors(doc, catalog) == []


def test_words_of_other_languages() -> None:
    [rate] = find_unit_prices("poi $0.30 ogni 1,000 richieste")
    assert rate.per_units == 1000 and rate.prefixes[0] == "requests_per_"
    [cpu] = find_unit_prices("después $ 0.02 por millón de ms de CPU")
    assert cpu.prefixes == ("cpu_ms_per_month",)
    [q] = find_quantities("100,000 richieste al mese")
    assert q.period == "month"


@pytest.mark.parametrize(
    ("text", "keys"),
    [
        ("2. Aşama — 300 kooperatif", {"stage 2"}),  # Turkish: the ordinal first
        ("Aşama 3", {"stage 3"}),
        ("Giai đoạn 3: 1.000 cửa hàng", {"stage 3"}),  # Vietnamese
        ("Fase 2 (200 circoli)", {"phase 2"}),  # Italian
        ("Awamu 1", {"phase 1"}),  # Swahili
    ],
)
def test_stage_words_of_other_languages(text: str, keys: set[str]) -> None:
    from tierplan.audit.doc_tables import stage_keys

    assert keys <= stage_keys(text)


@pytest.mark.parametrize(
    ("text", "metric", "period"),
    [
        ("500 MB depolama", "storage_gb", None),  # Turkish
        ("5 GB băng thông", "egress_gb_per_month", None),  # Vietnamese
        ("100 e-posta/gün", "emails_per_", "day"),
        ("3.000 thư mỗi tháng", "emails_per_", "month"),
        ("200 bağlantı", "concurrent_connections", None),
    ],
)
def test_metric_nouns_and_periods_of_other_languages(text: str, metric: str, period: str | None) -> None:
    [q] = find_quantities(text.replace("3.000", "3,000"))
    assert q.prefixes[0] == metric and q.period == period


# a plain-text summary table underlined by a dash group per column, stages named by letters, and
# YAML-like blocks whose "total:" sits under a "stage_b:" key (hand-added: 25.00 + 3.00 = 28.00)
_LETTERS = """  stage   customers   infra USD/mo   revenue USD/mo
  -----   ---------   ------------   --------------
  A             300           7.50            2,700
  B           1,200          {b}           10,800

  stage_a:
    railway_hobby: 7.50
    total:        7.50

  stage_b:
    supabase_pro: 25.00
    upstash:      3.00
    total:        28.00
"""


@pytest.mark.parametrize(("b", "wrong"), [("28.00", False), ("24.00", True)])
def test_letter_stages_in_a_plain_text_table_and_yaml_blocks(b: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in _errors(_LETTERS.format(b=b), catalog) if "range_mismatch" in e]
    assert [e[:2] for e in errors] == (["4:"] if wrong else [])


def test_a_comparison_of_two_stages_is_no_stage_cost(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = (
        "| Stage | USD/month |\n|---|---|\n| Stage 2 | $124.38 |\n| Stage 3 | $215.08 |\n\n"
        "Stage 2 costs more per podcaster than Stage 3 because Resend Pro ($20) is spread over fewer.\n"
    )
    assert [e for e in _errors(doc, catalog) if "range_mismatch" in e] == []


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("$213.44 / 600 operators ≈ $0.53 per operator per month", True),  # 0.36: "≈" states a result
        ("$213.44 / 600 operators ≈ $0.36 per operator per month", False),
        ("10 GB / 0.35 GB = ~29 centres", False),  # 28.57 rounded
        ("10 GB / 0.35 GB = ~35 centres", True),
        ("Foto: 150 × 60 × 30 × 120 KB ≈ 32 GB/bulan", False),  # 32.4 GB, in a larger unit, rounded
    ],
)
def test_results_stated_roughly(line: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    errors = [e for e in _errors("**Unit economics:** " + line + "\n", catalog) if "arithmetic" in e]
    assert bool(errors) == wrong, errors


def test_a_turkish_plan(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = (
        "Klinikler aylık ₺900 abonelik ödüyor.\n\n"
        "- **Panel:** İlk aşamada Vercel Hobby (ücretsiz) yeterli.\n"  # commercial product on Hobby
        "- **E-posta:** Resend ücretsiz planı günde 3.000 e-posta gönderiyor.\n"  # 100 a day
        "- **Veritabanı → Neon Launch:** Fiyatlar: CU-saniye başına 0,106 $, GB-ay başına 0,35 $.\n"
    )
    kinds = sorted((e.split(":")[0], e.split(":")[1].strip()) for e in _errors(doc, catalog))
    assert kinds == [("3", "terms"), ("4", "catalog_mismatch"), ("5", "catalog_mismatch")]
    assert any("per hour" in e or "CU-hour" in e for e in _errors(doc, catalog) if e.startswith("5:"))


def test_facts_of_batch_five(catalog) -> None:  # type: ignore[no-untyped-def]
    # WhatsApp billed per conversation, "not per message" negating the other unit
    doc = "WhatsApp (Egypt): Meta bills utility templates per 24-hour conversation, not per message.\n"
    assert any(f.kind == "fee_formula" for f in audit_document(doc, "p.md", catalog).findings)
    # the Supabase account plans' shared word names none of them
    assert _errors("## Supabase (Pro organization, Frankfurt)\n\nOrganization plan: $25/month.\n", catalog) == []
    # the free allowance named beside an instance size is still Fly's retired free allowance
    doc = "Staging runs on Fly's free allowance (3 shared-cpu-1x 256MB machines).\n"
    [w] = [f for f in audit_document(doc, "p.md", catalog).findings if f.severity == "warning"]
    assert "legacy" in w.message
    # an add-on to a stage is not the stage's cost
    stage = "| Stage | Cost |\n|---|---|\n| Stage 3 | $186.01 |\n\nStage 3: add PITR (7 days) for $100/month.\n"
    assert [e for e in _errors(stage, catalog) if "range_mismatch" in e] == []


_SHEET = """=== tab: RATES ===
key,value,unit,comment
resend_pro_overage,{overage},USD per {per} emails,pay-as-you-go
sentry_team,26.00,USD per month,billed annually

=== tab: COSTS ===
stage,component,item,qty,unit_usd,monthly_usd
S1,web,fly shared-cpu-1x 1GB jnb,2,8.73,{web}
S1,email,resend pro,1,20.00,20.00
S1,SUBTOTAL,,,,{s1}

note S1: one web machine in Q1.

S2,web,fly shared-cpu-1x 1GB jnb,3,8.73,26.19
S2,SUBTOTAL,,,,26.19

=== tab: SUMMARY ===
stage,studios,revenue_usd,cost_usd
S1,30,1054.20,{summary}
S2,120,4216.80,26.19
"""


@pytest.mark.parametrize(
    ("overage", "per", "web", "s1", "summary", "wrong"),
    [
        ("0.90", "1,000", "17.46", "37.46", "37.46", []),  # every figure right
        ("0.90", "100", "17.46", "37.46", "37.46", [3]),  # Resend's overage is per 1,000
        ("0.90", "1,000", "19.46", "39.46", "39.46", [8]),  # 2 x 8.73 is 17.46
        ("0.90", "1,000", "17.46", "37.46", "33.46", [19]),  # the summary against the stage's subtotal
    ],
)
def test_a_spreadsheet_pasted_as_comma_separated_values(  # type: ignore[no-untyped-def]
    overage: str, per: str, web: str, s1: str, summary: str, wrong: list[int], catalog
) -> None:
    doc = _SHEET.format(overage=overage, per=per, web=web, s1=s1, summary=summary)
    assert sorted({int(e.split(":")[0]) for e in _errors(doc, catalog)}) == wrong


@pytest.mark.parametrize(
    "line",
    [
        "Supabase Pro is $25 a month for the organization. It comes with $10 of compute credit.",
        "Reads are R2 Class B operations, free up to 10 million a month; 18,000 students on each of 22\n"
        "days is 3,168,000 reads, comfortably inside.",
        "- Etapa 2: plan Team, **US$ 26 al mes**, porque ya seremos tres.",
    ],
)
def test_more_right_figures_that_look_wrong(line: str, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "| Etapa | Etapa 2 |\n|---|---|\n| Total | $143.69 |\n\n" + line + "\n"
    assert _errors(doc, catalog) == []


_NAMED = """> - Monthly infrastructure cost: **Pilot $117.15**, **Seed ${seed}**, **Growth $2,850.71**.

| Stage  | Clinics |
|--------|--------:|
| Pilot  | 40      |
| Seed   | 250     |
| Growth | 1,200   |

| Line item | Pilot    | Seed     | Growth    |
|-----------|---------:|---------:|----------:|
| Fly.io    | $8.52    | $15.46   | $61.80    |
| WhatsApp  | $108.63  | $634.97  | $2,788.91 |
| **Total** | **$117.15** | **$650.43** | **$2,850.71** |

Per clinic: Pilot $2.93, Seed $2.60, Growth $2.38.
"""


@pytest.mark.parametrize(("seed", "wrong"), [("650.43", []), ("560.43", [1])])
def test_stages_named_by_words(seed: str, wrong: list[int], catalog) -> None:  # type: ignore[no-untyped-def]
    # the stage table names the stages; a column per stage totals each; the per-clinic line is no
    # stage's month
    errors = [e for e in _errors(_NAMED.format(seed=seed), catalog) if "range_mismatch" in e]
    assert [int(e.split(":")[0]) for e in errors] == wrong


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("We looked at Brevo as well, but its free plan stops at 300 e-mails a month.", True),  # per day
        ("We looked at Brevo as well: its free plan stops at 300 e-mails a day.", False),
        ("- Brevo Free, con 300 correos al mes.", True),
        ("- Brevo Free, con 300 correos al día.", False),
    ],
)
def test_words_that_make_a_quota(line: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    assert bool(_errors("# Plan\n\n" + line + "\n", catalog)) == wrong


@pytest.mark.parametrize(
    ("line", "wrong"),
    [
        ("Em meticais: USD 38,49 × 64 = 2 263 MT por mês.", True),  # 2,463.36 MT: the rate is in the formula
        ("Em meticais: USD 38,49 × 64 = 2 463 MT por mês.", False),
        ("Receita: 200 grupos × 150 MT = 30 000 MT ≈ USD 468,75 por mês.", False),  # a restatement in USD
    ],
)
def test_amounts_converted_between_currencies(line: str, wrong: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    doc = "Total da fase 1: USD 0,60 por mês (≈ 38 MT).\n\n" + line + "\n"
    assert bool([e for e in _errors(doc, catalog) if "arithmetic" in e]) == wrong


def test_a_volume_priced_by_the_hour_is_a_month_price_in_the_wrong_unit() -> None:
    [rate] = find_unit_prices("Volume do Postgres: 10 GB a $0.15 por GB-hora")
    assert rate.prefixes[0] == "storage_gb" and rate.usd / rate.per_units == pytest.approx(0.15 * 730)
    assert find_unit_prices("RAM $0.000231 per GB-second") == []  # memory: no catalog meter
