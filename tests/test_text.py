"""transforms/text.py, the column path of the pipeline and the library: ``normalize_batch`` and
``process_column`` equal ``normalize`` and the extractors text for text, on lists and on Arrow
columns (nulls, slices with offsets, large_string, chunks, slices of the column longer than
SLICE_BYTES), on the compiled path and without it."""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms import article_text, batch, fast, text
from transforms.extract import extract_hashtags, extract_mentions
from transforms.normalize import normalize, normalize_batch
from transforms.text import SCHEMA, process_column

# Characters the rules are about (every kind of the compiled tables, signs, URLs, joiners),
# among any others; no lone surrogates (Arrow holds UTF-8).
_INTERESTING = [
    *"\r\n\t  #@\uff03\uff20 ابةىأإآيؤئءکیےۀ٠٩۰،؛؟٪٫٬AZaeΣΑİ_./!:",
    *"\u064b\u064e\u0651\u0670\u06d6\u0301\u0640\u200b\u200c\u200d\u200f\u00ad\ufeff\x00",
    *"\ufefb\ufdf2\ufdfc\ufe70\uff21\U0001f600\ufe0f",
    "#وسم",
    "و#وسم",
    "من# روسيا",
    "@user",
    "http://t.co/a!",
    "x.com/#",
]
_TEXT = st.lists(
    st.one_of(st.sampled_from(_INTERESTING), st.characters(exclude_categories=["Cs"])),
    max_size=40,
).map("".join)
_TEXTS = st.lists(st.one_of(st.none(), _TEXT), max_size=12)
PROP = settings(max_examples=200, deadline=None)


def _expected(texts: list[str | None], strict: bool = False) -> list[dict | None]:
    rows: list[dict | None] = []
    for t in texts:
        if t is None:
            rows.append({"clean": None, "search": None, "hashtags": None, "mentions": None})
            continue
        c = normalize(t)
        ents = [extract_hashtags(c, strict=strict), extract_mentions(c, strict=strict)]
        rows.append(
            {
                "clean": c,
                "search": normalize(t, "search"),
                "hashtags": [e._asdict() for e in ents[0]],
                "mentions": [e._asdict() for e in ents[1]],
            }
        )
    return rows


def _arrow(texts: list[str | None], typ: pa.DataType, pad: int) -> pa.Array:
    """``texts`` as an Arrow array that is a slice (offset ``pad``) of a longer one."""
    filler = ["#قبل", None, "بعد @x"]
    whole = pa.array(filler[:pad] + texts + filler[:pad], typ)
    return whole.slice(pad, len(texts))


@PROP
@given(_TEXTS, st.sampled_from([pa.string(), pa.large_string()]), st.integers(0, 3))
@example(["#a", None, ""], pa.string(), 1)
def test_normalize_batch_on_arrow_equals_normalize(texts, typ, pad):
    arr = _arrow(texts, typ, pad)
    for profile in ("clean", "search"):
        got = normalize_batch(arr, profile)
        assert got.type == typ
        want = [None if t is None else normalize(t, profile) for t in texts]
        assert got.to_pylist() == want
        assert normalize_batch(texts, profile) == want


@PROP
@given(st.lists(_TEXTS, min_size=1, max_size=4))
def test_normalize_batch_on_chunks_keeps_the_chunks(chunks):
    arr = pa.chunked_array([pa.array(c, pa.string()) for c in chunks], pa.string())
    got = normalize_batch(arr, "search")
    assert isinstance(got, pa.ChunkedArray)
    assert [len(c) for c in got.chunks] == [len(c) for c in chunks]
    flat = [t for c in chunks for t in c]
    assert got.to_pylist() == [None if t is None else normalize(t, "search") for t in flat]


@PROP
@given(_TEXTS, st.integers(0, 3), st.booleans())
@example(["و#حفتر من# روسيا @a", None, "http://t.co/x!!#وسم"], 2, False)
def test_process_column_equals_the_scalar_functions(texts, pad, strict):
    want = _expected(texts, strict)
    for given_texts in (texts, _arrow(texts, pa.large_string(), pad)):
        got = process_column(given_texts, strict=strict)
        assert got.schema == SCHEMA
        assert got.to_pylist() == want


def test_lone_surrogates_in_lists_stay_in_place():
    # normalize is total on every str; Arrow (UTF-8) cannot hold a lone surrogate, so a list
    # holding one takes the Python functions.
    texts = ["a\ud800 ـ b", None, "ة"]
    for profile in ("clean", "search"):
        want = [None if t is None else normalize(t, profile) for t in texts]
        assert normalize_batch(texts, profile) == want
    assert normalize_batch(iter(texts), "clean")[0] == "a\ud800 b"


def test_process_column_without_the_compiled_path(monkeypatch):
    texts = ["قال #الرياض_اليوم ﷺ", None, "تابعوا @spagov\u200f#وسم", "", "ﻻ\r\n\r\n\r\nx"]
    with_fast = process_column(texts)
    monkeypatch.setattr(fast, "_fastnorm", None)
    without = process_column(texts)
    assert without.equals(with_fast)
    assert without.to_pylist() == _expected(texts)


def test_long_columns_are_processed_in_slices(monkeypatch):
    # 100-byte slices: a column of 200 texts (one longer than a slice) in many pieces.
    monkeypatch.setattr(text, "SLICE_BYTES", 100)
    texts = [f"خبر {i} #وسم_{i} ـ" if i % 7 else None for i in range(200)]
    texts[50] = "كلمة " * 100
    arr = pa.array(texts, pa.string())
    assert len(list(text.arrow_pieces(arr))) > 20
    assert process_column(arr).to_pylist() == _expected(texts)
    assert normalize_batch(arr, "search").to_pylist() == normalize_batch(texts, "search")


def test_empty_columns():
    for empty in ([], pa.array([], pa.string()), pa.chunked_array([], pa.string())):
        assert process_column(empty).num_rows == 0
    assert normalize_batch(pa.array([], pa.large_string()), "clean").type == pa.large_string()


def test_compiled_path_serves_arrow_input(monkeypatch):
    if not fast.available():
        pytest.skip("transforms._fastnorm is not built: the Python functions serve instead")
    calls = []
    real = fast.clean_utf8

    def counting(texts: list[str]):
        calls.append(len(texts))
        return real(texts)

    monkeypatch.setattr(fast, "clean_utf8", counting)
    normalize_batch(pa.array(["أَ", None, "ب"]), "search")
    process_column(pa.chunked_array([["#ا"], ["ب"]]))
    assert calls == [3, 1, 1]


def test_pipeline_and_library_share_the_column_path():
    # transforms.batch runs these very functions on every title and body (search through
    # transforms.article_text, on the text without its code).
    assert batch._clean_column is text.clean_column
    assert article_text.search_column is text.search_column


@pytest.mark.parametrize("bad", ["نص", pa.array([1, 2]), pa.array([b"x"], pa.binary())])
def test_rejects_what_is_not_a_column_of_text(bad):
    with pytest.raises(TypeError):
        process_column(bad)
    with pytest.raises(TypeError):
        normalize_batch(bad, "clean")
