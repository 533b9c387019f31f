"""A batch's entity mentions as Arrow columns (what the pipeline's `entity_mentions` rows
take): the same mentions as ``EntityMatcher.extract_batch``, in the same order, with no
Python object per mention on the compiled path (``_entmatch.split_columns`` writes the
buffers; a batch of real news has tens of thousands of mentions, and an object per mention
and column cost more than finding them)."""

from __future__ import annotations

from typing import NamedTuple

import pyarrow as pa

__all__ = ["MentionColumns"]


class MentionColumns(NamedTuple):
    """``row`` is the index of the mention's text in the batch; ``start``/``end`` code-point
    offsets in that text, ``surface`` its text[start:end]."""

    row: pa.Array  # int32
    entity_id: pa.Array  # string
    type: pa.Array  # string
    start: pa.Array  # int32
    end: pa.Array  # int32
    surface: pa.Array  # string
    rule: pa.Array  # string

    @classmethod
    def of(cls, per_text: list[list[tuple]]) -> MentionColumns:
        """From one list of ``EntityMention`` per text (the pure-Python path)."""
        rows = [i for i, ms in enumerate(per_text) for _m in ms]
        flat = [m for ms in per_text for m in ms]
        cols = list(zip(*flat, strict=True)) if flat else [() for _ in range(6)]
        s, i = pa.string(), pa.int32()
        types = (s, s, i, i, s, s)
        return cls(pa.array(rows, i), *(pa.array(c, t) for c, t in zip(cols, types, strict=True)))

    @classmethod
    def of_buffers(cls, raw: tuple, ids: pa.Array) -> MentionColumns:
        """From ``_entmatch.split_columns``'s buffers; ``ids`` the gazetteer's entity ids."""
        row, ent, extra, typ, types, start, end, offs, data, rule, rules = raw
        n = len(row) // 4

        def ints(b: bytes) -> pa.Array:
            return pa.Array.from_buffers(pa.int32(), n, [None, pa.py_buffer(b)])

        if extra:  # names found by a rule alone: their ids follow the gazetteer's
            ids = pa.concat_arrays([ids, pa.array(extra, pa.string())])
        surface = pa.Array.from_buffers(
            pa.string(), n, [None, pa.py_buffer(offs), pa.py_buffer(data)]
        )
        return cls(
            ints(row),
            ids.take(ints(ent)),
            pa.array(types, pa.string()).take(ints(typ)),
            ints(start),
            ints(end),
            surface,
            pa.array(rules, pa.string()).take(ints(rule)),
        )
