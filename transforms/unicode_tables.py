"""Unicode probes shared by the SQL macro generator (``transforms.ar_norm_sql``) and the tables
of the compiled fast path (``transforms.fast``): which code points are worth scanning, which are
surrogates, and which characters NFC may change or compose with what precedes them.

One definition each, so that the SQL macro and the C tables decide alike which texts need NFC.
Built from ``unicodedata`` only; both callers probe once and cache what they build.
"""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Iterable, Iterator

#: Lone surrogates: not characters (normalize leaves them in place, UTF-8 cannot hold them).
SURROGATES = range(0xD800, 0xE000)

# Outside these ranges Unicode 14 has only unassigned (Cn) and private-use (Co) code points,
# which have no case, no combining class and no decomposition: the probes skip them
# (tests/test_unicode_tables.py checks the claim), which makes rendering the macro four times
# faster.
SCAN_RANGES = (
    range(0x0000, SURROGATES.start),
    range(SURROGATES.stop, 0x40000),
    range(0xE0000, 0xE1000),
)

# Unicode 14 has canonical decompositions in planes 0-2 only: the composition scan stops there
# (a fifth of the code points; tests/test_unicode_tables.py checks the claim against a full
# scan).
DECOMPOSITION_PLANES = range(0x30000)

# Hangul vowel (V) and trailing consonant (T) jamo: they compose with the syllable or jamo before
# them algorithmically, not through a decomposition mapping.
_HANGUL_V = range(0x1161, 0x1176)
_HANGUL_T = range(0x11A8, 0x11C3)


def is_surrogate(cp: int) -> bool:
    return cp in SURROGATES


def code_points() -> Iterator[str]:
    """Every code point of SCAN_RANGES, as a one-character string."""
    for r in SCAN_RANGES:
        for cp in r:
            yield chr(cp)


def code_point_ranges(chars: Iterable[str]) -> list[tuple[int, int]]:
    """The code points of ``chars`` as sorted, merged inclusive ranges (for character classes)."""
    cps = sorted({ord(c) for c in chars})
    out: list[tuple[int, int]] = []
    for cp in cps:
        if out and out[-1][1] == cp - 1:
            out[-1] = (out[-1][0], cp)
        else:
            out.append((cp, cp))
    return out


@functools.cache
def composition_seconds(points: range = DECOMPOSITION_PLANES) -> frozenset[int]:
    """Code points that can be the second of a canonical pair (or a Hangul V/T jamo): after
    one, NFC may compose."""
    out = {*_HANGUL_V, *_HANGUL_T}
    for cp in points:
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                out.add(int(parts[1], 16))
    return frozenset(out)


def nfc_unstable(c: str, seconds: frozenset[int] | None = None) -> bool:
    """Is ``c`` not NFC on its own, or may it compose with what precedes it? (NFC could then
    change a text around it.) ``seconds``: composition_seconds(), when the caller holds it."""
    if seconds is None:
        seconds = composition_seconds()
    return ord(c) in seconds or not unicodedata.is_normalized("NFC", c)


def nfc_suspect(c: str, seconds: frozenset[int] | None = None) -> bool:
    """``nfc_unstable``, or a nonzero combining class (NFC may reorder it with its neighbours):
    a text with none of these is NFC."""
    if seconds is None:
        seconds = composition_seconds()
    # nfc_unstable's test, inlined: the tables of transforms.fast probe every BMP code point.
    return bool(
        unicodedata.combining(c) or ord(c) in seconds or not unicodedata.is_normalized("NFC", c)
    )
