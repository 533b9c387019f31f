"""How Arabic an article is: `arabic_ratio`, the share of Arabic letters among its letters.

An English article (or a page of code) otherwise loads with nothing to say it is not Arabic
(issue 16). The measure is deliberately simple and cheap, computed on the UTF-8 bytes of a
whole Arrow column at once (a Python loop over every character would cost as much as the
rest of the text core):

- an **Arabic letter** is a letter (Unicode category L, tatweel excepted) of the Arabic blocks
  U+0600–U+06FF and U+0750–U+077F; harakat, digits and punctuation are not letters;
- an **other letter** is an ASCII letter or any other letter of U+0080–U+07FF (Latin with
  accents, Greek, Cyrillic, Hebrew…); letters beyond U+07FF (CJK, …) are not counted;
- `arabic_ratio = arabic / (arabic + other)`, null for a text without letters.

An article is counted as **not Arabic** when its ratio (title and body together, code left
out) is below `NON_ARABIC_BELOW`; on SaudiNewsNet 13 of 31,030 are (benchmarks/RESULTS.md).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence

import numpy as np
import pyarrow as pa

__all__ = ["NON_ARABIC_BELOW", "arabic_ratio", "letter_counts", "ratios"]

#: Below this share of Arabic letters an article counts as not Arabic (runs.non_arabic_articles).
NON_ARABIC_BELOW = 0.5
_CHUNK = 8 << 20  # bytes of UTF-8 classified at once: bounds the temporary arrays


def _pair_table() -> np.ndarray:
    """For every two consecutive bytes: 1 if they start an Arabic letter, 2 if they start
    another letter (an ASCII letter is the first byte alone), else 0."""
    t = np.zeros(1 << 16, np.int8)
    for b in (*range(ord("A"), ord("Z") + 1), *range(ord("a"), ord("z") + 1)):
        t[b << 8 : (b + 1) << 8] = 2
    for b0 in range(0xC2, 0xE0):
        for b1 in range(0x80, 0xC0):
            cp = ((b0 & 0x1F) << 6) | (b1 & 0x3F)
            if not unicodedata.category(chr(cp)).startswith("L") or cp == 0x0640:
                continue
            arabic = 0x0600 <= cp <= 0x06FF or 0x0750 <= cp <= 0x077F
            t[(b0 << 8) | b1] = 1 if arabic else 2
    return t


_TABLE = _pair_table()


def _classes(data: np.ndarray) -> np.ndarray:
    """The class (`_pair_table`) of each byte of `data` with the byte after it."""
    pairs = np.empty(len(data), np.uint16)
    pairs[:] = data
    pairs <<= 8
    pairs[:-1] |= data[1:]
    return _TABLE[pairs]


def letter_counts(arr: pa.StringArray) -> tuple[np.ndarray, np.ndarray]:
    """Arabic letters and other letters of each text of a string array (nulls: 0, 0)."""
    n = len(arr)
    ar, other = np.zeros(n, np.int64), np.zeros(n, np.int64)
    if not n:
        return ar, other
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offs = np.frombuffer(arr.buffers()[1], width)[arr.offset : arr.offset + n + 1].astype(np.int64)
    buf = arr.buffers()[2]
    data = np.frombuffer(buf, np.uint8) if buf is not None else np.zeros(0, np.uint8)
    row = 0
    while row < n:
        # rows [row, end) hold at most _CHUNK bytes (or one longer row)
        end = max(int(np.searchsorted(offs, offs[row] + _CHUNK, "right")) - 1, row + 1)
        end = min(end, n)
        lo, hi = offs[row], offs[end]
        if hi > lo:
            cls = _classes(data[lo:hi])
            starts = offs[row:end] - lo
            nonempty = offs[row + 1 : end + 1] > offs[row:end]
            # two sums of int8 arrays (bool arrays sum several times slower): 1 per Arabic
            # letter + 2 per other letter, and 1 per other letter
            both = np.add.reduceat(cls, starts[nonempty], dtype=np.int32)
            others = np.add.reduceat(cls >> 1, starts[nonempty], dtype=np.int32)
            ar[row:end][nonempty] = both - 2 * others
            other[row:end][nonempty] = others
        row = end
    return ar, other


def ratios(arabic: np.ndarray, other: np.ndarray) -> pa.Array:
    """`arabic / (arabic + other)`, rounded to 4 places; null where there are no letters."""
    total = arabic + other
    with np.errstate(invalid="ignore", divide="ignore"):
        r = np.round(arabic / total, 4)
    return pa.array(r, pa.float64(), mask=total == 0)


def arabic_ratio(text: str) -> float | None:
    """The share of Arabic letters among the letters of one text (module docstring)."""
    a, o = letter_counts(pa.array([text], pa.string()))
    return ratios(a, o)[0].as_py()


def counts_of(texts: Sequence[str | None]) -> tuple[np.ndarray, np.ndarray]:
    """`letter_counts` of Python strings."""
    return letter_counts(pa.array(list(texts), pa.string()))
