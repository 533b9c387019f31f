"""Code that is not news text: the CSS rules, scripts, jQuery calls and JSON that scrapers
leave in article bodies, found as spans of the clean text so that extraction and search skip
them (issue 16: on SaudiNewsNet, colour codes such as `#ccc` and jQuery ids such as
`#vote_area2` from 8 bodies were 13 of the top 20 hashtags).

What counts as code (`code_spans`), conservatively, because Arabic news uses braces for
Quranic verses and quotations (`{إنا لله وإنا إليه راجعون}`) and those must stay:

- a **brace block** `{…}` (balanced, outermost) whose inside, strings left out, is mostly not
  Arabic letters (`ARABIC_MAX` of its letters at most) and looks like code: a CSS declaration
  ending with `;` or two of them (`color: #ccc;`), a JS keyword (`function`, `return`, `var`,
  `=>`, `this.`), a call statement (`f(x);`) or a JSON key (`{"id": …`). It takes with it its
  head, the selector or call before it on the same line (`.box_vote h4`,
  `jQuery(document).ready(function()`), and the closers after it (`});`);
- a `<script>`/`<style>` element, or a stray tag of one;
- a **statement** ending with `;`: `var x = …;` (also `let`, `const`), `jQuery(…)…;`,
  `$('…')…;`, `jQuery.f(…);`, `$.f(…);`, `document.…;`, `window.…;`;
- a **hex colour** where a hashtag would be: `#` and 3 or 6 hex digits with a digit among them
  or one letter repeated (`#f8f8f8`, `#449EC0`, `#ccc`, `#fff`), not `#add` or `#cafe`.
  twitter-text makes `#ccc` a hashtag (tests/test_conformance.py keeps that); this is an
  akhbar rule of the pipeline, outside `extract_hashtags`.

Spans separated by text with no Arabic letter outside quotes (spaces, `jQuery.noConflict();`)
merge into one. Offsets are code points of the text given; `mask` blanks the spans with
spaces (same length: hashtag and entity offsets still index the stored clean text) and
`prose` removes them (what `*_norm` holds).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["ARABIC_MAX", "CodeMasked", "code_spans", "mask", "mask_batch"]

Span = tuple[int, int]

#: A brace block with more Arabic letters than this share of its letters is prose.
ARABIC_MAX = 0.3
HEAD_MAX = 300  # characters looked back from a block's `{` for its selector or call
GAP_MAX = 300  # spans at most this far apart, with no Arabic between, merge

_AR = (  # the Arabic letters (no harakat, digits, punctuation or tatweel)
    "\u0620-\u063f\u0641-\u064a\u066e\u066f\u0671-\u06d3\u06d5\u06ee\u06ef"
    "\u06fa-\u06fc\u06ff\u0750-\u077f\u08a0-\u08c9"
)
_AR_LETTER = re.compile(f"[{_AR}]")
_QUOTED = re.compile(r"'[^'\n]*'|\"[^\"\n]*\"")
_DECL = re.compile(r"(?:^|[{;\s])-?[A-Za-z][A-Za-z-]*\s*:\s*[^\s;{}:][^;{}]*(;)?")
_JS = re.compile(
    r"\b(?:function|return|var|let|const|typeof|new)\b|=>|\bthis\.|[\w\])]\s*\([^()]*\)\s*;"
)
_JSON_KEY = re.compile(r"^\s*\"[^\"\n]+\"\s*:")
_PUNCT = re.compile(r"[;:(){}\[\]=,]")
_TAGS = re.compile(
    r"<(script|style)\b[^>]*>.*?</\1\s*>|</?(?:script|style|noscript)\b[^>]*>",
    re.IGNORECASE | re.DOTALL,
)
_CALL = r"(?:\bjQuery|\$)\s*\(\s*(?:['\"]|document\b|window\b|this\b)"
_STATEMENT = re.compile(
    r"\b(?:var|let|const)\s+[A-Za-z_$][\w$]*\s*=[^;\n]{0,300};"
    rf"|{_CALL}[^;\n]{{0,300}};"
    r"|(?:\bjQuery|\$)\.[A-Za-z_$][\w$.]*\s*\([^;\n]{0,300};"
    r"|\b(?:document|window)\.[A-Za-z_$][\w$.]*\s*[(=][^;\n]{0,300};"
)
_HEX = re.compile(r"(?<![\w&])#([0-9A-Fa-f]{6}|[0-9A-Fa-f]{3})(?!\w)")
_HEAD_CUT = re.compile(r".*(?:[};]|[.!?؟]\s)", re.DOTALL)
_EDGE = " \t\n.,،؛:!?؟«»\"'…-"


def _arabic_letters(s: str) -> int:
    return len(_AR_LETTER.findall(s))


def _is_code_block(inside: str) -> bool:
    """Is the inside of a brace block code (module docstring)?"""
    bare = _QUOTED.sub("''", inside)
    letters = sum(c.isalpha() for c in bare)
    if letters and _arabic_letters(bare) > ARABIC_MAX * letters:
        return False
    if _JSON_KEY.match(inside):
        return True
    decls = [m.group(1) for m in _DECL.finditer(bare)]
    if not (any(decls) or len(decls) >= 2 or _JS.search(bare)):
        return False
    solid = len(bare) - bare.count(" ")
    return len(_PUNCT.findall(bare)) >= 0.04 * solid


def _is_colour(h: str) -> bool:
    """Hex digits that would make a hashtag (a letter) and look like a colour (a digit too,
    or one letter repeated: `ccc`, `FFFFFF`)."""
    letter = any(c.isalpha() for c in h)
    return letter and (any(c.isdigit() for c in h) or len(set(h.lower())) == 1)


def _blocks(text: str) -> list[Span]:
    """The outermost balanced `{…}` pairs; unmatched braces are left out (prose)."""
    stack: list[int] = []
    pairs: list[Span] = []
    for m in re.finditer(r"[{}]", text):
        if m.group() == "{":
            stack.append(m.start())
        elif stack:
            pairs.append((stack.pop(), m.end()))
    pairs.sort()
    out: list[Span] = []
    for s, e in pairs:
        if not out or s >= out[-1][1]:
            out.append((s, e))
    return out


def _head(text: str, start: int) -> int:
    """Where a code block's head starts: back over what is not an Arabic letter or a line
    break, from the last `}`, `;` or sentence end there."""
    i = start
    low = max(start - HEAD_MAX, 0)
    while i > low and text[i - 1] != "\n" and not _AR_LETTER.match(text[i - 1]):
        i -= 1
    cut = _HEAD_CUT.match(text, i, start)
    return cut.end() if cut else i


def _tail(text: str, end: int) -> int:
    """A block's closers after it: `)`, `]`, `;`, `,` and spaces."""
    while end < len(text) and text[end] in " )];,":
        end += 1
    return end


def _after_call(text: str, start: int) -> bool:
    """Does an empty block `{}` follow `)` or `=` (`function(){}`, `x = {}`)?"""
    before = text[max(start - 40, 0) : start].rstrip()
    return before.endswith((")", "="))


def _candidates(text: str) -> list[Span]:
    spans: list[Span] = []
    if "{" in text:
        for s, e in _blocks(text):
            if _is_code_block(text[s + 1 : e - 1]) or (e - s == 2 and _after_call(text, s)):
                spans.append((_head(text, s), _tail(text, e)))
    if "<" in text:
        spans += [m.span() for m in _TAGS.finditer(text)]
    if ";" in text:
        spans += [m.span() for m in _STATEMENT.finditer(text)]
    if "#" in text:
        for m in _HEX.finditer(text):
            if _is_colour(m.group(1)):
                spans.append(m.span())
    return spans


def _trim(text: str, s: int, e: int) -> Span:
    while s < e and text[s] in _EDGE and text[s] not in "\"'":
        s += 1
    while e > s and text[e - 1] in " \t\n":
        e -= 1
    return s, e


def code_spans(text: str) -> list[Span]:
    """The spans of `text` that are code (module docstring), sorted, disjoint, merged."""
    found = sorted(_candidates(text))
    merged: list[Span] = []
    for s, e in found:
        if merged:
            ps, pe = merged[-1]
            gap = text[pe:s] if s > pe else ""
            if s <= pe or (len(gap) <= GAP_MAX and not _arabic_letters(_QUOTED.sub("", gap))):
                merged[-1] = (ps, max(pe, e))
                continue
        merged.append((s, e))
    out = [_trim(text, s, e) for s, e in merged]
    return [(s, e) for s, e in out if e > s]


def mask(text: str, spans: Sequence[Span]) -> str:
    """`text` with each span replaced by as many spaces: offsets are unchanged."""
    parts, last = [], 0
    for s, e in spans:
        parts += [text[last:s], " " * (e - s)]
        last = e
    parts.append(text[last:])
    return "".join(parts)


@dataclass(slots=True)
class CodeMasked:
    """A column of clean texts with their code blanked out (`mask`), for extraction, and the
    characters of code in each. `changed` lists the rows that had any."""

    texts: list[str | None]
    code_chars: list[int]
    changed: list[int]


def mask_batch(texts: Sequence[str | None]) -> CodeMasked:
    """`mask(t, code_spans(t))` of each clean text (None stays None)."""
    out: list[str | None] = list(texts)
    chars = [0] * len(out)
    changed = []
    for i, t in enumerate(texts):
        if not t or not ("{" in t or "<" in t or ";" in t or "#" in t):
            continue
        spans = code_spans(t)
        if spans:
            out[i] = mask(t, spans)
            chars[i] = sum(e - s for s, e in spans)
            changed.append(i)
    return CodeMasked(out, chars, changed)
