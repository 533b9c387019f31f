"""Entity extraction quality on ANERcorp's train file (../shared/corpora/anercorp), split
into FIT (first 80% of sentences) and DEV (the rest): names and ambiguous words are mined from
FIT only, and DEV is scored by exact token span and type (tests/anercorp.py). The floors are
the DEV figures the matcher reaches (benchmarks/RESULTS.md, "Entities"), rounded down a
little so that a small change of the shipped gazetteer does not break the suite."""

from __future__ import annotations

import pytest

from tests import anercorp as A
from tests.conftest import shared_path

#: (type or None for micro overall) -> (minimum precision, minimum F1) on DEV. Measured at
#: the end of session 4: PER 81.9/63.8, LOC 86.5/87.0, ORG 78.4/63.1, overall 83.1/72.9. The
#: issue's F1 targets (PER 55, LOC 85, ORG 60, overall 68) are all at or below these floors.
FLOORS = {
    "PER": (80.5, 62.0),
    "LOC": (85.0, 86.0),
    "ORG": (77.0, 61.5),
    None: (82.0, 71.5),
}


@pytest.fixture(scope="module")
def dev_score() -> A.Score:
    sents = A.read_sentences(shared_path("corpora", "anercorp", "train.txt"))
    fit, dev = A.split(sents)
    matcher = A.matcher_with(*A.mine_docs(A.documents(fit)))
    return A.score(A.documents(dev), matcher.extract_batch)[0]


@pytest.mark.parametrize("typ", ["PER", "LOC", "ORG", None])
def test_dev_quality_floor(dev_score: A.Score, typ: str | None) -> None:
    p, r, f = dev_score.prf(typ)
    want_p, want_f = FLOORS[typ]
    assert p >= want_p and f >= want_f, f"{typ or 'overall'}: P {p:.1f} R {r:.1f} F1 {f:.1f}"


def test_split_is_deterministic_and_disjoint() -> None:
    sents = A.read_sentences(shared_path("corpora", "anercorp", "train.txt"))
    fit, dev = A.split(sents)
    assert len(fit) + len(dev) == len(sents) and len(fit) == int(0.8 * len(sents))
    assert fit[-1] is sents[len(fit) - 1] and dev[0] is sents[len(fit)]


def test_scoring_counts_exact_token_spans() -> None:
    doc = A.documents([[("ولبنان", "B-LOC"), ("و", "O"), ("خليفة", "B-PERS"), ("حفتر", "I-PERS")]])[
        0
    ]
    assert doc.gold == {(0, 1, "LOC"), (2, 4, "PER")}

    class M:
        def __init__(self, start: int, end: int, typ: str, rule: str = "gazetteer") -> None:
            self.start, self.end, self.type, self.rule = start, end, typ, rule

    text = doc.text  # "ولبنان و خليفة حفتر"
    pred = A.predicted_spans(doc, [M(1, 6, "LOC"), M(text.index("حفتر"), len(text), "PER")])
    assert pred == {(0, 1, "LOC"), (3, 4, "PER")}  # the clitic-less span covers the token
    assert A.predicted_spans(doc, [M(1, 6, "LOC", "nisba")]) == set()
