"""Property tests: hostile input never raises. Every file parses to articles and rejects whose
count is the records read; every transform is total on any str."""

from __future__ import annotations

import datetime as dt
import io
import json
import zipfile

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from transforms.batch import transform
from transforms.readers import REASONS, RawArticle, parse_file

FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
EXTS = (".txt", ".json", ".jsonl", ".zip")


def _check(p, name: str) -> None:
    assert p.records_read == len(p.articles) + len(p.rejects), name
    for r in p.rejects:
        assert r.reason in REASONS, r
        assert r.source_file == name
    for a in p.articles:
        assert isinstance(a.title, str) and isinstance(a.body, str)
        assert a.title.strip() or a.body.strip()


@FAST
@given(data=st.binary(max_size=2048), ext=st.sampled_from(EXTS))
def test_arbitrary_bytes_never_raise(data: bytes, ext: str) -> None:
    name = f"2026-10-01/f{ext}"
    _check(parse_file(name, data), name)


_json_value = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=40),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["title", "content", "body", "url", "id", "source", "x"]),
            children,
            max_size=5,
        )
    ),
    max_leaves=12,
)


@FAST
@given(doc=st.lists(_json_value, max_size=6), jsonl=st.booleans(), junk=st.text(max_size=20))
def test_json_shaped_input_never_raises(doc: list, jsonl: bool, junk: str) -> None:
    if jsonl:
        lines = [json.dumps(v, ensure_ascii=False) for v in doc] + [junk]
        name, data = "f.jsonl", "\n".join(lines).encode("utf-8", "surrogatepass")
    else:
        name, data = (
            "f.json",
            (json.dumps(doc, ensure_ascii=False) + junk).encode("utf-8", "surrogatepass"),
        )
    _check(parse_file(name, data), name)


@FAST
@given(
    members=st.dictionaries(
        st.text(alphabet="ab./\\:_-.txjsonl", min_size=1, max_size=16),
        st.binary(max_size=300),
        max_size=5,
    ),
    cut=st.integers(min_value=0, max_value=400),
    flip=st.integers(min_value=0, max_value=400),
)
def test_zips_and_damaged_zips_never_raise(members: dict, cut: int, flip: int) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    data = bytearray(buf.getvalue())
    if data and flip < len(data):
        data[flip] ^= 0xFF  # one damaged byte: bad CRC, bad header or nothing at all
    for blob in (bytes(data), bytes(data[: max(len(data) - cut, 0)])):
        p = parse_file("x.zip", blob, max_member_bytes=200)
        _check(p, "x.zip")
        assert all(".." not in (a.member or "").split("/") for a in p.articles)


@FAST
@given(
    rows=st.lists(
        st.tuples(st.text(max_size=60), st.text(max_size=200), st.booleans()),
        max_size=8,
    )
)
def test_transform_is_total_on_any_text(rows: list[tuple[str, str, bool]]) -> None:
    records = [
        RawArticle("f.jsonl", None, i, t, b, article_id="x" if has_id else None)
        for i, (t, b, has_id) in enumerate(rows)
    ]
    tr = transform(records, dt.date(2026, 10, 1), "run")
    assert tr.articles.num_rows + tr.rejects.num_rows + tr.duplicates == len(records)
    for t, b in zip(tr.articles["title"].to_pylist(), tr.articles["body"].to_pylist(), strict=True):
        assert t or b


_TEXT = st.text(alphabet=st.characters(exclude_categories=("Cs",)), max_size=30)


@FAST
@given(pairs=st.lists(st.tuples(_TEXT, _TEXT), max_size=8), cut=st.integers(0, 3))
def test_content_hashes_from_arrow_buffers_equal_content_hash(
    pairs: list[tuple[str, str]], cut: int
) -> None:
    import pyarrow as pa

    from transforms.batch import content_hash, content_hashes

    titles = pa.array([t for t, _ in pairs], pa.string())
    bodies = pa.array([b for _, b in pairs], pa.string())
    want = [content_hash(t, b) for t, b in pairs]
    assert content_hashes(titles, bodies) == want
    # a sliced array (non-zero offset) reads the right bytes too
    assert content_hashes(titles[cut:], bodies[cut:]) == want[cut:]
