"""Issue 12: messaging fee formulas in plan documents (audit/doc_fees.py), checked against the
catalog's WhatsApp Cloud API rates (catalog meta.yaml, tier-1 list rates as of 2026-09-21):
Nigeria marketing $0.0516, utility / authentication / service $0.0067; South Africa marketing
$0.0379, utility $0.0076; Egypt marketing $0.0644, authentication $0.0036. Service messages were
free under the plan that ended on 2026-10-01 (cloud-api-2025) and are charged now."""

from __future__ import annotations

import pytest

from tierplan.audit.doc import audit_document
from tierplan.audit.doc_fees import countries_named, messaging_fees
from tierplan.catalog.loader import load_catalog
from tierplan.report.audit_doc import doc_audit_json, doc_audit_markdown


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def fees(text: str, catalog) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [f for f in audit_document(text, "d.md", catalog).findings if f.kind == "fee_formula"]


def test_the_catalog_rates_the_checks_read(catalog) -> None:  # type: ignore[no-untyped-def]
    [wa] = messaging_fees(catalog)
    assert {(r.category, r.usd) for r in wa.rates("NG")} == {
        ("marketing", 0.0516),
        ("utility", 0.0067),
        ("authentication", 0.0067),
        ("service", 0.0067),
    }
    [ended] = wa.ended_free("service")
    assert ended.ref.plan.id == "cloud-api-2025" and str(ended.ref.plan.unavailable_since) == "2026-10-01"
    assert wa.ended_free("marketing") == []


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("1 200 messages vers des numéros nigérians", {"NG"}),
        ("Au tarif de Meta pour le Nigeria", {"NG"}),
        ("clientes na África do Sul e no Egito", {"ZA", "EG"}),
        ("Kunden in Ägypten", {"EG"}),
        ("pelanggan di Mesir", {"EG"}),
        ("les écoles sénégalaises", {"SN"}),
        ("un partenaire nigérien", {"NE"}),  # Niger, not Nigeria
        ("utility templates, tier 1", set()),
    ],
)
def test_countries_named_in_six_languages(text: str, codes: set[str]) -> None:
    assert countries_named(text) == codes


# -- priced per conversation ----------------------------------------------------------------------


def test_a_code_block_priced_per_conversation(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = (
        "# Plan\n\n## WhatsApp\n\n```\ncountry:  Nigeria (+234)\ncategory: utility\n"
        "rate:     $0.0067 per utility message; marketing would be $0.0516\n"
        "basis:    per 24-hour conversation (all alerts within 24 h = 1 charge)\n"
        "driver:   26 conversations x $0.0067 = $0.1742 / month\n```\n"
    )
    # one finding for the block (line 9), none for the right rates on line 8
    [f] = fees(doc, catalog)
    assert (f.line, f.severity, f.stated) == (9, "warning", "per 24-hour conversation")
    assert f.expected == "per delivered message: Nigeria: $0.0067 per utility message"
    assert f.catalog == "meta/whatsapp-cloud-api/cloud-api#wa_utility_messages_per_month"
    assert f.source and f.source.startswith("https://") and f.as_of == "2026-09-21"


@pytest.mark.parametrize(
    "claim",
    [
        "WhatsApp Cloud API: first 1,000 service conversations/mo are free.",
        "O WhatsApp cobra por conversa de 24 horas: 500 conversas x $0.0067 no Nigéria.",
        "WhatsApp se cobra por conversación: 26 conversaciones × $0.0067 = $0.17 al mes.",
        "WhatsApp : tarif par conversation de 24 heures, 0,0067 $ au Nigeria.",
        "WhatsApp: Preis pro Konversation (24 Stunden), $0.0067.",
        "WhatsApp dihitung per percakapan 24 jam, biaya $0.0067.",
        # in words: two messages in one conversation are billed once
        "WhatsApp: both reminders land in the same 24-hour conversation, so Meta bills the booking once: $0.0076.",
    ],
)
def test_priced_per_conversation_in_any_language(claim: str, catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = fees(claim + "\n", catalog)
    assert f.severity == "warning" and "per conversation" in f.message


@pytest.mark.parametrize(
    "claim",
    [
        "WhatsApp bills per delivered message since July 2025, not per conversation.",
        "Meta moved WhatsApp from per-conversation to per-message pricing.",
        "WhatsApp: each conversation with a driver is logged in the trip history.",  # not a price
        "Nous ne payons plus par conversation WhatsApp depuis juillet 2025 : au lieu de cela, par message.",
    ],
)
def test_conversations_set_aside_or_not_priced(claim: str, catalog) -> None:  # type: ignore[no-untyped-def]
    assert fees(claim + "\n", catalog) == []


# -- another category's rate ----------------------------------------------------------------------


def test_utility_messages_at_the_marketing_rate(catalog) -> None:  # type: ignore[no-untyped-def]
    doc = (
        "# Note\n\n## WhatsApp\n\nLes reçus sont des modèles « utility ». Ses trois campus représentent\n"
        "1 200 messages utility vers des numéros nigérians. Au tarif utility de Meta\n"
        "pour le Nigeria, 1 200 × 0,0516 $ = 61,92 $ par mois, intégrés au budget.\n"
    )
    [f] = fees(doc, catalog)
    # 1,200 x $0.0067 = $8.04, not $61.92: $0.0516 is Nigeria's marketing rate
    assert (f.line, f.severity, f.stated) == (7, "error", "$0.0516")
    assert "marketing rate" in f.message and f.expected == "$0.0067 per utility message (Nigeria)"
    assert f.catalog == "meta/whatsapp-cloud-api/cloud-api#wa_utility_messages_per_month"


@pytest.mark.parametrize(
    ("claim", "severity", "expected"),
    [
        ("WhatsApp utility templates to South Africa cost $0.0379 each.", "error", "$0.0076"),
        ("WhatsApp: mensagens de autenticação para o Egito a US$ 0,0644 cada.", "error", "$0.0036"),
        # none of the catalog's rates: an older or a BSP's price, a warning
        ("WhatsApp utility messages to Nigeria cost $0.0090 each.", "warning", "$0.0067"),
    ],
)
def test_a_rate_that_is_not_its_category_rate(claim: str, severity: str, expected: str, catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = fees(claim + "\n", catalog)
    assert f.severity == severity and f.expected and f.expected.startswith(expected)


@pytest.mark.parametrize(
    "claim",
    [
        "WhatsApp: $0.0067 per utility message in Nigeria; marketing would be $0.0516.",
        "WhatsApp utility and authentication templates in Nigeria: $0.0067.",
        "WhatsApp utility templates to South Africa: about $0.008 each.",  # rounded
        "WhatsApp marketing templates to Senegal: $0.0516 each.",  # a market the catalog does not price
        "WhatsApp marketing in Nigeria and South Africa: $0.0516 and $0.0379.",  # two countries
        "Utility bills in Nigeria run $0.0516 per kWh.",  # not WhatsApp
    ],
)
def test_right_or_unsure_rates_give_no_finding(claim: str, catalog) -> None:  # type: ignore[no-untyped-def]
    assert fees(claim + "\n", catalog) == []


# -- free service messages ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "claim",
    [
        "bot_replies: service messages inside the open window -> free, unlimited",
        "WhatsApp: los mensajes de servicio son gratis.",
        "WhatsApp: Service-Nachrichten sind kostenlos.",
        "WhatsApp : les messages hors modèle restent gratuits pour nos agents.",
    ],
)
def test_free_service_messages_are_the_ended_rule(claim: str, catalog) -> None:  # type: ignore[no-untyped-def]
    [f] = fees("## WhatsApp in Nigeria\n\n" + claim + "\n", catalog)
    assert (f.line, f.severity) == (3, "warning")
    assert "since 2026-10-01" in f.message and "$0.0067 per service message" in (f.expected or "")
    assert f.catalog == "meta/whatsapp-cloud-api/cloud-api#wa_service_messages_per_month"


@pytest.mark.parametrize(
    "claim",
    [
        "Depuis le 1er octobre 2026, Meta facture les messages hors modèle ; un modèle utility dans la "
        "fenêtre n'est plus gratuit.",
        "WhatsApp: incoming messages are free.",
        "WhatsApp: service messages were free until 30 September 2026; now $0.0067 each in Nigeria.",
        "WhatsApp: every message in the 72-hour free entry point window after a click-to-WhatsApp ad is "
        "free, service messages included.",
    ],
)
def test_charged_or_still_free_gives_no_finding(claim: str, catalog) -> None:  # type: ignore[no-untyped-def]
    assert fees("## WhatsApp\n\n" + claim + "\n", catalog) == []


def test_reports_show_the_kind_with_its_catalog_entry(catalog) -> None:  # type: ignore[no-untyped-def]
    a = audit_document("## WhatsApp\n\nWhatsApp: los mensajes de servicio son gratis.\n", "d.md", catalog)
    assert doc_audit_json(a)["summary"]["fee_formula"] == 1
    md = doc_audit_markdown(a)
    assert "## Messaging fees" in md and "cloud-api#wa_service_messages_per_month" in md


PROMOTION = """# Pharmacy plan

### WhatsApp (Meta Cloud API, South Africa, tier-1 list rates)

- Utility template: $0.0076 per message.

```
postgres volume      20 GB x $0.15                                  3.00
wa utility           63,000 x $0.0076                             478.80
```

## Option: monthly specials broadcast

A monthly "this month's specials" WhatsApp to patients who opted in.

- Estimate: 6,000 opted-in patients × {rate} = {total} per broadcast.
"""


def test_a_promotion_priced_at_the_utility_rate_of_the_country_the_document_prices(catalog) -> None:  # type: ignore[no-untyped-def]
    # "specials" in the heading make the broadcast a marketing template; the country is the one the
    # WhatsApp section names (South Africa: marketing $0.0379, utility $0.0076)
    [f] = fees(PROMOTION.format(rate="$0.0076", total="$45.60"), catalog)
    assert (f.severity, f.line, f.stated) == ("error", 16, "$0.0076")
    assert "marketing rate is $0.0379" in f.message
    assert fees(PROMOTION.format(rate="$0.0379", total="$227.40"), catalog) == []
    # the block's GB price is not a message rate, whatever category the block names
    assert all(f.line != 8 for f in fees(PROMOTION.format(rate="$0.0379", total="$227.40"), catalog))
    # two countries in the WhatsApp sections: no country to read the rate for
    two = PROMOTION.replace("South Africa,", "South Africa and Nigeria,")
    assert fees(two.format(rate="$0.0076", total="$45.60"), catalog) == []


def test_a_rate_per_row_of_an_aligned_block(catalog) -> None:  # type: ignore[no-untyped-def]
    # each row of aligned columns is a claim of its own: marketing at Egypt's utility rate
    doc = (
        "A.3  WhatsApp Cloud API (Egypt)\n-------------------------------\n\n"
        "  Stage 3 (60,000 parents)\n"
        "    Utility        60,000 x 4 x $0.0036                =   $864.00\n"
        "    Marketing      60,000 x $0.0036                    =   $216.00\n"
    )
    found = [f for f in fees(doc, catalog) if f.severity == "error"]
    assert [f.line for f in found] == [6] and "marketing" in found[0].message.lower()
