"""transforms.normalize against docs/normalization.md "The rules": one test per spec line, Lucene's
ArabicNormalizer behaviours, and hypothesis properties (totality, idempotence, profile relation,
batch == scalar, bounded growth)."""

from __future__ import annotations

import re
import unicodedata

import pyarrow as pa
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from transforms import normalize as nz
from transforms.normalize import NORMALIZER_VERSION, normalize, normalize_batch


def clean(s: str) -> str:
    return normalize(s, "clean")


def search(s: str) -> str:
    return normalize(s, "search")


# ---------------------------------------------------------------- API and versioning


def test_version_is_semver_string():
    assert isinstance(NORMALIZER_VERSION, str)
    assert re.fullmatch(r"\d+\.\d+\.\d+", NORMALIZER_VERSION)


def test_unicode_version_pinned():
    # The tables are built from unicodedata: a new Unicode version can change output, which
    # requires a NORMALIZER_VERSION bump (then update UNICODE_VERSION).
    assert unicodedata.unidata_version == nz.UNICODE_VERSION, "bump NORMALIZER_VERSION"


def test_default_profile_is_clean():
    assert normalize("مُحَمَّد\u00a0 ") == "مُحَمَّد"


def test_unknown_profile_names_valid_ones():
    with pytest.raises(ValueError, match=r"clean.*search"):
        normalize("نص", "lucene")
    with pytest.raises(ValueError, match=r"clean.*search"):
        normalize_batch(["نص"], "Search")


# ---------------------------------------------------------------- clean, step by step


@pytest.mark.parametrize(
    ("raw", "want"),
    [("سطر\r\nسطر", "سطر\nسطر"), ("سطر\rسطر", "سطر\nسطر"), ("أ\r\n\r\nب", "أ\n\nب")],
)
def test_clean_1_line_breaks(raw, want):
    assert clean(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("\ufefb", "لا"),  # ﻻ lam-alef ligature
        ("\ufdf2", "الله"),  # ﷲ
        ("\ufe8d\ufedf\ufeb4\ufefc\ufee1", "السلام"),  # ﺍﻟﺴﻼﻡ contextual forms
        ("\ufdfa", "صلى الله عليه وسلم"),  # ﷺ
        ("\uff21\uff22\uff23\uff11\uff12", "ABC12"),  # full-width ASCII
        ("\uff03وسم \uff20user", "#وسم @user"),  # full-width signs become ASCII
    ],
)
def test_clean_2_presentation_forms_to_nfkc(raw, want):
    assert clean(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("ب\ufe70", "ب\u064b"),  # isolated fathatan: NFKC would add a space
        ("ب\ufe71", "ب\u064b"),  # medial fathatan: NFKC would add a tatweel
        ("ب\ufe7c", "ب\u0651"),  # shadda
        ("ب\ufe7f", "ب\u0652"),  # sukun medial
    ],
)
def test_clean_2_harakat_forms_to_bare_mark(raw, want):
    assert clean(raw) == want


def test_clean_2_rial_sign_with_arabic_yeh():
    assert clean("100 \ufdfc") == "100 ريال"
    assert "\u06cc" not in clean("\ufdfc")  # not the Farsi yeh NFKC would give


def test_clean_3_tatweel_deleted():
    assert clean("مـحـمـــد") == "محمد"


@pytest.mark.parametrize(
    "ch",
    ["\u200b", "\u200e", "\u200f", "\u061c", "\u2060", "\u00ad", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)],
)
def test_clean_3_invisible_and_bidi_deleted(ch):
    assert clean(f"الرياض{ch}جدة") == "الرياضجدة"


@pytest.mark.parametrize(
    "cp", [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), *range(0x7F, 0xA0)]
)
def test_clean_3_controls_deleted(cp):
    assert clean(f"سعر{chr(cp)}النفط") == "سعرالنفط"


def test_clean_3_tab_and_newline_survive_controls_rule():
    assert clean("أ\tب\nج") == "أ ب\nج"


def test_clean_3_zwnj_zwj_kept():
    assert clean("می\u200cخواهم \u200d") == "می\u200cخواهم \u200d"


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("السعودية\u200f#الرياض", "السعودية #الرياض"),
        ("تابعونا\u200e\u200f@akhbar", "تابعونا @akhbar"),
        ("كلمةـ#وسم", "كلمة #وسم"),  # tatweel glued to the sign
        ("خبر\u2069\uff03عاجل", "خبر #عاجل"),  # full-width sign
        ("خبر\u200b\uff20user", "خبر @user"),
        ("\u200f#وسم", "#وسم"),  # nothing before: plain deletion
        ("كلمة \u200f#وسم", "كلمة #وسم"),  # space before: plain deletion
        ("كلمة\u200fوسم", "كلمةوسم"),  # no sign after: plain deletion
    ],
)
def test_clean_3_deleted_char_before_sign_becomes_space(raw, want):
    assert clean(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("ا\u0653", "آ"),
        ("ا\u0654", "أ"),
        ("ي\u0654", "ئ"),
        ("ا\u0640\u0653", "آ"),  # composes after the tatweel is deleted (step 3 before 4)
        ("cafe\u0301", "café"),
    ],
)
def test_clean_4_nfc(raw, want):
    assert clean(raw) == want


_MARKY = st.text(
    alphabet=st.sampled_from(
        [
            " ",
            "\n",
            "a",
            "e",
            "ا",
            "و",
            "ي",
            "ه",
            "\u0301",
            "\u0327",
            "\u064e",
            "\u0650",
            "\u0651",
            "\u0653",
            "\u0654",
            "\u0655",
            "\u0670",
            "\u1100",
            "\u1161",
            "\u11a8",
        ]
    ),
    max_size=40,
)


@settings(max_examples=400, deadline=None)
@given(s=st.one_of(st.text(max_size=40), _MARKY))
@example(s="ا \u0654")  # a mark after a space stays there: no composition across the space
@example(s="\u0651\u064e \u0651\u064e")
def test_clean_4_word_by_word_nfc_equals_nfc(s):
    assert nz.nfc(s) == unicodedata.normalize("NFC", s)


def test_space_table_has_every_zs():
    zs = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Zs"]
    assert sorted(nz.SPACE_CHARS) == sorted(["\t", *zs])


@pytest.mark.parametrize(
    "sp", ["\u00a0", "\u1680", *[chr(c) for c in range(0x2000, 0x200B)], "\u202f", "\u3000", "\t"]
)
def test_clean_5_space_separators_to_space(sp):
    assert clean(f"وزارة{sp}الصحة") == "وزارة الصحة"


def test_clean_5_space_runs_collapse():
    assert clean("وزارة  \u00a0 \t الصحة") == "وزارة الصحة"


def test_clean_5_no_spaces_at_line_edges():
    assert clean("العنوان \n  النص\u00a0\n") == "العنوان\nالنص"


def test_clean_5_three_newlines_to_two():
    assert clean("فقرة\n\n\n\nفقرة\n \n \nفقرة\n\nفقرة") == "فقرة\n\nفقرة\n\nفقرة\n\nفقرة"


def test_clean_5_strip_both_ends():
    assert clean("\n\n \u00a0 خبر عاجل \n\n") == "خبر عاجل"


def test_clean_keeps_html_references_for_readers():
    assert clean("قال &quot;نعم&quot; &#8220;") == "قال &quot;نعم&quot; &#8220;"


def test_clean_keeps_diacritics_and_letters():
    s = "قَالَ الأَمِيرُ إِنَّ المَدْرَسَةَ ٢٠١٥، هل؟"
    assert clean(s) == s


# ---------------------------------------------------------------- search, step by step


def test_search_1_starts_from_clean():
    raw = "\ufeffمـحـمـد\u00a0\u00a0#وسم\r\n"
    assert search(raw) == search(clean(raw)) == "محمد #وسم"


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("مُحَمَّدٌ", "محمد"),  # harakat, shadda, tanween
        ("رَحْمٰن", "رحمن"),  # superscript alef U+0670
        ("صلى\u0610 الله", "صلي الله"),  # U+0610-U+061A honorific signs
        ("قرآن\u06d6\u06da\u06e5x", "قران\u06e5x"),  # Quranic marks (U+06E5 is Lm, kept)
        ("ب\u08f0\u08fe", "ب"),  # Arabic Extended-A marks
        ("می\u200cخواهم", "میخواهم".replace("ی", "ي")),  # ZWNJ
        ("لا\u200dم", "لام"),  # ZWJ
    ],
)
def test_search_1_arabic_marks_and_joiners_deleted(raw, want):
    assert search(raw) == want


def test_search_1_marks_outside_arabic_blocks_kept():
    assert search("x\u0316y") == "x\u0316y"  # combining grave below (not Arabic) stays


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("آمنة أحمد إبراهيم ٱلله ٲ ٳ", "امنه احمد ابراهيم الله ا ا"),
        ("مستشفى علی ے", "مستشفي علي ي"),
        ("مدرسة ۀ ہ ە", "مدرسه ه ه ه"),
        ("کتاب", "كتاب"),
    ],
)
def test_search_2_letter_folds(raw, want):
    assert search(raw) == want


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("٠١٢٣٤٥٦٧٨٩", "0123456789"),
        ("۰۱۲۳۴۵۶۷۸۹", "0123456789"),
        ("نعم، لا؛ لماذا؟", "نعم, لا; لماذا?"),
        ("٪٥٠ ٣٫١٤ ١٬٠٠٠", "%50 3.14 1,000"),
    ],
)
def test_search_3_digits_and_punctuation(raw, want):
    assert search(raw) == want


def test_search_4_lower_and_hamza_seats_stay():
    assert search("Saudi ARAMCO سؤال سائل جزء") == "saudi aramco سؤال سائل جزء"


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("خبر \u064e عاجل", "خبر عاجل"),  # a lone mark between spaces
        ("خبر \u200c عاجل", "خبر عاجل"),  # ZWNJ between spaces
        ("سطر \u0651\nسطر", "سطر\nسطر"),  # mark at a line end
        ("أ\n\n\u064e\n\nب", "ا\n\nب"),  # a line of marks only
        ("\u064e خبر", "خبر"),  # mark at the start
    ],
)
def test_search_5_space_rule_again(raw, want):
    assert search(raw) == want


def test_search_5_nfc_again_after_mark_deletion():
    # U+0651 (ccc 33) blocks U+0654 (ccc 230)? No; but an Arabic mark with ccc 230 between a
    # letter and a non-Arabic ccc-230 mark blocks composition until search deletes it.
    raw = "e\u0653\u0301"  # e + madda (Arabic Mn, ccc 230) + acute (ccc 230): blocked in clean
    assert clean(raw) == raw
    assert search(raw) == "é"


# ---------------------------------------------------------------- Lucene ArabicNormalizer


@pytest.mark.parametrize(
    ("raw", "want"),
    [
        ("آجن", "اجن"),  # alef madda
        ("أحمد", "احمد"),  # alef hamza above
        ("إعاذ", "اعاذ"),  # alef hamza below
        ("بنى", "بني"),  # alef maksura
        ("مدرسة", "مدرسه"),  # teh marbuta
        ("روبـــرت", "روبرت"),  # tatweel
        ("فَ", "ف"),  # fatha
        ("كِتَابٌ", "كتاب"),  # kasra, fatha, dammatan
        ("زًا", "زا"),  # fathatan
        ("بِّ", "ب"),  # shadda + kasra
        ("ذْ", "ذ"),  # sukun
    ],
)
def test_lucene_arabic_normalizer_behaviours(raw, want):
    assert search(raw) == want


# ---------------------------------------------------------------- totality and surrogates


def test_lone_surrogates_are_left_in_place():
    assert clean("أ\ud800ب") == "أ\ud800ب"
    assert search("أَ\udfff") == "ا\udfff"


@pytest.mark.parametrize("s", ["", " ", "\n", "\u200f", "\x00", "\ufeff\ufeff", "#", "\ufe70"])
def test_degenerate_inputs(s):
    assert isinstance(clean(s), str)
    assert isinstance(search(s), str)


# ---------------------------------------------------------------- batch


def test_batch_keeps_none_and_matches_scalar():
    texts = ["مُحَمَّد", None, "", "\ufefb#وسم\u00a0", "ABC"]
    for profile in ("clean", "search"):
        got = normalize_batch(texts, profile)
        assert got == [None if t is None else normalize(t, profile) for t in texts]


def test_batch_default_profile_is_clean():
    assert normalize_batch(["أ\u00a0ب"]) == ["أ ب"]


@pytest.mark.parametrize("typ", [pa.string(), pa.large_string()])
def test_batch_arrow_array(typ):
    arr = pa.array(["أَحْمَد", None, " ة "], type=typ)
    got = normalize_batch(arr, "search")
    assert isinstance(got, pa.Array)
    assert got.type == typ
    assert got.to_pylist() == ["احمد", None, "ه"]


def test_batch_arrow_chunked_array():
    arr = pa.chunked_array([["أَ", None], ["ى"]])
    got = normalize_batch(arr, "search")
    assert isinstance(got, pa.ChunkedArray)
    assert got.to_pylist() == ["ا", None, "ي"]


def test_batch_rejects_a_single_string():
    with pytest.raises(TypeError):
        normalize_batch("نص")


def test_batch_arrow_rejects_non_strings():
    with pytest.raises(TypeError):
        normalize_batch(pa.array([1, 2]), "clean")


# ---------------------------------------------------------------- properties

# Characters the rules are about, mixed with anything at all (surrogates included).
_INTERESTING = [
    *"\r\n\t #@\uff03\uff20 ابةىأإآيؤئءکیےۀ٠٩۰،؛؟٪٫٬AZaΣΑİ",
    *"\u064b\u064e\u0651\u0653\u0654\u0670\u06d6\u08f0\u0301\u0316",
    *"\u0640\u200b\u200c\u200d\u200e\u200f\u061c\u202b\u2067\u2060\u00ad\ufeff",
    *"\x00\x1a\x85\x7f\u00a0\u2003\u202f\u3000\u2028",
    *"\ufefb\ufdf2\ufdfa\ufdfc\ufe70\ufe71\ufe7c\ufcf2\ufc5e\uff21\u0958\ud800\udc00",
]
_ANY = st.characters(exclude_categories=())  # every code point, surrogates too
TEXT = st.text(st.one_of(st.sampled_from(_INTERESTING), _ANY), max_size=40)
PROP = settings(max_examples=400, deadline=None)


@PROP
@given(TEXT)
@example("a\ud800\u0301")
def test_prop_total(s):
    assert isinstance(clean(s), str)
    assert isinstance(search(s), str)


@PROP
@given(TEXT)
def test_prop_clean_idempotent(s):
    once = clean(s)
    assert clean(once) == once


@PROP
@given(TEXT)
@example("ΑΣ\u0301Σ x")
def test_prop_search_idempotent(s):
    once = search(s)
    assert search(once) == once


@PROP
@given(TEXT)
def test_prop_search_of_clean_is_search(s):
    assert search(clean(s)) == search(s)


@PROP
@given(st.lists(st.one_of(st.none(), TEXT), max_size=8))
def test_prop_batch_equals_scalar(texts):
    for profile in ("clean", "search"):
        want = [None if t is None else normalize(t, profile) for t in texts]
        assert normalize_batch(texts, profile) == want


def _growth_bound(s: str) -> int:
    """Most characters clean(s) may have: each character counts 1, except a compatibility form
    (its replacement's length), a deleted character (0), and a character NFC expands on its own
    (a canonical singleton such as U+0958); plus one per sign for the space kept before it."""
    deleted = set(nz.DELETE_CHARS)
    n = 0
    for c in s:
        if c in nz.COMPAT_MAP:
            n += len(nz.COMPAT_MAP[c])
        elif c not in deleted:
            n += len(unicodedata.normalize("NFC", c))
    return n + sum(s.count(sign) for sign in nz.SIGNS)


@PROP
@given(TEXT)
@example("\ufdfa")
@example("كلمة\u200f#وسم")
def test_prop_clean_grows_only_through_compat_forms_or_sign_space(s):
    assert len(clean(s)) <= _growth_bound(s)


def test_growth_bound_is_tight():
    # the bound is reached exactly, so a rule that added anything would fail the property
    for s in ("\ufdfa", "كلمة\u200f#وسم", "\u0958", "ﻻ"):
        assert len(clean(s)) == _growth_bound(s)


def test_no_fold_target_starts_a_canonical_composition():
    # _search_from_clean skips the NFC check when nothing was deleted and lower() changed
    # nothing; that is only sound if folding cannot create a composable pair.
    # (ا + U+0653 composes, but U+0653 is a mark search deletes, so it cannot follow then.)
    targets = set(nz.SEARCH_FOLDS.values())
    deleted = set(nz.SEARCH_DELETE_CHARS)
    for cp in range(0x110000):
        d = unicodedata.decomposition(chr(cp)).split()
        if len(d) == 2 and not d[0].startswith("<"):
            first, second = chr(int(d[0], 16)), chr(int(d[1], 16))
            assert first not in targets or second in deleted, hex(cp)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text()), max_size=8))
def test_search_of_clean_batch_equals_search_on_clean_text(texts: list[str | None]) -> None:
    from transforms.normalize import search_of_clean_batch

    clean = normalize_batch(texts, "clean")
    assert search_of_clean_batch(clean) == normalize_batch(texts, "search")
