"""The compiled fast path of ``normalize``'s clean and search profiles, for whole batches.

``transforms/_fastnorm.c`` runs each text through the clean (or search) steps in one loop over
per-code-point tables and writes the result as UTF-8 with Arrow offsets, ready for a string
array. The tables are built here, once per process, from ``transforms.normalize``'s own tables
and the probes of ``transforms.unicode_tables`` (shared with the SQL macro): the Python
functions stay the definition. A text the tables cannot settle
(a character flagged below, or marks out of canonical order next to a character that
decomposes) goes, whole, to the Python function, so the result is the same as ``normalize``
on every text (tested).

The extension is built at install when a C compiler is there; without it ``available()`` is
False and the callers use the Python functions (same results, about 2x slower to transform).
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

from transforms import normalize as nz
from transforms.unicode_tables import composition_seconds, is_surrogate, nfc_suspect, nfc_unstable

try:
    from transforms import _fastnorm
except ImportError:  # no C compiler at install time: the pure-Python path is used
    _fastnorm = None

# Kinds of the clean table (as in _fastnorm.c).
K_KEEP, K_DELETE, K_SPACE, K_NEWLINE, K_CR, K_COMPAT, K_FLAG, K_SIGN = range(8)
# Search table values that are not code points.
S_DELETE, S_FLAG = 0xFFFFFFFF, 0xFFFFFFFE
BMP = 0x10000  # the tables cover the BMP; a text with any other code point takes the fallback


def available() -> bool:
    return _fastnorm is not None


@functools.cache
def clean_tables() -> tuple[bytes, bytes, bytes, dict[int, str]]:
    """(kind, canonical combining class, has a canonical decomposition, compat expansions) of
    each BMP code point."""
    seconds = composition_seconds()
    kind = bytearray(BMP)
    ccc = bytearray(BMP)
    dec = bytearray(BMP)
    for cp in range(BMP):
        if is_surrogate(cp):
            kind[cp] = K_FLAG
            continue
        c = chr(cp)
        ccc[cp] = unicodedata.combining(c)
        d = unicodedata.decomposition(c)
        dec[cp] = bool(d) and not d.startswith("<")
        # Not NFC on its own, or may compose with what precedes it: NFC could change the text.
        # (A nonzero combining class alone is settled in C, from the ccc table.)
        if nfc_unstable(c, seconds):
            kind[cp] = K_FLAG
    # Later steps win over the NFC flag: these characters are gone or replaced before NFC.
    for c in nz.SPACE_CHARS:
        kind[ord(c)] = K_SPACE
    for c in nz.DELETE_CHARS:
        kind[ord(c)] = K_DELETE
    for c in nz.COMPAT_MAP:
        kind[ord(c)] = K_COMPAT
    kind[ord("\n")] = K_NEWLINE
    kind[ord("\r")] = K_CR
    for c in "#@":  # the full-width signs are compat characters that become these
        kind[ord(c)] = K_SIGN
    compat = {ord(k): v for k, v in nz.COMPAT_MAP.items()}
    return bytes(kind), bytes(ccc), bytes(dec), compat


@functools.cache
def search_table() -> bytes:
    """For each BMP code point of a clean text: what the search steps make of it (deleted, one
    code point, or flagged for the Python function)."""
    import array

    seconds = composition_seconds()
    table = array.array("I", [S_FLAG]) * BMP
    for cp in range(BMP):
        if is_surrogate(cp):
            continue
        c = chr(cp)
        m = nz.SEARCH_MAP.get(c, c)
        if not m:
            table[cp] = S_DELETE
            continue
        low = m.lower()
        # Final_Sigma makes U+03A3's lowercase depend on its neighbours.
        if len(low) != 1 or cp == 0x03A3 or nfc_suspect(c, seconds) or nfc_suspect(low, seconds):
            continue
        table[cp] = ord(low)
    assert table.itemsize == 4
    return table.tobytes()


def warm() -> None:
    """Build the tables now (0.2 s): a worker's fork server does it once for all workers."""
    if available():
        clean_tables()
        search_table()


def clean_utf8(texts: list[str]) -> tuple[list[str], bytes, bytes]:
    """``normalize(t)`` of each text, as a list of ``str`` and as the UTF-8 data and int32
    offsets of an Arrow string array. Needs ``available()``."""
    assert _fastnorm is not None
    return _fastnorm.clean_batch(texts, *clean_tables(), nz._clean)


def search_utf8(clean_texts: list[str]) -> tuple[bytes, bytes]:
    """``normalize(t, "search")`` of each clean text (``normalize(t) == t``), as the UTF-8 data
    and int32 offsets of an Arrow string array. Needs ``available()``."""
    assert _fastnorm is not None
    return _fastnorm.search_batch(clean_texts, search_table(), nz._search_from_clean)


def arrow_strings(data: bytes, offsets: bytes, n: int) -> Any:
    import pyarrow as pa

    return pa.StringArray.from_buffers(n, pa.py_buffer(offsets), pa.py_buffer(data))
