"""People, places and organisations in clean text: gazetteer matching plus rules.

``extract_entities(text)`` and ``extract_entities_batch(texts)`` take *clean* text
(``normalize(text, "clean")``) and return ``EntityMention`` tuples whose ``start``/``end`` are
code-point offsets into that text (``text[m.start:m.end] == m.surface``). The span leaves out
a proclitic (و ف ب ل ك and their pairs) and keeps the article; in ``للأمم المتحدة`` it starts
after the proclitic ل (``لأمم المتحدة``). Rules (``.rule``): ``gazetteer``, ``nisba``
(demonyms, pointing at the country), ``surname``, ``context`` (an ambiguous name with
context), ``title`` and ``given_name`` (people in no list), ``keyword`` (مدينة X، صحيفة X).
docs/entities.md has the details.

The batch function joins the texts, folds them once (``entity_fold``), runs the Aho-Corasick
automaton once and the rules once over the whole buffer; the rules that need a whole text
group by text, so each text's result depends on that text only and the batch equals the
scalar calls (tested). The matcher is built once per process and per entities file
(``warm``), never per batch.
"""

from __future__ import annotations

import functools
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NamedTuple

import pyarrow as pa

from transforms import entity_fast
from transforms import entity_people as people
from transforms import entity_rules as rules
from transforms.entity_columns import MentionColumns
from transforms.entity_fold import AUTO, SEPARATOR, Shift, decode, fold_py
from transforms.entity_tables import Tables, build_tables
from transforms.extract import gc_paused
from transforms.gazetteer import (
    Gazetteer,
    GazetteerError,
    build_gazetteer,
    read_sources,
    read_user_file,
)

__all__ = [
    "EntityMatcher",
    "EntityMention",
    "GazetteerError",
    "MentionColumns",
    "extract_entities",
    "extract_entities_batch",
    "gazetteer_version",
    "install",
    "installed",
    "load_gazetteer",
    "matcher",
    "warm",
]

_JOIN = "\n" + SEPARATOR + "\n"
_fast: Any = entity_fast.ext  # the compiled path (None when not built)
_new = tuple.__new__  # builds a NamedTuple without its Python-level __new__ (hot path)
#: Entity ids of names found by a rule (no gazetteer entry): ``x:per:`` (``x:loc:``,
#: ``x:org:``) + their words as the search profile folds them.
RULE_ID_PREFIX = "x:"


class EntityMention(NamedTuple):
    entity_id: str
    type: str  # "PER" | "LOC" | "ORG"
    start: int  # code-point offset in the clean text
    end: int  # exclusive; text[start:end] == surface
    surface: str
    rule: str


EM = EntityMention


class EntityMatcher:
    """A built matcher: the gazetteer, its automaton and the rules."""

    def __init__(
        self, gazetteer: Gazetteer, compiled: bool | None = None, tables: Tables | None = None
    ) -> None:
        """``compiled``: use ``_entmatch`` (default: when it is built); False runs the Python
        functions, the definition (the tests compare the two). ``tables``: the gazetteer's,
        built earlier (``entity_cache``); else they are built now."""
        self.gazetteer = gazetteer
        self.tables: Tables = build_tables(gazetteer) if tables is None else tables
        self.compiled = entity_fast.available() if compiled is None else compiled
        if self.compiled and not entity_fast.available():
            raise RuntimeError("transforms._entmatch is not built")
        self._sort_ctx = entity_fast.sort_context(self.tables) if self.compiled else ()
        self._people_ctx = people.person_context(self.tables) if self.compiled else ()
        self._ids: pa.Array | None = None

    @property
    def version(self) -> str:
        return self.gazetteer.version

    def extract(self, text: str) -> list[EntityMention]:
        return self.extract_batch([text])[0]

    def extract_batch(self, texts: Sequence[str | None] | Any) -> list[list[EntityMention]]:
        """One list of mentions per text (``None`` gives an empty list). ``texts``: a sequence
        of ``str | None`` or a pyarrow string array."""
        with gc_paused():  # a batch makes tens of thousands of tuples, none in a cycle
            items, found, bounds, shift = self._found(texts)
            return self._mentions(items, found, bounds, shift)

    def _mentions(
        self, items: list[str], found: list, bounds: list[tuple[int, int]], shift: Shift
    ) -> list[list[EntityMention]]:
        if self.compiled:
            ids = self.tables.ids
            return _fast.split(found, items, bounds, shift.marks, (ids, rule_id, EntityMention))
        return self._split(found, items, bounds, shift)

    def extract_columns(self, texts: Sequence[str | None] | Any) -> MentionColumns:
        """The mentions of all the texts as Arrow columns (what the pipeline's rows take):
        the same mentions as ``extract_batch``, in the same order."""
        with gc_paused():
            items, found, bounds, shift = self._found(texts)
            if self.compiled:
                ids = self.tables.ids
                raw = _fast.split_columns(found, items, bounds, shift.marks, (len(ids), rule_id))
                return MentionColumns.of_buffers(raw, self._ids_array())
            return MentionColumns.of(self._split(found, items, bounds, shift))

    def _ids_array(self) -> pa.Array:
        if self._ids is None:  # once per matcher: tens of thousands of ids
            self._ids = pa.array(self.tables.ids, pa.string())
        return self._ids

    def _found(self, texts: Sequence[str | None] | Any) -> tuple[list[str], list, list, Shift]:
        """The texts as a list, their mentions in folded offsets (sorted), their bounds in
        the folded batch buffer and the map back to their offsets."""
        if isinstance(texts, str):
            raise TypeError("extract_batch takes a sequence of texts; use extract() for one")
        if not isinstance(texts, Sequence) and hasattr(texts, "to_pylist"):
            texts = texts.to_pylist()  # a pyarrow (chunked) string array
        items = ["" if t is None else t for t in texts]
        fb, auto, shift, bounds = (_folded if self.compiled else _folded_py)(items)
        t = self.tables
        matches = t.automaton.find_matches_as_indexes(auto)
        # The rules run once over the whole batch: a name never runs across the separator,
        # and the rules that look at the whole text (context, lone surnames) group by text.
        if self.compiled:
            found, pending, titles, givens, keywords = _fast.sort_matches(
                fb, matches, self._sort_ctx
            )
            tm = rules.TextMatches(
                found, pending, titles, givens, [], keywords, True, self._people_ctx
            )
        else:
            tm = rules.sort_matches(fb, t, matches)
        if tm.pending:
            rules.accept_pending(fb, t, tm, [hi for _lo, hi in bounds])
        if tm.keywords:
            rules.keyword_names(fb, t, tm)
        if tm.titles:
            people.title_people(fb, t, tm)
        if tm.givens:
            people.given_people(fb, t, tm)
        people.lone_surnames(fb, t, bounds, tm)
        return items, rules.resolve_overlaps(tm.found, self.compiled), bounds, shift

    def _split(
        self, found: list, items: list[str], bounds: list[tuple[int, int]], shift: Shift
    ) -> list[list[EntityMention]]:
        """Sorted mentions in folded offsets -> one list per text, in its own offsets."""
        out: list[list[EntityMention]] = []
        ids, k, base = self.tables.ids, 0, 1

        def eid(f: tuple) -> str:
            return ids[f[2]] if f[2] >= 0 else rule_id(f[3], f[5])

        starts = [f[0] for f in found]
        orig = shift.orig
        if len(shift.marks) == 1:  # the usual case: harakat only (C bisect, no Python call)
            marks = shift.marks[0]

            def orig(f: int) -> int:
                return f + bisect_right(marks, f)

        for text, (lo, hi) in zip(items, bounds, strict=True):
            k2 = bisect_left(starts, hi, k)
            d0, d1 = orig(lo) - lo - base, orig(hi) - hi - base
            if d0 == d1:  # no deleted mark in this text: one offset for all its mentions
                out.append(
                    [
                        _new(EM, (eid(f), f[3], s, e, text[s:e], f[4]))
                        for f in found[k:k2]
                        for s, e in ((f[0] + d0, f[1] + d0),)
                    ]
                )
            else:  # map each offset over the deleted marks
                spans = [(orig(f[0]) - base, orig(f[1]) - base, f) for f in found[k:k2]]
                out.append([_new(EM, (eid(f), f[3], s, e, text[s:e], f[4])) for s, e, f in spans])
            k = k2
            base += len(text) + 3
        return out


def _joined(items: list[str], blank_nul: bool = False) -> str:
    """The batch as one text: "\\n" text "\\n" NUL "\\n" ... With ``blank_nul`` a NUL inside a
    text (never in clean text) is blanked so the texts stay apart (the same length, so
    offsets and surfaces still come from the given text)."""
    if blank_nul:
        return "\n" + _JOIN.join(t.replace(SEPARATOR, " ") for t in items) + "\n"
    return "\n" + _JOIN.join(items) + "\n"


def _folded_py(items: list[str]) -> tuple[bytes, bytes, Shift, list[tuple[int, int]]]:
    """The batch folded, the automaton's bytes of it, the map back, each text's bounds."""
    joined = _joined(items)
    if joined.count(SEPARATOR) != max(len(items) - 1, 0):
        joined = _joined(items, blank_nul=True)
    fb, shift = fold_py(joined)
    return fb, fb.translate(AUTO), shift, text_bounds(fb, len(items))


def _folded(items: list[str]) -> tuple[bytes, bytes, Shift, list[tuple[int, int]]]:
    """``_folded_py`` in one C pass over the batch: the fold, its automaton bytes and the
    separators' offsets (a NUL in the buffer is a NUL in the text: nothing else folds to it)."""
    fb, auto, byte_marks, str_marks, nuls = _fast.fold_auto(_joined(items))
    if len(nuls) != max(len(items) - 1, 0):
        fb, auto, byte_marks, str_marks, nuls = _fast.fold_auto(_joined(items, blank_nul=True))
    if not items:
        return fb, auto, Shift([byte_marks, str_marks]), []
    his = [p - 1 for p in nuls] + [len(fb) - 1]
    los = [1] + [p + 2 for p in nuls]
    return fb, auto, Shift([byte_marks, str_marks]), list(zip(los, his, strict=True))


def text_bounds(fb: bytes, n: int) -> list[tuple[int, int]]:
    """Each text's [start, end) in the folded batch buffer ("\\n" text "\\n" NUL ...)."""
    out, lo = [], 1
    for _ in range(n):
        hi = fb.find(b"\x00", lo)
        hi = len(fb) - 1 if hi < 0 else hi - 1
        out.append((lo, hi))
        lo = hi + 3
    return out


@functools.lru_cache(maxsize=1 << 16)  # the same few thousand names come back in every batch
def rule_id(typ: str, name: bytes) -> str:
    return f"{RULE_ID_PREFIX}{typ.lower()}:{decode(name.translate(AUTO))}"


def load_gazetteer(entities_file: str | Path | None = None) -> Gazetteer:
    """The shipped gazetteer merged with an analyst's CSV; raises ``GazetteerError`` naming
    the file, line and problem. Reads seeds/gazetteer/ (the static-data exception to this
    package's no-I/O rule) and ``entities_file``."""
    user = read_user_file(entities_file) if entities_file else None
    return build_gazetteer(read_sources(), user)


_matchers: dict[str, EntityMatcher] = {}  # by entities file ("": none); a run uses one
_KEEP = 4  # matchers kept (each holds its tables: tens of MB)


def matcher(entities_file: str | Path | None = None) -> EntityMatcher:
    """The process's matcher for ``entities_file`` (built on first use, then kept)."""
    key = str(entities_file) if entities_file else ""
    m = _matchers.get(key)
    if m is None:
        m = EntityMatcher(load_gazetteer(key or None))
        install(m, entities_file)
    return m


def installed(entities_file: str | Path | None = None) -> bool:
    """Whether this process has its matcher for ``entities_file`` already."""
    return (str(entities_file) if entities_file else "") in _matchers


def install(m: EntityMatcher, entities_file: str | Path | None = None) -> None:
    """Make ``m`` (maybe made from the tables of an earlier build) the process's matcher for
    ``entities_file``."""
    _matchers[str(entities_file) if entities_file else ""] = m
    while len(_matchers) > _KEEP:
        del _matchers[next(iter(_matchers))]


def warm(entities_file: str | Path | None = None) -> EntityMatcher:
    """Build the matcher now (the worker fork server calls this once, before forking)."""
    return matcher(entities_file)


def gazetteer_version(entities_file: str | Path | None = None) -> str:
    return matcher(entities_file).version


def extract_entities(text: str, entities_file: str | Path | None = None) -> list[EntityMention]:
    return matcher(entities_file).extract(text)


def extract_entities_batch(
    texts: Sequence[str | None] | Any, entities_file: str | Path | None = None
) -> list[list[EntityMention]]:
    return matcher(entities_file).extract_batch(texts)
