"""Hashtag and mention extraction: Arabic specifics, default-mode rules, batch == scalar, and
property tests. twitter-text conformance is in test_conformance.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.extract import Entity, extract_batch, extract_hashtags, extract_mentions
from transforms.normalize import normalize

SHARED = Path(__file__).resolve().parents[2] / "shared"
# The user's example article ships in seeds/, so this test never needs ../shared.
SEED = Path(__file__).resolve().parents[1] / "seeds/landing/2026-11-24/000_d0de07fd3e4728fb.txt"
ASTD = SHARED / "corpora" / "astd" / "Tweets.txt"


def tags(text: str, strict: bool = False) -> list[tuple[str, str]]:
    return [(e.text, e.rule) for e in extract_hashtags(text, strict=strict)]


def names(text: str, strict: bool = False) -> list[str]:
    return [e.text for e in extract_hashtags(text, strict=strict)]


# --- Arabic specifics -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("#مُحَمَّد رسول", ["مُحَمَّد"]),  # harakat are marks: inside the tag
        ("#الـحرب", ["الـحرب"]),  # tatweel is a letter (Lm): inside the tag
        ("#مي\u200cخواهم", ["مي\u200cخواهم"]),  # ZWNJ joins a tag
        ("#ليبيا، #تونس؛ #مصر؟ #الجزائر۔ بعد", ["ليبيا", "تونس", "مصر", "الجزائر"]),
        ("#ليبيا٢٠٢٣ و #٢٠٢٣", ["ليبيا٢٠٢٣"]),  # Arabic-Indic digits continue, never make, a tag
        ("#۲۰۲۳", []),  # extended Arabic-Indic digits alone neither
        ("«#مصر» و(#ليبيا) و[#تونس]", ["مصر", "ليبيا", "تونس"]),
        ("http://example.com/#مصر و example.com/#ليبيا و #تونس", ["تونس"]),  # '#' in URLs
        ("مصر#ليبيا", []),  # a letter before '#' blocks the tag (and م is no proclitic)
        ("&#مصر;", []),  # HTML-entity shape
        ("#مصر#ليبيا", []),  # a tag followed by a sign is dropped
        ("＃مصر", ["مصر"]),  # full-width sign
        ("#أحمد_معيتيق", ["أحمد_معيتيق"]),
    ],
)
def test_arabic_hashtags(text: str, expected: list[str]) -> None:
    assert names(text, strict=True) == expected
    assert names(text) == expected  # none of these trigger a default-only rule


# twitter-text 3.1.0's URL and boundary rules where a hashtag follows a link: the expected tags
# are what the JavaScript library returns (tests/test_twitter_text_js.py runs every case through
# it as well, where Node is installed).
TWITTER_TEXT_CASES: list[tuple[str, list[str]]] = [
    # A t.co link ends after its slug: the punctuation and the tag after it are outside.
    ("http://t.co/abc!!#tag", ["tag"]),
    ("https://t.co/xyz!#tag", ["tag"]),
    ("رابط https://t.co/AbC123!!#عاجل", ["عاجل"]),
    ("https://t.co/xyz?a=1#tag", []),  # ... but its query is inside
    ("https://t.co/" + "a" * 41 + "!#tag", ["tag"]),  # a slug over 40: no URL at all
    # Any other path takes the punctuation and the '#': the tag is inside the URL.
    ("http://x.com/abc!!#tag", []),
    ("x.com/xyz!#tag", []),
    ("HTTP://X.COM/abc!#tag", []),  # the scheme in any case
    ("http://x.com/a##tag", []),  # a '#' right before the sign is in the path too
    ("http://x.com/a##مصر", []),
    # A parenthesized group ends a path only after an allowed last character, or alone.
    ("http://x.com/a&(film)?q=#tag", ["tag"]),
    ("http://x.com/a(film)?q=#tag", []),
    ("http://x.com/a&(film)b?q=#tag", []),
    # Without a scheme the URL is its ASCII domains, and the query only follows a path.
    ("x.com?q=#tag", ["tag"]),
    ("x.com/?q=#tag", []),
    ("a_b.x.com/p!#tag", []),  # 'b.x.com/p!#tag', inside the subdomain
    ("http://a_b.com/p!#tag", ["tag"]),  # '_' only in a subdomain: no URL
    ("m.مصر/p!#tag", []),  # an Arabic top-level domain
    ("شاهد.http://x.com/p?q=#tag", []),  # 'http' is no TLD: the link keeps its scheme
    # A dropped candidate consumes its tag: its last variation selector is no boundary.
    ("#a\ufe0f#b", []),
    ("abc\ufe0f#b", ["b"]),
]


@pytest.mark.parametrize(("text", "expected"), TWITTER_TEXT_CASES)
def test_twitter_text_url_and_boundary_rules(text: str, expected: list[str]) -> None:
    assert names(text, strict=True) == expected
    assert names(text) == expected
    _check_batch([text, "#x " + text, None])


def test_keys_use_search_normalization() -> None:
    (ent,) = extract_hashtags("#الـمَدِينة_المنوّرة")
    assert ent.key == normalize(ent.text, "search")
    assert "ـ" not in ent.key and "َ" not in ent.key
    (ent,) = extract_hashtags("#ليبيا٢٠٢٣")
    assert ent.key == normalize("ليبيا٢٠٢٣", "search")


def test_offsets_exclude_sign() -> None:
    text = "قال #حفتر اليوم"
    (ent,) = extract_hashtags(text)
    assert ent == Entity("حفتر", normalize("حفتر", "search"), 5, 9, "standard")
    assert text[ent.start - 1] == "#"


# --- default-mode rules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("و#حفتر", [("حفتر", "proclitic")]),
        ("قال ف#ليبيا", [("ليبيا", "proclitic")]),
        ("«ب#مصر»", [("مصر", "proclitic")]),
        ("(ل#تونس)", [("تونس", "proclitic")]),
        ("ك#الجزائر", [("الجزائر", "proclitic")]),
        ("وَ#حفتر", [("حفتر", "proclitic")]),  # a haraka on the proclitic
        ("جو#حفتر", []),  # و is inside a word, not a proclitic
        ("م#حفتر", []),  # م is not a proclitic
        ("و#حفتر#", []),  # still dropped before a sign
        ("من# روسيا", [("روسيا", "displaced")]),
        ("من#  روسيا", [("روسيا", "displaced")]),
        ("من#\nروسيا", []),  # spaces only, not a line break
        ("من# Russia", []),  # (a) needs an Arabic tag
        ("JonVoyage# لوداع", [("JonVoyage", "displaced")]),
        ("bye JonVoyage#", [("JonVoyage", "displaced")]),
        ("C# F#", []),  # (b) needs 2+ characters
        ("2023# x", []),  # and a letter
        ("JonVoyage#x", []),  # '#' must be followed by a space or the end
        ("#JonVoyage# x", []),  # '#Tag#' stays dropped
        ("مصرJon# x", []),  # not at a word start
        ("example.com/Page# x", []),  # inside a URL
        ("#مصر و#ليبيا", [("مصر", "standard"), ("ليبيا", "proclitic")]),
    ],
)
def test_default_rules(text: str, expected: list[tuple[str, str]]) -> None:
    assert tags(text) == expected
    # the strict mode never sees these
    assert tags(text, strict=True) == [t for t in expected if t[1] == "standard"]


def test_seed_article() -> None:
    if not SEED.is_file():
        pytest.skip(f"seed article not found at {SEED}")
    clean = normalize(SEED.read_text(encoding="utf-8"), "clean")
    got = extract_hashtags(clean)
    assert [(e.text, e.rule) for e in got] == [
        ("أحمد_معيتيق", "standard"),
        ("الوفاق", "standard"),
        ("روسيا", "displaced"),
        ("حفتر", "standard"),
        ("مصر", "standard"),
    ]
    assert "من# روسيا" in clean
    for e in got:
        assert clean[e.start : e.end] == e.text
    assert [e.text for e in extract_hashtags(clean, strict=True)] == [
        "أحمد_معيتيق",
        "الوفاق",
        "حفتر",
        "مصر",
    ]


# --- mentions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("عبر@user", ["user"]),  # an Arabic letter does not block (as in twitter-text)
        ("تابعونا على @AlJazeera_Ar.", ["AlJazeera_Ar"]),
        ("@userللتواصل", ["user"]),  # Arabic after the handle ends it
        ("name@hotmail.com", []),  # e-mail address
        ("للتواصل name@hotmail.com", []),
        # A handle glued to an e-mail address is the address written with a stray '@': the
        # handle is followed by '@' (dropped) and 'hotmail' is preceded by a letter (blocked).
        ("@name@hotmail.comللتواصل", []),
        ("@abcdefghijklmnopqrstuvwxyz", ["abcdefghijklmnopqrst"]),  # cut at 20
        ("＠user", ["user"]),
        ("@user/list", ["user"]),  # a list reference mentions its user
    ],
)
def test_mentions(text: str, expected: list[str]) -> None:
    for strict in (True, False):
        got = extract_mentions(text, strict=strict)
        assert [e.text for e in got] == expected
        for e in got:
            assert text[e.start : e.end] == e.text
            assert e.key == e.text.lower()
            assert e.rule == "standard"


# --- batch == scalar ----------------------------------------------------------------------------

FIXTURE_TEXTS: list[str | None] = [
    None,
    "",
    "لا شيء هنا",
    "#مصر و#ليبيا من# روسيا JonVoyage# لوداع @user عبر@other",
    "http://example.com/#x و #حقيقي و example.com/Page# و #tag",
    "#a#b ##c #️x #⃣y &#z; @a/b-@c @rt@x RT@y",
    "#ليبيا٢٠٢٣ #٢٠٢٣ «#مصر» (#تونس) #مُحَمَّد #الـحرب",
    "@name@hotmail.comللتواصل name@hotmail.com",
    "سطر #أول\n#ثاني\nو#ثالث\nمن# رابع",
]


def _check_batch(texts: list[str | None]) -> None:
    for strict in (True, False):
        h, m = extract_batch(texts, strict=strict)
        want_h = [
            (i, e) for i, t in enumerate(texts) if t for e in extract_hashtags(t, strict=strict)
        ]
        want_m = [
            (i, e) for i, t in enumerate(texts) if t for e in extract_mentions(t, strict=strict)
        ]
        assert h == want_h
        assert m == want_m


def test_batch_equals_scalar_fixture() -> None:
    _check_batch(FIXTURE_TEXTS)
    _check_batch(FIXTURE_TEXTS[::-1])
    assert extract_batch([]) == ([], [])


def test_batch_equals_scalar_astd() -> None:
    if not ASTD.is_file():
        pytest.skip(f"ASTD corpus not found at {ASTD}")
    lines = ASTD.read_text(encoding="utf-8").splitlines()
    texts: list[str | None] = [line.split("\t", 1)[0] for line in lines]
    _check_batch(texts)


# --- properties ---------------------------------------------------------------------------------

# An alphabet dense in the characters the rules care about, so that random strings exercise them.
_ALPHABET = st.sampled_from(
    [
        *"#＃@＠&_/.:- \n\tabcJVx19وفبلكمنرسياةـ٢٠۔،؛؟«»()",
        *("\u064e", "\u0651", "\u200c", "\u200d", "\u200b", "\u00ad", "\u200f", "\ufe0f", "\u20e3"),
        *("://", "http://a.com/", "x.com/", "@name@hotmail.com", "مصر", "# ", "JonVoyage#"),
    ]
)
_TEXTS = st.one_of(st.text(), st.lists(_ALPHABET, max_size=40).map("".join))


@settings(max_examples=300, deadline=None)
@given(_TEXTS)
def test_properties(text: str) -> None:
    strict_h = extract_hashtags(text, strict=True)
    default_h = extract_hashtags(text)
    for e in default_h + extract_mentions(text):
        assert text[e.start : e.end] == e.text
        assert e.text
        assert e.start > 0 or e.rule == "displaced"
    # strict is a subset of default, and everything else is labelled by a default-only rule
    assert set(strict_h) <= set(default_h)
    assert all(e.rule == "standard" for e in strict_h)
    assert all(e.rule != "standard" for e in set(default_h) - set(strict_h))
    assert [e.start for e in default_h] == sorted(e.start for e in default_h)
    _check_batch([text, None, text[::-1]])


# Characters that "clean" deletes and that a tag could otherwise contain (tatweel is a letter);
# the format characters in the list are there so the property also notices if clean keeps them.
_CLEAN_DELETES = "\u0640\u200b\u200e\u200f\u061c\u2060\u00ad\ufeff"


@settings(max_examples=200, deadline=None)
@given(_TEXTS)
def test_tags_on_clean_text_span_no_deleted_character(text: str) -> None:
    clean = normalize(text, "clean")
    for e in extract_hashtags(clean) + extract_mentions(clean):
        assert clean[e.start : e.end] == e.text
        assert not any(c in _CLEAN_DELETES for c in e.text), (text, e)
