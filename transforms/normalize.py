"""Arabic text normalization: the ``clean`` and ``search`` profiles (docs/normalization.md).

Like Lucene's ``ArabicNormalizer``: tables of code points, built once at import from
``unicodedata``, and a short straight-line function per profile. Every step is a C-speed string
primitive (precompiled character-class regexes, chained ``str.replace``, ``str.lower``,
``unicodedata.is_normalized``); each step is skipped when a cheap search shows it has nothing to
do. ``str.translate`` is avoided on purpose: it measured 5x slower than this on Arabic text.
Decisions the rules leave open are listed there too.

Totality: ``normalize`` never raises on a ``str``. Lone surrogates (U+D800-U+DFFF) are not
characters the spec speaks of, so they are left exactly where they are (neither deleted nor
replaced); this keeps the function total and idempotent without inventing a rule.

``transforms.ar_norm_sql`` renders the DuckDB macro ``ar_norm(x)`` from the same tables, so SQL
and Python cannot drift apart. Bump ``NORMALIZER_VERSION`` whenever any output can change (a table
entry, a step, or the Unicode version of ``unicodedata``: see ``UNICODE_VERSION``).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any, overload

from transforms.unicode_tables import code_point_ranges

if TYPE_CHECKING:
    import pyarrow as pa

NORMALIZER_VERSION = "1.0.0"
#: Unicode data the tables were built from; a different one may change output (bump the version).
UNICODE_VERSION = "14.0.0"
PROFILES = ("clean", "search")

# --------------------------------------------------------------------------------------------
# Tables (the single source of truth for Python and SQL)
# --------------------------------------------------------------------------------------------

#: clean step 2: ranges mapped to their NFKC form.
COMPAT_RANGES = ((0xFB50, 0xFDFF), (0xFE70, 0xFEFF), (0xFF01, 0xFF5E))
#: clean step 2 exception: Arabic harakat presentation forms keep only the bare mark.
HARAKAT_FORMS = (0xFE70, 0xFE7F)
#: clean step 2 exception: the rial sign spelled with Arabic yeh (NFKC gives Farsi yeh).
RIAL = {"\ufdfc": "\u0631\u064a\u0627\u0644"}  # ﷼ -> ريال

#: clean step 3: deleted characters (a run of them before #/@ after a non-space becomes a space).
DELETE_CHARS = (
    ["\u0640", "\u200b", "\u200e", "\u200f", "\u061c", "\u2060", "\u00ad", "\ufeff"]
    + [chr(c) for c in range(0x202A, 0x202E + 1)]
    + [chr(c) for c in range(0x2066, 0x2069 + 1)]
    # C0 and C1 controls (and DEL, also general category Cc) except \n and \t; \r is gone
    # already (step 1 turns it into \n)
    + [chr(c) for c in range(0x00, 0x20) if chr(c) not in "\n\t\r"]
    + [chr(c) for c in range(0x7F, 0xA0)]
)
#: signs a deleted character must not glue a word onto.
SIGNS = "#\uff03@\uff20"  # # ＃ @ ＠

#: clean step 5: every Unicode space separator (Zs) and tab become a plain space.
#: (All Zs are in the BMP; scanning only it keeps import fast. A test checks the full range.)
SPACE_CHARS = ["\t"] + [chr(c) for c in range(0x10000) if unicodedata.category(chr(c)) == "Zs"]

#: search step 1: nonspacing marks of these blocks are deleted, with ZWNJ and ZWJ.
ARABIC_MARK_BLOCKS = ((0x0600, 0x06FF), (0x0750, 0x077F), (0x08A0, 0x08FF))
SEARCH_DELETE_CHARS = [
    chr(c)
    for lo, hi in ARABIC_MARK_BLOCKS
    for c in range(lo, hi + 1)
    if unicodedata.category(chr(c)) == "Mn"
] + ["\u200c", "\u200d"]

#: search steps 2 and 3: one-to-one character folds, in spec order.
SEARCH_FOLDS: dict[str, str] = {
    **dict.fromkeys("آأإٱٲٳ", "ا"),
    **dict.fromkeys("ىیے", "ي"),
    **dict.fromkeys("ةۀہە", "ه"),
    "ک": "ك",
    **{chr(0x0660 + d): str(d) for d in range(10)},  # ٠-٩
    **{chr(0x06F0 + d): str(d) for d in range(10)},  # ۰-۹
    "،": ",",
    "؛": ";",
    "؟": "?",
    "٪": "%",
    "٫": ".",
    "٬": ",",
}


def _build_compat_map() -> dict[str, str]:
    out: dict[str, str] = {}
    for lo, hi in COMPAT_RANGES:
        for cp in range(lo, hi + 1):
            ch = chr(cp)
            nf = unicodedata.normalize("NFKC", ch)
            if HARAKAT_FORMS[0] <= cp <= HARAKAT_FORMS[1]:
                nf = nf.replace(" ", "").replace("\u0640", "") or ch
            if nf != ch:
                out[ch] = nf
    out.update(RIAL)
    return out


#: clean step 2 as a table: character -> replacement (only characters that change).
COMPAT_MAP = _build_compat_map()


def _py_class(chars: Iterable[str], negate: bool = False) -> str:
    """A Python ``re`` character class for ``chars`` (escaped code points, compressed ranges)."""

    def esc(cp: int) -> str:
        return (
            f"\\x{cp:02x}" if cp < 0x100 else (f"\\u{cp:04x}" if cp < 0x10000 else f"\\U{cp:08x}")
        )

    body = "".join(esc(a) if a == b else f"{esc(a)}-{esc(b)}" for a, b in code_point_ranges(chars))
    return f"[{'^' if negate else ''}{body}]"


_COMPAT_RE = re.compile(_py_class(COMPAT_MAP))
# (No "+" on the deletion classes: re.sub with "[...]+" measured slower than "[...]".)
_DELETE_RE = re.compile(_py_class(DELETE_CHARS))
_ODD_SPACES = [c for c in SPACE_CHARS if c != " "]
# Anything clean's steps 2, 3 or the Zs/tab part of 5 would touch: one scan decides.
_CLEAN_SUSPECT_RE = re.compile(_py_class([*COMPAT_MAP, *DELETE_CHARS, *_ODD_SPACES]))
# A run of deleted characters after a non-space, non-deleted character and before a sign.
_NOT_SPACE_OR_DELETED = _py_class([*SPACE_CHARS, "\n", *DELETE_CHARS], negate=True)
_DELETE_BEFORE_SIGN_RE = re.compile(
    f"(?<={_NOT_SPACE_OR_DELETED}){_py_class(DELETE_CHARS)}+(?={_py_class(SIGNS)})"
)
_ODD_SPACE_RE = re.compile(_py_class(_ODD_SPACES))
_SPACE_RUN_RE = re.compile("  +")
_NEWLINE_RUN_RE = re.compile("\n\n\n+")
# Search steps 1-3 as one table: a deleted mark maps to "", a folded character to its fold.
# The six folds frequent in Arabic news go through chained str.replace (cheapest when present);
# deletions and the 34 rare folds go through one class regex with a table lookup per match
# (about 3 matches per 1 KB of news): one scan instead of 35. Same table either way.
SEARCH_MAP: dict[str, str] = {**dict.fromkeys(SEARCH_DELETE_CHARS, ""), **SEARCH_FOLDS}
_FREQUENT_FOLDS = "آأإىة،"
_FOLD_PAIRS = tuple((a, SEARCH_FOLDS[a]) for a in _FREQUENT_FOLDS)
_SEARCH_MAP_RE = re.compile(_py_class(a for a in SEARCH_MAP if a not in _FREQUENT_FOLDS))


def _search_repl(m: re.Match[str]) -> str:
    return SEARCH_MAP[m.group()]


def _compat_repl(m: re.Match[str]) -> str:
    return COMPAT_MAP[m.group()]


def _lines_need_fix(s: str) -> bool:
    """Is there a space before or after a line break, or a run of 3+ line breaks?
    (A loop over the few line breaks beats three substring scans of the whole text.)"""
    i = s.find("\n")
    while i >= 0:
        if (i and s[i - 1] == " ") or s.startswith((" ", "\n\n"), i + 1):
            return True
        i = s.find("\n", i + 1)
    return False


def nfc(s: str) -> str:
    """``unicodedata.normalize("NFC", s)``, word by word: only the words that need it go through
    the slow full normalization (news has a few misordered harakat in long texts). Exact,
    because a space has combining class 0, is NFC-stable and is in no canonical composition, so
    nothing reorders or composes across it."""
    return " ".join(
        w if unicodedata.is_normalized("NFC", w) else unicodedata.normalize("NFC", w)
        for w in s.split(" ")
    )


def _space_structure(s: str) -> str:
    """clean step 5 once only spaces are left: one space per run, no spaces around line
    breaks, at most one blank line, no space or line break at either end."""
    if "  " in s:
        s = _SPACE_RUN_RE.sub(" ", s)
    if "\n" in s and _lines_need_fix(s):
        s = s.replace(" \n", "\n").replace("\n ", "\n")
        if "\n\n\n" in s:
            s = _NEWLINE_RUN_RE.sub("\n\n", s)
    return s.strip(" \n")


def _clean(s: str) -> str:
    if "\r" in s:  # step 1
        s = s.replace("\r\n", "\n").replace("\r", "\n")
    suspect = _CLEAN_SUSPECT_RE.search(s) is not None
    if suspect:
        if _COMPAT_RE.search(s):  # step 2
            s = _COMPAT_RE.sub(_compat_repl, s)
        if _DELETE_RE.search(s):  # step 3
            if "#" in s or "@" in s:  # full-width signs were folded by step 2
                s = _DELETE_BEFORE_SIGN_RE.sub(" ", s)
            s = _DELETE_RE.sub("", s)
    if not s.isascii() and not unicodedata.is_normalized("NFC", s):  # step 4
        s = nfc(s)
    if suspect:  # step 5: Zs and tab to space, then the structure
        s = _ODD_SPACE_RE.sub(" ", s)
    return _space_structure(s)


def _search_from_clean(s: str) -> str:
    if s.isascii():
        return s.lower()  # nothing else in the search steps touches ASCII
    n = len(s)
    s = _SEARCH_MAP_RE.sub(_search_repl, s)  # steps 1-3: deletions and rare folds
    deleted = len(s) != n  # folds are one-to-one, so a shorter string means a deletion
    for a, b in _FOLD_PAIRS:  # steps 2-3: frequent folds
        s = s.replace(a, b)
    low = s.lower()  # step 4
    # step 5: s was NFC (clean) and no fold target starts a canonical composition (tested), so
    # only a deletion or a case change can make it non-NFC.
    if (deleted or low != s) and not unicodedata.is_normalized("NFC", low):
        low = unicodedata.normalize("NFC", low)
    return _space_structure(low) if deleted else low


def normalize(text: str, profile: str = "clean") -> str:
    """Normalize ``text`` with ``profile`` ``"clean"`` (stored text) or ``"search"`` (keys).

    Total on every ``str``, idempotent, and ``normalize(normalize(x), "search") ==
    normalize(x, "search")``.
    """
    if profile == "clean":
        return _clean(text)
    if profile == "search":
        return _search_from_clean(_clean(text))
    raise ValueError(f"unknown normalization profile {profile!r}; valid profiles: {PROFILES}")


@overload
def normalize_batch(texts: Sequence[str | None], profile: str = "clean") -> list[str | None]: ...
@overload
def normalize_batch(texts: pa.Array, profile: str = "clean") -> pa.Array: ...
@overload
def normalize_batch(texts: pa.ChunkedArray, profile: str = "clean") -> pa.ChunkedArray: ...


def normalize_batch(texts: Any, profile: str = "clean") -> Any:
    """``normalize`` over a batch; ``None`` stays ``None``.

    ``texts`` is a sequence of ``str | None`` (returns a ``list``) or a pyarrow
    ``StringArray``/``LargeStringArray``/``ChunkedArray`` (returns a pyarrow array of the same
    string type; a chunked input gives a chunked output). Runs on the compiled path when it is
    built (``transforms.fast``), through the column functions the pipeline uses
    (``transforms.text``): the same results as ``normalize`` on each text either way.
    """
    if profile not in PROFILES:
        raise ValueError(f"unknown normalization profile {profile!r}; valid profiles: {PROFILES}")
    if isinstance(texts, str):
        raise TypeError("normalize_batch takes a sequence of strings; use normalize() for one")
    from transforms import text  # local: text imports this module (and pyarrow)

    if not isinstance(texts, Sequence) and type(texts).__module__.startswith("pyarrow"):
        return text.normalize_arrow(texts, profile)
    texts = texts if isinstance(texts, list) else list(texts)
    try:
        clean, _ = text.clean_column(texts)
        if profile == "clean":
            return clean
        return text.search_column(clean).to_numpy(zero_copy_only=False).tolist()
    except UnicodeEncodeError:  # a lone surrogate: kept in place, but no UTF-8 can hold it
        return [None if t is None else normalize(t, profile) for t in texts]


@overload
def search_of_clean_batch(texts: Sequence[str | None]) -> list[str | None]: ...
@overload
def search_of_clean_batch(texts: pa.Array) -> pa.Array: ...
@overload
def search_of_clean_batch(texts: pa.ChunkedArray) -> pa.ChunkedArray: ...


def search_of_clean_batch(texts: Any) -> Any:
    """``normalize(t, "search")`` for texts that are already clean (``normalize(t) == t``, as
    ``normalize_batch(x)`` returns them), without running the clean steps again: they are most
    of search's cost. Takes and returns what ``normalize_batch`` does, on the compiled path
    when it is built. On text that is not clean the result is unspecified."""
    if isinstance(texts, str):
        raise TypeError("search_of_clean_batch takes a sequence of strings")
    from transforms import text  # local: text imports this module (and pyarrow)

    if not isinstance(texts, Sequence) and type(texts).__module__.startswith("pyarrow"):
        return text.normalize_arrow(texts, "search", already_clean=True)
    try:
        return text.search_column(texts).to_numpy(zero_copy_only=False).tolist()
    except UnicodeEncodeError:  # a lone surrogate (see normalize_batch)
        return search_of_clean_python(texts)


def search_of_clean_python(texts: Sequence[str | None]) -> list[str | None]:
    """``search_of_clean_batch`` in pure Python: the definition the compiled path is checked
    against, and what runs where it is not built."""
    return [None if t is None else _search_from_clean(t) for t in texts]
