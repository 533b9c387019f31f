"""Hashtag and @mention extraction from clean text (the rules: docs/extraction.md).

Two modes:

* ``strict=True`` reproduces twitter-text's hashtag and screen-name extraction (the rules were
  written from its published regex specification and conformance suite, not copied from it).
* ``strict=False`` (the default) returns the strict entities plus two rules Arabic news needs,
  labelled in ``Entity.rule``: ``proclitic`` (``و#حفتر``) and ``displaced`` (``من# روسيا``,
  ``JonVoyage# لوداع``). Strict results are always a subset of default results.

Offsets are code points into the given text and exclude the sign: ``text[e.start:e.end] ==
e.text``. See docs/extraction.md for the rule tables and the differences from twitter-text.

Why the third-party ``regex`` module and not ``re``: the rules are defined over Unicode
categories (``\\p{L}``, ``\\p{M}``, ``\\p{Nd}``, the Arabic script), which ``re`` cannot express
without generating huge code-point classes at import time; ``regex`` also gives possessive
quantifiers, atomic groups and variable-width look-behind, which keep every pattern linear and
let each match start on the sign itself (so the scan is a fast first-character search).
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, NamedTuple

import regex

from transforms.normalize import normalize
from transforms.urls import LATIN_ACCENTS, url_spans

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = [
    "Entity",
    "extract_batch",
    "extract_hashtags",
    "extract_mentions",
    "gc_paused",
]


class Entity(NamedTuple):
    """One hashtag or mention. A NamedTuple because the batch path builds tens of thousands of
    them per second and tuple construction is about twice as fast as a frozen dataclass."""

    text: str  # the name without its sign, exactly as in the text
    key: str  # hashtags: normalize(text, "search"); mentions: lower-cased handle
    start: int  # code-point offset of the first character after the sign
    end: int  # exclusive; text[start:end] == self.text
    rule: str  # "standard" | "proclitic" | "displaced"


STANDARD = "standard"
PROCLITIC = "proclitic"
DISPLACED = "displaced"

# --- character classes (twitter-text's definitions, expressed with Unicode properties) ---------

# Characters that may continue a hashtag but are neither letters nor marks.
_TAG_NONALPHA = (
    r"\p{Nd}_\u200c\u200d\ua67e\u05be\u05f3\u05f4\uff5e\u301c\u309b\u309c\u30a0\u30fb\u3003"
    r"\u0f0b\u0f0c\u00b7"
)
_TAG_ALPHA = r"\p{L}\p{M}"
_TAG_CHAR = _TAG_ALPHA + _TAG_NONALPHA
# A tag is the maximal run of tag characters after the sign and must hold a letter or mark.
# Possessive quantifiers make "maximal" literal: the run is never shortened to dodge a rule.
_TAG = rf"[{_TAG_NONALPHA}]*+[{_TAG_ALPHA}][{_TAG_CHAR}]*+"
# A tag followed by another sign or by "://" is not a tag (twitter-text drops the whole match).
_TAG_END = r"(?![#＃]|://)"
# Keycap (#⃣) and emoji-presentation (#️) sequences start with '#' but are emoji, not tags.
_NOT_EMOJI = r"(?![\ufe0f\u20e3])"
# twitter-text's hashtag boundary: start, a variation selector, or anything that is not a tag
# character or '&' ('&#...;' is an HTML character reference).
_STRICT_BEFORE = rf"(?:^|[\ufe0e\ufe0f]|[^{_TAG_CHAR}&])"

_HARAKAT = r"\u064b-\u065f\u0670"
# Arabic-script letters; tatweel (U+0640, script Common) counts because it only ever stretches
# an Arabic letter.
_AR_LETTER = r"[[\p{Arabic}&&\p{L}]\u0640]"
_PROCLITICS = "وفبلك"
# Horizontal spaces only: a sign at the end of a line does not bind to the next line's word.
_HSPACE = r"[\p{Zs}\t]"
_LATIN_TAG_CHAR = r"[\p{Latin}0-9_\u0300-\u036f]"

_STRICT_ALT = rf"(?<={_STRICT_BEFORE}[#＃]){_NOT_EMOJI}(?P<s>{_TAG}){_TAG_END}"
_PROCLITIC_ALT = (
    rf"(?<=(?:^|[^{_TAG_CHAR}&])[{_PROCLITICS}][{_HARAKAT}]*[#＃]){_NOT_EMOJI}(?P<p>{_TAG})"
    rf"{_TAG_END}"
)
_DISPLACED_A_ALT = (
    rf"(?<={_AR_LETTER}[{_HARAKAT}]*[#＃]){_HSPACE}++(?P<d>{_AR_LETTER}[{_TAG_CHAR}]*+){_TAG_END}"
)
# The Latin word is captured inside the look-behind so that the match still starts on the sign.
# It must be the whole word: a tag character, '&', a sign or '@' before it blocks the rule.
_DISPLACED_B_ALT = rf"(?<=(?:^|[^{_TAG_CHAR}&#＃@＠])(?P<b>{_LATIN_TAG_CHAR}{{2,}})[#＃])(?=\s|\Z)"

# twitter-text's regex consumes the boundary character, and a candidate dropped by the end rule
# ('#a️' before '#b') has consumed its tag: a variation selector ending one candidate's tag is no
# boundary for the next sign. (It is the only character that can be both: every other tag
# character blocks the boundary.) Texts with a sign after a variation selector are checked
# against this consuming scan.
_VARIATION_SELECTORS = frozenset("\ufe0e\ufe0f")
_CONSUMING_RE = regex.compile(
    rf"(?s)(?:^|[\ufe0e\ufe0f]|(?![{_TAG_CHAR}&]).)[#＃]{_NOT_EMOJI}(?P<t>{_TAG})"
)

# Every alternative starts on the sign, so regex's first-character scan skips text quickly.
_HASHTAG_STRICT_RE = regex.compile(rf"(?V1)[#＃]{_STRICT_ALT}")
_HASHTAG_DEFAULT_RE = regex.compile(
    rf"(?V1)[#＃](?:{_STRICT_ALT}|{_PROCLITIC_ALT}|{_DISPLACED_A_ALT}|{_DISPLACED_B_ALT})"
)

# --- mentions ---------------------------------------------------------------------------------

# The preceding character is *consumed*, as in twitter-text, because a dropped candidate
# (e.g. '@a/b-' in '@a/b-@c') still consumes its text there and so hides what follows it.
# The handle and list are atomic: a handle that fails the end rule is dropped, never shortened.
_MENTION_RE = regex.compile(
    r"(?:^|[^a-zA-Z0-9_!#$%&*@＠]|(?:^|[^a-zA-Z0-9_+~.-])(?:rt|RT|rT|Rt):?)[@＠]"
    r"(?>(?P<h>[a-zA-Z0-9_]{1,20})(?:/[a-zA-Z][a-zA-Z0-9_-]{0,24})?)"
    rf"(?:(?=[@＠{LATIN_ACCENTS}]|://)(?P<x>))?"
)

# --- URLs (only to drop hashtags inside them, as twitter-text does: transforms/urls.py) ------

# A '#' can only sit inside a URL (in its path or query) if the character before it is part of
# the URL and also passes the hashtag boundary: ASCII punctuation (a '#' too: '/a##tag'), an en
# dash. Other tags never pay for URL matching.
_URL_CONTEXT = frozenset("!\"#$%'()*+,-./:;<=>?@[\\]^`{|}~\u2013")
# The batch path hands texts with a sign after one of these to the reference path.
_RESCAN_CONTEXT = _URL_CONTEXT | _VARIATION_SELECTORS

_SIGNS_HASH = ("#", "＃")
_SIGNS_AT = ("@", "＠")

# --- keys -------------------------------------------------------------------------------------

_KEY_CACHE: dict[str, str] = {}
_KEY_CACHE_MAX = 200_000


def _hashtag_key(tag: str) -> str:
    # Tags repeat heavily (a trending tag appears thousands of times); normalize() costs
    # microseconds, a dict hit tens of nanoseconds.
    key = _KEY_CACHE.get(tag)
    if key is None:
        key = normalize(tag, "search")
        if len(_KEY_CACHE) >= _KEY_CACHE_MAX:
            _KEY_CACHE.clear()
        _KEY_CACHE[tag] = key
    return key


# --- core -------------------------------------------------------------------------------------


def _drop_tags_in_urls(text: str, tags: list[Entity], signs: list[int]) -> list[Entity]:
    """twitter-text's removeOverlappingEntities over hashtags (sign included) and URLs: sorted
    by start, an entity starting before the end of the last kept one is removed."""
    urls = url_spans(text)
    if not urls:
        return tags
    merged: list[tuple[int, int, int]] = [(s, e, -1) for s, e in urls]
    merged += [(signs[i], tag.end, i) for i, tag in enumerate(tags)]
    merged.sort()
    kept: list[Entity] = []
    prev_end = -1
    for start, end, idx in merged:
        if start < prev_end:
            continue
        prev_end = end
        if idx >= 0:
            kept.append(tags[idx])
    return kept


def _in_any_url(text: str, start: int, end: int) -> bool:
    return any(s < end and start < e for s, e in url_spans(text))


def _unconsumed(text: str, tags: list[Entity], signs: list[int]) -> tuple[list[Entity], list[int]]:
    """The tags whose sign twitter-text's consuming scan also reaches (see _CONSUMING_RE)."""
    reached = {m.start("t") - 1 for m in _CONSUMING_RE.finditer(text)}
    kept = [(t, s) for t, s in zip(tags, signs, strict=True) if s in reached]
    return [t for t, _ in kept], [s for _, s in kept]


def _hashtags_of_text(text: str, strict: bool) -> list[Entity]:
    """All hashtags of one text (the reference path; the batch path defers to it for the rare
    texts whose tags may sit inside a URL)."""
    pattern = _HASHTAG_STRICT_RE if strict else _HASHTAG_DEFAULT_RE
    strict_tags: list[Entity] = []
    signs: list[int] = []
    extra: list[Entity] = []
    check_urls = False
    for m in pattern.finditer(text):
        sign = m.start()
        if m.start("s") >= 0:
            s, e = m.span("s")
            strict_tags.append(Entity(m.group("s"), _hashtag_key(m.group("s")), s, e, STANDARD))
            signs.append(sign)
            if sign and text[sign - 1] in _URL_CONTEXT:
                check_urls = True
        elif m.start("p") >= 0:
            s, e = m.span("p")
            extra.append(Entity(m.group("p"), _hashtag_key(m.group("p")), s, e, PROCLITIC))
        elif m.start("d") >= 0:
            s, e = m.span("d")
            extra.append(Entity(m.group("d"), _hashtag_key(m.group("d")), s, e, DISPLACED))
        else:
            tag = m.group("b")
            s, e = m.span("b")
            if not any(c.isalpha() for c in tag):
                continue
            # Arabic-letter contexts (proclitic, displaced a) can never lie inside a URL path;
            # a Latin word before '#' can ('x.com/Page# ').
            if s and text[s - 1] in _URL_CONTEXT and _in_any_url(text, s, sign + 1):
                continue
            extra.append(Entity(tag, _hashtag_key(tag), s, e, DISPLACED))
    if any(sign and text[sign - 1] in _VARIATION_SELECTORS for sign in signs):
        strict_tags, signs = _unconsumed(text, strict_tags, signs)
    if check_urls:
        strict_tags = _drop_tags_in_urls(text, strict_tags, signs)
    if not extra:
        return strict_tags
    out = strict_tags + extra
    out.sort(key=lambda ent: ent.start)
    return out


def _mentions_of_text(text: str) -> list[Entity]:
    out: list[Entity] = []
    for m in _MENTION_RE.finditer(text):
        if m.start("x") >= 0:
            continue
        handle = m.group("h")
        s, e = m.span("h")
        out.append(Entity(handle, handle.lower(), s, e, STANDARD))
    return out


def extract_hashtags(text: str, *, strict: bool = False) -> list[Entity]:
    """Hashtags of ``text`` in order of position. ``strict=True``: twitter-text's rules only."""
    if not text or ("#" not in text and "＃" not in text):
        return []
    return _hashtags_of_text(text, strict)


def extract_mentions(text: str, *, strict: bool = False) -> list[Entity]:
    """@mentions of ``text`` in order of position.

    The default mode adds nothing to twitter-text's rules: they already let an Arabic letter
    stand right before '@' (``عبر@user``) and already reject e-mail addresses, including a
    handle glued to one (``@name@hotmail.com``). ``strict`` is accepted for symmetry."""
    del strict  # same rules in both modes (see docstring)
    if not text or ("@" not in text and "＠" not in text):
        return []
    return _mentions_of_text(text)


# --- batch ------------------------------------------------------------------------------------

# Texts are joined with '\n' so one regex scan serves a whole batch. '\n' behaves exactly like a
# text boundary for every rule: it is not a tag, handle, URL or horizontal-space character, it
# satisfies every "start or non-word" look-behind and "end or space" look-ahead, and no match
# can cross it.
_SEP = "\n"


def _joined(rows: list[int], texts: Sequence[str | None]) -> tuple[str, list[int]]:
    starts: list[int] = []
    pos = 0
    parts: list[str] = []
    for r in rows:
        t = texts[r]
        assert t is not None
        starts.append(pos)
        parts.append(t)
        pos += len(t) + 1
    starts.append(pos)  # sentinel
    return _SEP.join(parts), starts


def _batch_hashtags(
    texts: Sequence[str | None], rows: list[int], strict: bool
) -> list[tuple[int, Entity]]:
    if not rows:
        return []
    big, starts = _joined(rows, texts)
    pattern = _HASHTAG_STRICT_RE if strict else _HASHTAG_DEFAULT_RE
    out: list[tuple[int, Entity]] = []
    append = out.append
    key_cache = _KEY_CACHE
    make = tuple.__new__  # skips NamedTuple's Python-level __new__: a third of the loop's cost
    done = -1  # a row already emitted whole by the scalar path
    k = 0
    base = 0
    nxt = starts[1]
    for m in pattern.finditer(big):
        # Group 1 is the strict tag in both patterns; the sign sits right before it.
        s, e = m.span(1)
        sign = s - 1 if s >= 0 else m.start()
        if sign >= nxt:
            while sign >= starts[k + 1]:
                k += 1
            base = starts[k]
            nxt = starts[k + 1]
        row = rows[k]
        if row == done:
            continue
        if s < 0 or (sign > base and big[sign - 1] in _RESCAN_CONTEXT):
            # Rare cases (proclitic/displaced, a tag that may sit in a URL, a sign after a
            # variation selector) take the
            # reference path for the whole text, which keeps batch == scalar by construction.
            # Rows arrive in order, so this row's earlier entities are at the end of `out`.
            while out and out[-1][0] == row:
                out.pop()
            text = texts[row]
            assert text is not None
            out.extend([(row, ent) for ent in _hashtags_of_text(text, strict)])
            done = row
            continue
        tag = big[s:e]
        key = key_cache.get(tag)
        if key is None:
            key = _hashtag_key(tag)
        append((row, make(Entity, (tag, key, s - base, e - base, STANDARD))))
    return out


def _batch_mentions(texts: Sequence[str | None], rows: list[int]) -> list[tuple[int, Entity]]:
    if not rows:
        return []
    big, starts = _joined(rows, texts)
    out: list[tuple[int, Entity]] = []
    k = 0
    for m in _MENTION_RE.finditer(big):
        if m.start("x") >= 0:
            continue
        s, e = m.span("h")
        while s >= starts[k + 1]:
            k += 1
        handle = m.group("h")
        out.append(
            (rows[k], Entity(handle, handle.lower(), s - starts[k], e - starts[k], STANDARD))
        )
    return out


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Python's cyclic collector paused (as the flows pause it around a batch): a batch makes a
    tuple per entity, none in a cycle, and each collection would rescan them all as they pile
    up (a fifth of the time on tweets, measured)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def _rows_with(texts: Sequence[str | None], signs: tuple[str, str]) -> list[int]:
    a, b = signs
    # `in` is a memchr-speed scan; most news texts hold no sign at all and cost only this.
    return [i for i, t in enumerate(texts) if t and (a in t or b in t)]


def extract_batch(
    texts: Sequence[str | None] | pa.Array | pa.ChunkedArray, *, strict: bool = False
) -> tuple[list[tuple[int, Entity]], list[tuple[int, Entity]]]:
    """Hashtags and mentions of many texts at once, as ``(row_index, entity)`` pairs ordered by
    row then position; ``None`` and empty texts yield nothing. Equal, pair for pair, to calling
    ``extract_hashtags`` / ``extract_mentions`` on each text. ``texts`` may also be a pyarrow
    string column (e.g. ``normalize_batch``'s output): rows count across its chunks.

    Row/entity pairs (rather than an Arrow table) because the flows attach ``article_id`` and
    ``field`` per row and build the Arrow table once per batch; see docs/extraction.md
    (``transforms.text.process_column`` gives them as Arrow lists)."""
    if not isinstance(texts, Sequence) and type(texts).__module__.startswith("pyarrow"):
        # a pyarrow (Chunked)Array: its rows as str | None (faster than to_pylist)
        texts = texts.to_numpy(zero_copy_only=False).tolist()
    hash_rows = _rows_with(texts, _SIGNS_HASH)
    at_rows = _rows_with(texts, _SIGNS_AT)
    with gc_paused():
        return _batch_hashtags(texts, hash_rows, strict), _batch_mentions(texts, at_rows)
