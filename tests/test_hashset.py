"""transforms.hashset.HashSet behaves as a set[str] of content hashes (checked against a real
set over random operations, across merges of its recent additions)."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms import hashset
from transforms.batch import content_hash
from transforms.hashset import HashSet

HASH = st.integers(0, 2**64 - 1).map(lambda v: f"{v:016x}")
OTHER = st.sampled_from(["023_8fbcfbf3f7002272", "ABCDEF0123456789", "", "xyz", "0" * 15])
KEY = st.one_of(HASH, OTHER, st.sampled_from(["0" * 16, "f" * 16, "0123456789abcdef"]))


@settings(max_examples=300, deadline=None)
@given(st.lists(KEY, max_size=30), st.lists(st.tuples(st.booleans(), KEY), max_size=80))
def test_behaves_like_a_set(initial, ops) -> None:
    hashset.MERGE_EVERY = 4  # merge often: the sorted array is exercised, not just the set
    try:
        model, hs = set(initial), HashSet(initial)
        for add, key in ops:
            if add:
                model.add(key)
                hs.add(key)
            assert (key in hs) == (key in model)
        for key in [*initial, *(k for add, k in ops if add)]:
            assert key in hs
        probe = [k for _, k in ops] + [*initial, "0" * 16, "nope"]
        assert hs.contains_many(probe) == [k in model for k in probe]
        assert len(hs) == len(model)  # (merges what is recent)
        assert hs.contains_many(probe) == [k in model for k in probe]
    finally:
        hashset.MERGE_EVERY = 65_536


def test_real_hashes_and_memory() -> None:
    hashes = [content_hash(f"t{i}", "b") for i in range(50_000)]
    hs = HashSet(hashes[:25_000])
    for h in hashes[25_000:]:
        hs.add(h)
    assert all(h in hs for h in hashes[::97])
    assert content_hash("not", "there") not in hs
    assert len(hs) == 50_000
    assert hs._sorted.nbytes <= 8 * 50_000  # 8 bytes a hash once merged
    assert 1 not in hs  # not a str


@settings(max_examples=100, deadline=None)
@given(st.lists(KEY, max_size=40), st.integers(0, 5), st.integers(1, 3))
def test_from_arrow_equals_from_strings(keys, cut, chunks) -> None:
    import pyarrow as pa

    arr = pa.array(keys, pa.string()).slice(min(cut, len(keys)))
    step = max(1, len(arr) // chunks)
    chunked = pa.chunked_array(
        [arr.slice(i, step) for i in range(0, len(arr), step)] or [arr], type=pa.string()
    )
    want = HashSet(arr.to_pylist())
    for got in (HashSet.from_arrow(arr), HashSet.from_arrow(chunked)):
        assert list(got._sorted) == list(want._sorted)
        assert got._other == want._other
        assert got.contains_many(keys) == want.contains_many(keys)
