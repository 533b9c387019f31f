"""A set of content hashes (16 hex digits, see batch.content_hash) in 8 bytes each.

The dedup of a run keeps every content hash ever loaded. As a Python ``set`` of ``str`` that is
about 90 bytes an article: 90 MB at a million articles, the largest thing that grew with the
corpus in a run's memory. Here the hashes live in a sorted NumPy array of ``uint64`` and only
the recent additions in a small ``set``, merged into the array every ``MERGE_EVERY`` additions.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

MERGE_EVERY = 65_536
_HEX = frozenset("0123456789abcdef")
# ASCII byte -> its value as a lowercase hex digit, 255 for anything else.
_NIBBLE = np.full(256, 255, dtype=np.uint8)
for _i, _c in enumerate(b"0123456789abcdef"):
    _NIBBLE[_c] = _i


def _sorted_unique(a: np.ndarray) -> np.ndarray:
    """``np.unique`` of a uint64 array: sorted, without repeats. (NumPy 2.4's ``np.unique``
    costs tens of times a sort and a mask: benchmarks/RESULTS.md, session 3.)"""
    a = np.sort(a)
    if len(a) < 2:
        return a
    keep = np.empty(len(a), dtype=bool)
    keep[0] = True
    np.not_equal(a[1:], a[:-1], out=keep[1:])
    return a[keep]


def _as_int(h: str) -> int | None:
    """The hash as an integer; None for a string that is not a content hash (an article id
    taken from a file name, say), which is then never in the set."""
    if len(h) != 16 or not _HEX.issuperset(h):
        return None
    return int(h, 16)


class HashSet:
    """``in``, ``add`` and ``len`` of a ``set[str]`` of content hashes, in 8 bytes a hash.
    Strings that are not 16 lowercase hex digits can be added (kept as they are) and looked up."""

    def __init__(self, hashes: Iterable[str] = ()) -> None:
        self._recent: set[str] = set()
        self._other: set[str] = set()  # added strings that are not content hashes
        ints = []
        for h in hashes:
            v = _as_int(h)
            if v is None:
                self._other.add(h)
            else:
                ints.append(v)
        self._sorted = _sorted_unique(np.array(ints, dtype=np.uint64))

    @classmethod
    def from_arrow(cls, arr: Any) -> HashSet:
        """From a pyarrow string array (or chunked array) without nulls: the hex digits are
        decoded from its buffer at once when every value is 16 lowercase hex digits, not
        through one Python string per value (every run does this over the whole lake)."""
        import pyarrow as pa  # local: the module stays importable without pyarrow

        if isinstance(arr, pa.ChunkedArray):
            arr = arr.combine_chunks() if arr.num_chunks else pa.array([], pa.string())
        n = len(arr)
        out = cls()
        if not n:
            return out
        _validity, offsets, data = arr.buffers()
        offs = np.frombuffer(offsets, dtype=np.int32)[arr.offset : arr.offset + n + 1]
        if arr.null_count == 0 and offs[-1] - offs[0] == 16 * n and (np.diff(offs) == 16).all():
            raw = np.frombuffer(data, dtype=np.uint8)[offs[0] : offs[-1]].reshape(n, 16)
            nib = _NIBBLE[raw]
            if (nib < 16).all():
                packed = np.ascontiguousarray((nib[:, 0::2] << 4) | nib[:, 1::2])  # n x 8 bytes
                out._sorted = _sorted_unique(packed.view(">u8").ravel().astype(np.uint64))
                return out
        return cls(arr.to_pylist())

    def __contains__(self, h: object) -> bool:
        if not isinstance(h, str):
            return False
        if h in self._recent:
            return True
        v = _as_int(h)
        if v is None:
            return h in self._other
        arr = self._sorted
        if not len(arr):
            return False
        i = int(np.searchsorted(arr, np.uint64(v)))
        return i < len(arr) and int(arr[i]) == v

    def contains_many(self, hashes: list[str]) -> list[bool]:
        """``[h in self for h in hashes]``, with one vectorized search of the array instead of
        one NumPy call per hash (a scalar NumPy call costs microseconds: at a million
        articles that is most of the dedup)."""
        ints = [_as_int(h) for h in hashes]
        arr = self._sorted
        if len(arr):
            keys = np.array([v if v is not None else 0 for v in ints], dtype=np.uint64)
            pos = np.minimum(np.searchsorted(arr, keys), len(arr) - 1)
            in_arr = (arr[pos] == keys).tolist()
        else:
            in_arr = [False] * len(hashes)
        recent, other = self._recent, self._other
        return [
            (v is not None and (a or h in recent)) or (v is None and h in other)
            for h, v, a in zip(hashes, ints, in_arr, strict=True)
        ]

    def add(self, h: str) -> None:
        if _as_int(h) is None:
            self._other.add(h)
            return
        self._recent.add(h)  # (if the array has it already, the merge drops it)
        if len(self._recent) >= MERGE_EVERY:
            self._merge()

    def _merge(self) -> None:
        new = _sorted_unique(np.array([int(h, 16) for h in self._recent], dtype=np.uint64))
        arr = self._sorted
        if len(arr):
            pos = np.minimum(np.searchsorted(arr, new), len(arr) - 1)
            new = new[arr[pos] != new]
        # Both parts are sorted runs: a stable sort (timsort) merges them in linear time.
        self._sorted = np.sort(np.concatenate([arr, new]), kind="stable")
        self._recent.clear()

    def __len__(self) -> int:
        if self._recent:
            self._merge()  # (a hash can be in both until then)
        return len(self._sorted) + len(self._other)
