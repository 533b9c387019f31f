"""The matcher's view of clean text: one byte per code point, folded like the search profile.

Why bytes and why cp1256: the Aho-Corasick automaton runs over bytes, and Arabic letters take
two bytes in UTF-8, so UTF-8 offsets would need a costly map back to code points. Windows-1256
holds every Arabic letter, the harakat, Latin and the usual punctuation in one byte each, and
``str.encode("cp1256", "replace")`` turns every other code point into one ``?``: the encoded
text has exactly one byte per code point, so a byte offset *is* a code-point offset. One
``bytes.translate`` then applies the search profile's one-to-one folds (أ إ آ -> ا, ى -> ي,
ة -> ه, ک -> ك ...) and turns every character that is not a letter or a digit into a space,
so a name starts after a space byte and ends before a non-word byte.

The only step that changes length is the search profile's deletion of harakat, ZWNJ/ZWJ and
tatweel: ``fold`` deletes them and returns where they were, and ``Shift`` maps folded offsets
back (a mark goes with the letter before it). Folds whose source is not in cp1256 (ٱ, ی, ے...,
rare in news) are applied on the ``str`` first, one-to-one.
"""

from __future__ import annotations

import array
import bisect
import codecs
import itertools
import threading
import unicodedata
from typing import Any

from transforms.normalize import SEARCH_DELETE_CHARS, SEARCH_FOLDS

CODEC = "cp1256"
SPACE = 0x20
#: Separates texts in a batch buffer: a non-word byte that is not a space, so no name (whose
#: words are joined by spaces) can run from one text into the next.
SEPARATOR = "\x00"


def _encodable(c: str) -> bool:
    try:
        c.encode(CODEC)
    except UnicodeEncodeError:
        return False
    return True


_DELETE = [*SEARCH_DELETE_CHARS, "\u0640"]  # tatweel too: clean removes it already
# Deleted on the bytes when cp1256 has them (harakat, tatweel, ZWNJ/ZWJ), by the encoder's
# error handler otherwise (Quranic marks, superscript alef: rare).
_DELETE_BYTES = b"".join(c.encode(CODEC) for c in _DELETE if _encodable(c))
_DELETE_STR = frozenset(c for c in _DELETE if not _encodable(c))
# Letters only: a digit or a sign cp1256 lacks becomes "?", a word boundary, as it should.
_RARE = {
    a: b
    for a, b in SEARCH_FOLDS.items()
    if not _encodable(a) and _encodable(b) and unicodedata.category(a).startswith("L")
}
_MARK_TO_ONE = bytes(_DELETE_BYTES[0] if b in _DELETE_BYTES else b for b in range(256))
_ERRORS = "akhbar-entity-fold"
_deleted_here = threading.local()


def _on_unencodable(exc: UnicodeError) -> tuple[str, int]:
    """cp1256 has no such character: a rare fold (ی -> ي), a deletion (remembered), or "?"."""
    assert isinstance(exc, UnicodeEncodeError)
    out = []
    deleted: list[int] = _deleted_here.marks
    for i in range(exc.start, exc.end):
        c = exc.object[i]
        if c in _DELETE_STR:
            deleted.append(i - len(deleted))
        else:
            out.append(_RARE.get(c, "?"))
    return "".join(out), exc.end


codecs.register_error(_ERRORS, _on_unencodable)


def _is_word(c: str) -> bool:
    cat = unicodedata.category(c)
    return cat in ("Lu", "Ll", "Lo", "Nd")


YEH, ALEF_MAKSURA, NEWLINE = 0xED, 0xEC, 0x0A


def _tables() -> tuple[bytes, bytes, bytes]:
    fold = bytearray(range(256))
    word = bytearray(256)
    for b in range(256):
        c = bytes([b]).decode(CODEC)
        if _is_word(c):
            f = c if c == "ى" else SEARCH_FOLDS.get(c, c).lower()
            fb = f.encode(CODEC, "replace")
            fold[b] = fb[0] if len(fb) == 1 else b
            word[b] = 1
        elif c not in (SEPARATOR, "\n"):
            fold[b] = SPACE
    auto = bytearray(range(256))
    auto[ALEF_MAKSURA], auto[NEWLINE] = YEH, SPACE
    return bytes(fold), bytes(word), bytes(auto)


#: byte -> folded byte, except that ى and the line break stay (the rules tell على from علي
#: and do not run a name across lines); WORD[b] is 1 for letters and digits; AUTO finishes the
#: search profile's fold for the automaton (ى -> ي, line break -> space).
FOLD, WORD, AUTO = _tables()


class Shift:
    """Maps offsets in the folded text back to the original. ``marks``: for each deletion
    step, last step first, the positions of the deleted characters in that step's output
    (each is the position of the character after it)."""

    __slots__ = ("marks",)

    def __init__(self, marks: list[list[int]]) -> None:
        self.marks = [m for m in marks if m]

    def orig(self, f: int) -> int:
        """Original offset of folded offset ``f``: skips the deleted characters before it
        (for a start) or keeps those after the previous letter (for an exclusive end)."""
        for m in self.marks:
            f += bisect.bisect_right(m, f)
        return f


def fold_py(text: str) -> tuple[bytes, Shift]:
    """The folded bytes of ``text`` and the map back to its offsets (the definition; ``fold``
    is the compiled one-pass version when ``_entmatch`` is built)."""
    _deleted_here.marks = str_marks = []
    raw = text.encode(CODEC, _ERRORS)
    byte_marks: list[int] = []
    if raw.translate(None, _DELETE_BYTES) != raw:
        # positions of the deleted bytes in the output: the lengths of the runs between them
        parts = raw.translate(_MARK_TO_ONE).split(_DELETE_BYTES[:1])
        byte_marks = list(itertools.accumulate(map(len, parts[:-1])))
    return raw.translate(FOLD, _DELETE_BYTES), Shift([byte_marks, str_marks])


def _enc_table() -> bytes:
    """What the compiled fold looks up per BMP code point: its cp1256 byte after the error
    handler (a rare fold or "?"), or 0x100 where the handler deletes it."""
    table = array.array("H", [ord("?")]) * 0x10000
    for b in range(256):
        table[ord(bytes([b]).decode(CODEC))] = b
    for a, r in _RARE.items():
        table[ord(a)] = r.encode(CODEC)[0]
    for c in _DELETE_STR:
        table[ord(c)] = 0x100
    assert all(ord(c) < 0x10000 for c in [*_RARE, *_DELETE_STR])  # the rest is "?"
    return table.tobytes()


_ext: Any
try:
    from transforms import _entmatch as _ext
except ImportError:  # not built: fold is the Python definition
    _ext = None
if _ext is not None:
    _ext.init_fold(_enc_table(), FOLD, bytes(b in _DELETE_BYTES for b in range(256)))


def fold(text: str) -> tuple[bytes, Shift]:
    """The folded bytes of ``text`` and the map back to its offsets."""
    if _ext is None:
        return fold_py(text)
    fb, byte_marks, str_marks = _ext.fold(text)
    return fb, Shift([byte_marks, str_marks])


def fold_phrase(text: str) -> bytes:
    """A gazetteer phrase as the automaton sees it: folded, words joined by one space."""
    return b" ".join(fold(text)[0].translate(AUTO).split())


def fold_words(text: str) -> frozenset[bytes]:
    """Words as the rules see them (ى kept), with ي for a final ى: news writes إلى as إلي,
    but the name علي is never written على."""
    out = set()
    for w in fold(text)[0].split():
        out.add(w)
        if w.endswith(b"\xec"):
            out.add(w[:-1] + b"\xed")
    return frozenset(out)


def decode(b: bytes) -> str:
    return b.decode(CODEC)
