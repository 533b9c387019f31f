"""The compiled path of entity extraction (``transforms/_entmatch.c``), when it is built.

The extension is built at install when a C compiler is there (like ``_fastnorm``); without
it ``ext`` is None and the Python functions in ``entity_rules`` and ``entities`` run instead,
with the same results (tests/test_entmatch.py). The C functions translate those Python
functions line for line; the data they look things up in (given names, ordinary words,
particles, function words, the pattern table) are the Python tables, passed as they are.
"""

from __future__ import annotations

import array
from types import ModuleType

from transforms import entity_tables as et
from transforms.entity_fold import AUTO, WORD
from transforms.entity_tables import Tables

ext: ModuleType | None
try:
    from transforms import _entmatch as ext
except ImportError:  # no C compiler at install time: the pure-Python path is used
    ext = None

# The kinds are numbered in _entmatch.c as in entity_tables.
_C_KINDS = ("K_NAME", "K_SURNAME", "K_AMBIG", "K_NISBA", "K_GIVEN", "K_TITLE", "K_KEYWORD")
assert [getattr(et, k) for k in (*_C_KINDS, "K_DUAL", "K_SHARED")] == list(range(9))
assert et.STRONG == -2

if ext is not None:
    ext.init(WORD, AUTO)


def available() -> bool:
    return ext is not None


def pack_info(info: list[tuple[int, int, int, bool, bool]]) -> tuple[bytes, bytes]:
    """``Tables.info`` as the C loop reads it: int32 entity indexes, and per pattern four
    bytes (skip, kind, more than one word, ends in ي)."""
    ents = array.array("i", [i[2] for i in info])
    assert ents.itemsize == 4
    flags = bytes(b for skip, kind, _e, multi, yeh in info for b in (skip, kind, multi, yeh))
    return ents.tobytes(), flags


def sort_context(t: Tables) -> tuple:
    """What the compiled ``sort_matches`` takes: the pattern table packed, and the very objects
    the Python function (``entity_rules.sort_matches``) looks up and returns."""
    from transforms import entity_rules as r  # (it imports this module)

    ents, flags = pack_info(t.info)
    return (
        ents, flags, t.types, t.index, t.given, t.common, r.PARTICLES, r.STOP,
        list(et.KEYWORD_TYPES), r.GAZETTEER, r.NISBA, r.SURNAME, r.CONTEXT, r.SHARED, b"",
    )  # fmt: skip
