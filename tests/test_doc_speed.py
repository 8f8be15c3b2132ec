"""The document audit's shortcuts (audit/doc_prefilter.py, issue 12 "Speed") answer what the
plain regex or slice answers, and a 1.2 MB line is audited. How fast is measured by
benchmarks/doc_audit.py (docs/performance.md), not here."""

from __future__ import annotations

import re

import pytest

from tierplan.audit.doc import audit_document
from tierplan.audit.doc_claims import _label_before, quantity_role
from tierplan.audit.doc_prefilter import RefClasses, alias_matches, folded, head, may_match, tail
from tierplan.audit.doc_vocabulary import Vocabulary, _alias_re
from tierplan.catalog.loader import load_catalog


@pytest.fixture(scope="module")
def catalog():  # type: ignore[no-untyped-def]
    return load_catalog()


def spans(ms) -> list[tuple[int, int]]:  # type: ignore[no-untyped-def]
    return [m.span() for m in ms]


@pytest.mark.parametrize(
    ("alias", "text"),
    [
        ("workers paid", "Workers Paid, workers-paid and WORKERS  /  PAID; workerspaid is not"),
        ("aa", "aaaa aa aaa"),  # finditer does not overlap its matches
        ("r2", "Cloudflare R2 (r2.dev), xr2, r22"),
        ("fly.io", "fly.io Fly.IO flyxio"),
        ("s3", "ſ3 and S3"),  # re.I reads the long s as an s: not prefiltered
        ("kv", "\u212aV and kv"),  # the Kelvin sign is a K for re.I
        ("neon", "İneon neon"),
    ],
)
def test_alias_matches_are_finditer(alias: str, text: str) -> None:
    rx = _alias_re(alias)
    assert spans(alias_matches(rx, text, folded(text))) == spans(rx.finditer(text))
    assert may_match(rx, folded(text)) or not rx.search(text)


def test_folded_reads_the_letters_re_reads_as_ascii_as_ascii() -> None:
    # a text with Turkish "İ" is prefiltered too, each position kept (it was refused, and every
    # alias then ran over every position of a long line: issue 12's 1.2 MB line went 6 s -> 54 s)
    assert folded("Neon Launch → $19") == "neon launch → $19"
    for c, ascii_letter in (("ſ", "s"), ("ı", "i"), ("İ", "i"), ("\u212a", "k")):
        assert folded(f"a{c}b") == f"a{ascii_letter}b"
    assert folded("İstanbul Straße") == "istanbul straße"  # as long as the text
    assert not may_match(_alias_re("upstash"), folded("Redis on Render"))
    rx = _alias_re("upstash")
    for text in ("UPSTASH from İstanbul", "upſtash in İzmir", "İ Upstash, ı upstash"):
        low = folded(text)
        assert [m.span() for m in alias_matches(rx, text, low)] == [m.span() for m in rx.finditer(text)]


def test_tail_and_head_hold_every_bounded_match() -> None:
    text = "we expect " + " " * 300 + "about  " + "word " * 200 + "roughly 3"
    end = len(text) - 1
    rx = re.compile(r"\b(?:about|roughly)\b[^\d$]{0,12}$")
    window = tail(text, 0, end, 30)
    assert len(window) < 200
    assert bool(rx.search(window)) == bool(rx.search(text[:end])) is True
    # the window never starts a match that the whole text does not have ("about" inside "xabout")
    assert tail("xabout 1", 0, 7, 30) == "xabout "
    assert head("  free tier", 0, 8) == "  free tier"
    assert head("a b c d e f g h i j", 2, 4).startswith("b c d")


def test_label_before_is_the_search_over_all_that_precedes() -> None:
    rx = re.compile(r"(\w[\w\s]*?)\s*[:=]\s*$")
    for text in (
        "Free tier (x). Storage : 10GB",
        "a: b: 10",
        "(storage): 10",
        "x = 10",
        "Storage\n: 10",
        "10",
    ):
        start = text.rindex("10")
        got, want = _label_before(text, start), rx.search(text[:start])
        assert (got and got.group(1)) == (want and want.group(1)), text


@pytest.mark.parametrize(
    ("text", "role"),
    [
        ("Resend Free: 100 e-mails/day", "limit"),
        ("at 96,000 e-mails a month Resend Pro would need overages", "usage"),
        ("Upstash free tier: 10k commands/day", "limit"),
        ("We send about 3,000 e-mails a month. Resend Free: 100 e-mails/day", "limit"),
    ],
)
def test_quantity_role_reads_the_figure_clause(text: str, role: str) -> None:
    m = list(re.finditer(r"\d[\d,]*\s*(?:k\b)?", text))[-1]
    assert quantity_role(text, m.start(), m.end()) == role


def test_ref_classes_number_equal_plans_alike(catalog) -> None:  # type: ignore[no-untyped-def]
    refs = list(catalog.plans)
    classes = RefClasses(refs)
    assert len({classes.of(r) for r in refs}) == len({r.key for r in refs})
    assert classes.of(refs[3]) == classes.of(refs[3]) != classes.of(refs[4])


def test_providers_in_is_remembered_per_text(catalog) -> None:  # type: ignore[no-untyped-def]
    vocab = Vocabulary(catalog)
    first = vocab.providers_in("Neon Launch and Upstash")
    first.append("changed by the caller")
    assert vocab.providers_in("Neon Launch and Upstash") == ["neon", "upstash"]


def test_a_line_of_a_megabyte_is_audited(catalog) -> None:  # type: ignore[no-untyped-def]
    """One 1.2 MB line (issue 12: it took minutes, growing with the square of its length)."""
    sentence = (
        "Upstash Redis free tier: 10,000 commands/day and 256 MB; Neon Launch costs $25/month "
        "(10 GB storage); at 50,000 requests a day Cloudflare Workers Paid is $5/month. "
    )
    text = sentence * (1_200_000 // len(sentence) + 1)
    a = audit_document(text, "long.md", catalog)
    assert a.lines == 1
    assert {f.line for f in a.findings} == {1}
    assert "catalog_mismatch" in {f.kind for f in a.findings}
