"""Recall and false findings of `tierplan audit --doc` over the corpus of plan documents it was not
written against (issue 12): tests/data/doc_corpus/NAME.{md,txt} with NAME.answers.yaml, each
answer file written before the audit ran on its document and never edited to match its output.

An answer (a planted error: line, kind, claim) is found when a finding of severity error or
warning, other than "could not be read", names the same line or an adjacent one (a wrapped claim
spans two). A false finding is an error-severity finding on a line no answer names (within one).
Used by tests/test_doc_corpus.py and by `python -m tests.doc_corpus`, which prints the figures.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from tierplan.audit.doc import DocFinding, audit_document, read_document
from tierplan.catalog.loader import Catalog, load_catalog

CORPUS = Path(__file__).parent / "data" / "doc_corpus"
#: documents written after the audit's issue-12 work, scored as they came (docs/audit.md); the
#: audit is not tuned against them
HOLDOUT = Path(__file__).parent / "data" / "doc_holdout"

#: the kinds of planted errors (issue 12's list)
ERROR_KINDS = (
    "arithmetic",
    "inconsistent_total",
    "wrong_limit",
    "wrong_unit_rate",
    "outdated_plan",
    "terms",
    "latency",
    "fee_formula",
)

#: findings that say the audit could not read something are not answers to a planted error
NOT_AN_ANSWER = ("unparsed",)


@dataclass(frozen=True)
class Answer:
    document: str
    id: int
    line: int
    kind: str
    claim: str


@dataclass
class DocumentScore:
    document: str
    control: bool
    answers: list[Answer]
    found: list[Answer] = field(default_factory=list)
    missed: list[Answer] = field(default_factory=list)
    false_findings: list[DocFinding] = field(default_factory=list)


@dataclass
class CorpusScore:
    documents: list[DocumentScore]

    @property
    def answers(self) -> int:
        return sum(len(d.answers) for d in self.documents)

    @property
    def found(self) -> int:
        return sum(len(d.found) for d in self.documents)

    @property
    def recall(self) -> float:
        return self.found / self.answers if self.answers else 1.0

    @property
    def false_findings(self) -> int:
        return sum(len(d.false_findings) for d in self.documents)

    @property
    def control_errors(self) -> int:
        return sum(len(d.false_findings) for d in self.documents if d.control)

    def by_kind(self) -> dict[str, tuple[int, int]]:
        """{kind: (found, planted)} over the corpus."""
        out: dict[str, tuple[int, int]] = {}
        for d in self.documents:
            for a in d.answers:
                f, n = out.get(a.kind, (0, 0))
                out[a.kind] = (f + (a in d.found), n + 1)
        return out


def load_answers(path: Path) -> tuple[str, bool, list[Answer]]:
    """(document file name, control?, planted errors) of one answers file; a malformed file is a
    test failure naming it, not a silent zero."""
    data: dict[str, Any] = yaml.safe_load(path.read_text())
    doc = str(data["document"])
    if not (path.parent / doc).is_file():
        raise ValueError(f"{path.name}: document {doc} is not in {path.parent.name}/")
    answers = []
    for e in data.get("errors") or []:
        if e["kind"] not in ERROR_KINDS:
            raise ValueError(f"{path.name}: error {e['id']}: unknown kind {e['kind']!r}")
        answers.append(Answer(doc, int(e["id"]), int(e["line"]), str(e["kind"]), str(e["claim"])))
    control = bool(data.get("control", False))
    if control and answers:
        raise ValueError(f"{path.name}: a control lists errors")
    return doc, control, answers


def score_document(
    doc: str, control: bool, answers: list[Answer], catalog: Catalog, directory: Path = CORPUS
) -> DocumentScore:
    path = directory / doc
    audit = audit_document(read_document(path), str(path), catalog)
    shown = [f for f in audit.findings if f.severity in ("error", "warning") and f.kind not in NOT_AN_ANSWER]
    score = DocumentScore(doc, control, answers)
    for a in answers:
        (score.found if any(abs(f.line - a.line) <= 1 for f in shown) else score.missed).append(a)
    lines = {a.line for a in answers}
    score.false_findings = [
        f for f in audit.findings if f.severity == "error" and not any(abs(f.line - x) <= 1 for x in lines)
    ]
    return score


def score_corpus(catalog: Catalog | None = None, directory: Path = CORPUS) -> CorpusScore:
    catalog = catalog or load_catalog()
    docs = []
    for path in sorted(directory.glob("*.answers.yaml")):
        doc, control, answers = load_answers(path)
        docs.append(score_document(doc, control, answers, catalog, directory))
    return CorpusScore(docs)


def report(score: CorpusScore) -> str:
    """The figures, as the test prints them and docs/audit.md quotes them."""
    lines = [
        f"corpus: {len(score.documents)} documents "
        f"({sum(d.control for d in score.documents)} controls), {score.answers} planted errors",
        f"recall: {score.found}/{score.answers} = {score.recall:.2f}",
        f"false error findings: {score.false_findings} ({score.control_errors} on controls)",
    ]
    for kind, (found, planted) in sorted(score.by_kind().items()):
        lines.append(f"  {kind}: {found}/{planted}")
    for d in score.documents:
        for a in d.missed:
            lines.append(f"  missed {d.document}:{a.line} {a.kind}: {a.claim}")
        for f in d.false_findings:
            lines.append(f"  false {d.document}:{f.line} {f.kind}: {f.message[:100]}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    # python -m tests.doc_corpus [--holdout | DIRECTORY]: another set of documents and answers
    args = sys.argv[1:]
    directory = HOLDOUT if args == ["--holdout"] else Path(args[0]) if args else CORPUS
    print(report(score_corpus(directory=directory)))
