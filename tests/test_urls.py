"""transforms/urls.py: the URL spans strict extraction drops hashtags in. Compared with the
JavaScript twitter-text in tests/test_twitter_text_js.py; here, what needs no Node."""

from __future__ import annotations

import pytest
import regex

from transforms.urls import CYRILLIC, CYRILLIC_CI, LATIN_ACCENTS, LATIN_ACCENTS_CI, url_spans


def _js_canonical(c: str) -> str:
    """ECMAScript's Canonicalize for a case-insensitive, non-Unicode regex."""
    u = c.upper()
    if len(u) != 1 or (ord(c) >= 128 and ord(u) < 128):
        return c
    return u


@pytest.mark.parametrize(
    ("plain", "folded"), [(LATIN_ACCENTS, LATIN_ACCENTS_CI), (CYRILLIC, CYRILLIC_CI)]
)
def test_case_insensitive_classes_follow_javascript(plain: str, folded: str) -> None:
    # twitter-text's URL regex has the `i` flag: a class matches every character whose
    # canonical form is a member's. The hand-written extra characters must be exactly those.
    bmp = [chr(c) for c in range(0x10000) if not 0xD800 <= c <= 0xDFFF]
    members = {c for c in bmp if regex.fullmatch(f"[{plain}]", c)}
    canon = {_js_canonical(c) for c in members}
    want = {c for c in bmp if c in members or _js_canonical(c) in canon}
    got = {c for c in bmp if regex.fullmatch(f"[{folded}]", c)}
    assert got == want


def _urls(text: str) -> list[str]:
    return [text[s:e] for s, e in url_spans(text)]


# What twitter-text 3.1.0's extractUrlsWithIndices returns (tests/test_twitter_text_js.py
# checks these against it too).
URL_CASES: list[tuple[str, list[str]]] = [
    ("", []),
    ("no dot here", []),
    ("see http://t.co/abc!!", ["http://t.co/abc"]),
    ("see https://t.co/" + "a" * 41, []),
    ("HTTP://X.COM/a/b?c=d!", ["HTTP://X.COM/a/b?c=d"]),
    ("x.com?q=1 x.com/?q=1", ["x.com", "x.com/?q=1"]),
    ("a_b.x.com/p", ["b.x.com/p"]),
    ("-x.com _x.com .x.com /x.com", []),
    ("http://a_b.com", []),
    ("http://x.com/a&(b)c(d)", ["http://x.com/a&(b)c(d)"]),
    ("http://x.com/a&(b)", ["http://x.com/a"]),
    ("موقع.مصر/x m.مصر/x", ["m.مصر/x"]),  # Arabic TLD; no scheme: ASCII domains only
    ("http://موقع.مصر/x", ["http://موقع.مصر/x"]),
    ("شاهد.http://x.com/p", ["http://x.com/p"]),
    ("http://" + "a" * 64 + ".com/x", []),  # a label over 63 characters
    ("http://" + "م" * 60 + ".com/x", []),  # ... once punycode-encoded
    ("http://x.com/" + "a" * 4090, []),  # a URL over 4096 characters
]


@pytest.mark.parametrize(("text", "expected"), URL_CASES)
def test_url_spans(text: str, expected: list[str]) -> None:
    assert _urls(text) == expected
