"""The warehouse build's carried rows (flows/build.py): a copy holding only themselves."""

from __future__ import annotations

import pyarrow as pa

from flows.build_worker import _compact


def _buffer_bytes(t: pa.Table) -> int:
    return sum(b.size for c in t.columns for ch in c.chunks for b in ch.buffers() if b)


def test_carried_rows_keep_only_their_own_buffers() -> None:
    whole = pa.table({"n": pa.array(range(200_000)), "s": [f"row {i}" for i in range(200_000)]})
    rest = whole.slice(199_000)  # the rows left after an insert of whole row groups
    carried = _compact(rest)
    assert carried.equals(rest)
    # combine_chunks() of a one-chunk slice is the slice: it keeps the whole part alive
    assert _buffer_bytes(rest.combine_chunks()) == _buffer_bytes(whole)
    assert _buffer_bytes(carried) < _buffer_bytes(whole) / 100
