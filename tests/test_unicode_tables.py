"""The Unicode probes shared by the SQL macro generator and the compiled fast path's tables:
their shortcuts (scan ranges, decomposition planes) lose nothing, and their NFC tests mean
what they say."""

from __future__ import annotations

import sys
import unicodedata

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.unicode_tables import (
    DECOMPOSITION_PLANES,
    SCAN_RANGES,
    SURROGATES,
    code_point_ranges,
    code_points,
    composition_seconds,
    is_surrogate,
    nfc_suspect,
    nfc_unstable,
)


def test_scan_ranges_skip_only_code_points_without_properties() -> None:
    """The probes scan SCAN_RANGES only; that is exact as long as every code point outside
    them is unassigned or private use (no case, mark or decomposition)."""
    inside = set().union(*(set(r) for r in SCAN_RANGES))
    odd = [
        hex(cp)
        for cp in range(sys.maxunicode + 1)
        if cp not in inside
        and not is_surrogate(cp)
        and unicodedata.category(chr(cp)) not in ("Cn", "Co")
    ]
    assert odd == []
    assert not any(is_surrogate(ord(c)) for c in code_points())


def test_decompositions_only_in_the_scanned_planes() -> None:
    outside = [
        cp
        for cp in range(DECOMPOSITION_PLANES.stop, 0x110000)
        if unicodedata.decomposition(chr(cp))
    ]
    assert outside == []
    assert composition_seconds() == composition_seconds(range(0x110000))


def test_surrogates() -> None:
    assert is_surrogate(0xD800) and is_surrogate(0xDFFF)
    assert not is_surrogate(0xD7FF) and not is_surrogate(0xE000)
    assert all(unicodedata.category(chr(cp)) == "Cs" for cp in SURROGATES)


def test_nfc_probes_on_known_characters() -> None:
    assert not nfc_suspect("ا") and not nfc_suspect("a") and not nfc_suspect(" ")
    assert nfc_unstable("\u0654")  # hamza above: composes with alef into U+0623
    assert nfc_unstable("\u1161")  # Hangul V jamo: composes algorithmically
    assert nfc_unstable("\u0958")  # not NFC on its own (composition exclusion)
    assert not nfc_unstable("\u064e") and nfc_suspect("\u064e")  # fatha: reordered, never composed


SUSPECT_SAMPLE = st.sampled_from(list("\u064e\u0651\u0654\u0301\u0316\u1161\u0958\u00e9ea ب"))


@settings(max_examples=300, deadline=None)
@given(st.text(st.one_of(SUSPECT_SAMPLE, st.characters(exclude_categories=("Cs",)))))
def test_text_without_nfc_suspects_is_nfc(s: str) -> None:
    if unicodedata.normalize("NFC", s) != s:
        assert any(nfc_suspect(c) for c in s)


def test_code_point_ranges() -> None:
    assert code_point_ranges("cabz") == [(0x61, 0x63), (0x7A, 0x7A)]
    assert code_point_ranges([]) == []
