"""The compiled fast path (transforms/fast.py, transforms/_fastnorm.c) equals the Python
definition of the clean and search profiles, text for text, and the transform gives the same
tables with it and without it.

CI sets AKHBAR_REQUIRE_FAST=1, so a build that silently lost the extension fails there instead
of passing on the slower path."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms import batch, fast
from transforms import normalize as nz
from transforms.readers import RawArticle

needs_fast = pytest.mark.skipif(
    not fast.available(),
    reason="transforms._fastnorm is not built (no C compiler at install): pure-Python path only",
)
SHARED = Path(__file__).resolve().parents[2] / "shared"


def test_extension_built_where_required():
    if os.environ.get("AKHBAR_REQUIRE_FAST") != "1":
        pytest.skip("AKHBAR_REQUIRE_FAST is not set (CI sets it)")
    assert fast.available(), "pip install -e . did not build transforms._fastnorm"


def _clean_both(texts: list[str]) -> None:
    want = [nz.normalize(t) for t in texts]
    got, data, offsets = fast.clean_utf8(texts)
    assert got == want
    assert fast.arrow_strings(data, offsets, len(texts)).to_pylist() == want


def _search_both(texts: list[str]) -> None:
    clean = [nz.normalize(t) for t in texts]
    want = [nz.normalize(t, "search") for t in texts]
    data, offsets = fast.search_utf8(clean)
    assert fast.arrow_strings(data, offsets, len(texts)).to_pylist() == want


# Characters the rules are about: every table kind, marks in and out of canonical order,
# composition partners, contextual lowercase, astral code points.
_INTERESTING = [
    *"\r\n\t  #@\uff03\uff20 ابةىأإآيؤئءکیےۀ٠٩۰،؛؟٪٫٬AZaeΣΑİ",
    *"\u064b\u064e\u0650\u0651\u0652\u0653\u0654\u0655\u0670\u06d6\u08f0\u0301\u0316\u0327",
    *"\u0640\u200b\u200c\u200d\u200e\u200f\u061c\u202b\u2067\u2060\u00ad\ufeff",
    *"\x00\x1a\x85\x7f\u00a0\u2000\u2003\u202f\u3000\u2028",
    *"\ufefb\ufdf2\ufdfa\ufdfc\ufe70\ufe71\ufe7c\ufcf2\ufc5e\uff21\u0958\u1100\u1161\u11a8",
    *"\U0001f600\U0001d15e\U00020000",
]
_ANY = st.characters(exclude_categories=["Cs"])  # a lone surrogate cannot be UTF-8
TEXT = st.text(st.one_of(st.sampled_from(_INTERESTING), _ANY), max_size=60)
PROP = settings(max_examples=600, deadline=None)


@needs_fast
@PROP
@given(st.lists(TEXT, max_size=8))
@example(["كتب ـــ #وسم", "كلمة\u200b#وسم", " \u200b#x", "#\u200b@a"])
@example(["شَّدة", "شَّ\u0654", "e\u0301\u0316", "أَ", "\u0651\u064e \u0651\u064e"])
@example(["\ufdfa", "\ufcf2", "\ufe7c\u0651", "\uff03وسم", "ab\r\n\r\n\r\ncd\r"])
@example(["  \n \n a \n\n\n b  ", "", " ", "\n\n"])
# marks out of canonical order: sorted in C, unless the base or a mark decomposes
@example(["ش\u0651\u064e", "ش\u0651\u0651\u064e\u0650 \u0651\u064e", "أ\u0651\u064e"])
@example(["e\u0301\u0316", "\u00e9\u0316", "x\u0344\u0316", "\u0651\u064eب", "a\u200b\u0651\u064e"])
def test_clean_equals_python(texts):
    _clean_both(texts)


@needs_fast
@PROP
@given(st.lists(TEXT, max_size=8))
@example(["ΑΣ x", "İstanbul", "مُحَمَّد", "كلمة ً كلمة", "ً أ", "ABC\n\nً\n\nD"])
def test_search_equals_python(texts):
    _search_both(texts)


@needs_fast
def test_surrogates_raise_like_arrow():
    # The Python path cannot put a lone surrogate in an Arrow array either.
    with pytest.raises(UnicodeEncodeError):
        fast.clean_utf8(["a\ud800b"])


@needs_fast
def test_rejects_non_str():
    with pytest.raises(TypeError, match="row 1"):
        fast.clean_utf8(["a", None])  # type: ignore[list-item]


@needs_fast
def test_unchanged_texts_are_not_copied():
    texts = ["نص نظيف", "a b\n\nc"]
    got, _, _ = fast.clean_utf8(texts)
    assert all(g is t for g, t in zip(got, texts, strict=True))


@needs_fast
def test_real_corpus_equals_python():
    corpus = SHARED / "corpora" / "saudinewsnet"
    if not corpus.exists():
        pytest.skip(f"{corpus} is absent: the real-corpus check needs ../shared")
    from transforms.readers import parse_file

    texts: list[str] = []
    for p in sorted(corpus.rglob("*"))[:3]:
        if p.is_file():
            for a in parse_file(p.name, p.read_bytes()).articles:
                texts += [a.title, a.body]
    assert texts, f"no articles read under {corpus}"
    _clean_both(texts)
    _search_both(texts)


def _records() -> list[RawArticle]:
    bodies = [
        "قال الوزير إنَّ الموازنة ــ الجديدة #التعليم_أولا و#الصحة\r\nتابعونا @akhbar_news",
        "ﷺ \ufefb\u00a0نص\u200fآخر\t\t#وسم ",
        "قال الوزير إنَّ الموازنة ــ الجديدة #التعليم_أولا و#الصحة\r\nتابعونا @akhbar_news",
        "\u200b\u200b",
        "ΣΟΦΙΑ İstanbul شَّدة",
    ]
    titles = ["عنوان ـ", "عنوان آخر", "عنوان ـ", "\u200f", "Σ"]
    return [
        RawArticle("f.jsonl", None, i, t, b, url=f"u{i}")
        for i, (t, b) in enumerate(zip(titles, bodies, strict=True))
    ]


@needs_fast
def test_transform_same_tables_without_extension(monkeypatch):
    day = dt.date(2026, 1, 1)
    with_fast = batch.transform(_records(), day, "r")
    monkeypatch.setattr(fast, "_fastnorm", None)
    without = batch.transform(_records(), day, "r")
    for name in ("articles", "hashtags", "mentions", "rejects"):
        a, b = getattr(with_fast, name), getattr(without, name)
        assert a.combine_chunks().equals(b.combine_chunks()), name
    assert with_fast.articles.num_rows == 3  # one duplicate, one record with no text left
    assert isinstance(with_fast.articles["body_norm"], pa.ChunkedArray)


@needs_fast
def test_long_texts_and_expansions_grow_the_buffers():
    # Buffers start at 64 KB and grow: long rows, rows that expand (one presentation form
    # becomes 18 characters), many rows, and a fallback row among them.
    texts = [
        "\ufdfa" * 20_000,
        "كلمة " * 50_000,
        ("ش\u0651\u064e " * 10_000) + "\U0001f600",
        *(["\ufdfa نص ـ #وسم"] * 5_000),
        "\u0130" * 1000,
    ]
    _clean_both(texts)
    _search_both(texts)
