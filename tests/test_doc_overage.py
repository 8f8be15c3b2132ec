"""An overage formula that forgets what the plan includes (audit/doc_overage.py, issue 12): Resend
Pro is $20 with 50,000 e-mails included, then $0.90 per 1,000 (catalog resend.yaml); Grafana
Cloud Pro $19 with 50 GB of logs included, then $0.55 per GB."""

from __future__ import annotations

import pytest

from tierplan.audit.doc import audit_document
from tierplan.catalog.loader import load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def overage(text: str, catalog) -> list:  # type: ignore[no-untyped-def,type-arg]
    return [f for f in audit_document(text, "o.md", catalog).findings if "counts all" in f.message]


def test_every_email_counted_as_overage(catalog) -> None:  # type: ignore[no-untyped-def]
    # 84 x 1,000 = 84,000, all of them; beyond 50,000: ceil(34,000 / 1,000) = 34, $20 + $30.60
    [f] = overage(
        "     Resend               $95.60   ~84,000 mails: $20 + 84 x $0.90 overage = $95.60\n", catalog
    )
    assert (f.kind, f.severity, f.line) == ("fee_formula", "error", 1)
    assert f.expected == "$20.00 + 34 x $0.90 = $50.60"
    assert f.catalog == "resend/transactional/pro#emails_per_month" and f.source and f.as_of


@pytest.mark.parametrize(
    "line",
    [
        "- Resend Pro at 84,000 e-mails: $20 + 34 x $0.90 = $50.60.",  # right
        "- Resend Pro at 84,000 e-mails: $20 + (84 - 50) x $0.90 = $50.60.",  # right, written out
        "- Resend at 84,000 e-mails: $90 + 84 x $0.50 = $132.",  # no plan with that fee and rate
        "- Resend Pro: $20 + 84 x $0.90 = $95.60.",  # no usage stated: cannot tell
        "- Grafana Cloud Pro at 120 GB of logs: $19 + 70 x $0.55 = $57.50.",  # right
    ],
)
def test_a_right_or_unknowable_overage_is_left_alone(line: str, catalog) -> None:  # type: ignore[no-untyped-def]
    assert overage(line + "\n", catalog) == []


def test_a_round_up_to_started_blocks(catalog) -> None:  # type: ignore[no-untyped-def]
    # 52 blocks are all 52,000 e-mails; beyond the included 50,000 it is 2,000, 2 blocks
    [f] = overage("- Resend Pro at 52,000 e-mails: $20 + 52 x $0.90 = $66.80.\n", catalog)
    assert f.expected == "$20.00 + 2 x $0.90 = $21.80"
