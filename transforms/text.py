"""Whole text columns through the text core: clean, search, hashtags and mentions.

One implementation for the pipeline and for library users. ``clean_column`` and
``search_column`` are what ``transforms.batch`` runs on every title and body and what
``transforms.normalize.normalize_batch`` runs; ``process_column`` is the library's one call
for everything the flows derive from one column::

    import pyarrow as pa
    from transforms.text import process_column

    t = process_column(pa.array(["قال #الرياض_اليوم @spagov", None]))
    t.column("search")    # normalize(x, "search") of each text
    t.column("hashtags")  # list<struct<text, key, start, end, rule>> per text

Both normalization profiles run on the compiled path (``transforms.fast``) when it is built
and on the Python functions otherwise: the same results either way (tests/test_text.py).
Arrow input is read in slices of at most ``SLICE_BYTES`` of UTF-8, so memory stays bounded and
every slice's output fits Arrow's 32-bit offsets.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TypeAlias

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from transforms import fast
from transforms import normalize as nz
from transforms.extract import Entity, extract_batch, gc_paused

__all__ = [
    "ENTITY",
    "SCHEMA",
    "SLICE_BYTES",
    "Texts",
    "arrow_pieces",
    "clean_column",
    "normalize_arrow",
    "process_column",
    "search_column",
]

#: What the column functions take: Python strings (None for a missing text) or an Arrow string
#: column.
Texts: TypeAlias = Sequence[str | None] | pa.Array | pa.ChunkedArray

#: One hashtag or mention (``transforms.extract.Entity``): offsets are code points of the
#: clean text, without the sign: ``clean[start:end] == text``.
ENTITY = pa.struct(
    [
        ("text", pa.string()),
        ("key", pa.string()),
        ("start", pa.int32()),
        ("end", pa.int32()),
        ("rule", pa.string()),
    ]
)
#: ``process_column``'s table: one row per input text, null where the text is null.
SCHEMA = pa.schema(
    [
        ("clean", pa.string()),
        ("search", pa.string()),
        ("hashtags", pa.list_(ENTITY)),
        ("mentions", pa.list_(ENTITY)),
    ]
)
SLICE_BYTES = 64 << 20


def _nulls(texts: Sequence[str | None]) -> tuple[list[str], pa.Buffer | None, int]:
    """The texts with "" for each None (the compiled loop takes only str), and the validity
    bitmap and null count of the column."""
    rows = texts if isinstance(texts, list) else list(texts)
    if None not in rows:
        return rows, None, 0  # type: ignore[return-value]  # no None: a list[str]
    valid = pa.array([t is not None for t in rows], pa.bool_())
    filled = ["" if t is None else t for t in rows]
    return filled, valid.buffers()[1], len(rows) - valid.sum().as_py()


def clean_column(texts: Sequence[str | None]) -> tuple[list[str | None], pa.Array]:
    """``normalize(t)`` of each text, as Python strings (what extraction reads) and as an Arrow
    string array (what is stored). None stays None (a null)."""
    rows, validity, nulls = _nulls(texts)
    if fast.available():
        clean, data, offsets = fast.clean_utf8(rows)
        arr = pa.StringArray.from_buffers(
            len(rows), pa.py_buffer(offsets), pa.py_buffer(data), validity, nulls
        )
    else:
        clean = [nz._clean(t) for t in rows]
        arr = pa.array(clean, pa.string(), mask=_mask(validity, len(rows)))
    if nulls:
        return [None if v is None else c for c, v in zip(clean, texts, strict=True)], arr
    return clean, arr  # type: ignore[return-value]  # list[str] is a list[str | None]


def search_column(clean_texts: Sequence[str | None]) -> pa.Array:
    """``normalize(t, "search")`` of each *clean* text (``normalize(t) == t``, as
    ``clean_column`` gives), as an Arrow string array; None stays null. The clean steps are
    not checked again: on text that is not clean the result is unspecified."""
    rows, validity, nulls = _nulls(clean_texts)
    if fast.available():
        data, offsets = fast.search_utf8(rows)
        return pa.StringArray.from_buffers(
            len(rows), pa.py_buffer(offsets), pa.py_buffer(data), validity, nulls
        )
    values = nz.search_of_clean_python(rows)
    return pa.array(values, pa.string(), mask=_mask(validity, len(rows)))


def _mask(validity: pa.Buffer | None, n: int) -> pa.Array | None:
    """The null mask of a validity bitmap, for ``pa.array(..., mask=)``."""
    if validity is None:
        return None
    return pc.invert(pa.Array.from_buffers(pa.bool_(), n, [None, validity]))


def _check_strings(arr: pa.Array | pa.ChunkedArray) -> None:
    if not (pa.types.is_string(arr.type) or pa.types.is_large_string(arr.type)):
        raise TypeError(f"expected an Arrow string or large_string column, got {arr.type}")


def arrow_pieces(arr: pa.Array | pa.ChunkedArray) -> Iterator[tuple[pa.Array, list[str | None]]]:
    """The string column ``arr`` in slices of at most ``SLICE_BYTES`` of UTF-8 (a longer single
    text is a slice of its own), each with its texts as Python strings."""
    _check_strings(arr)
    if isinstance(arr, pa.ChunkedArray):
        for chunk in arr.chunks:
            yield from arrow_pieces(chunk)
        return
    width = np.int64 if pa.types.is_large_string(arr.type) else np.int32
    offsets = np.frombuffer(arr.buffers()[1], width)[arr.offset : arr.offset + len(arr) + 1]
    start = 0
    while True:
        # the last row that still ends within SLICE_BYTES of this slice's first byte
        end = int(offsets.searchsorted(offsets[start] + SLICE_BYTES, side="right")) - 1
        end = min(max(end, start + 1), len(arr))
        piece = arr.slice(start, end - start)
        yield piece, piece.to_numpy(zero_copy_only=False).tolist()
        if end >= len(arr):
            return
        start = end


def normalize_arrow(
    arr: pa.Array | pa.ChunkedArray, profile: str, *, already_clean: bool = False
) -> pa.Array | pa.ChunkedArray:
    """``normalize_batch`` of an Arrow string column (``search_of_clean_batch`` with
    ``already_clean=True``): the same string type out, chunked for chunked."""
    _check_strings(arr)
    if isinstance(arr, pa.ChunkedArray):
        chunks = [normalize_arrow(c, profile, already_clean=already_clean) for c in arr.chunks]
        return pa.chunked_array(chunks, type=arr.type)
    parts = []
    for _, rows in arrow_pieces(arr):
        if already_clean:
            out = search_column(rows)
        else:
            clean_rows, clean_arr = clean_column(rows)
            out = clean_arr if profile == "clean" else search_column(clean_rows)
        parts.append(out if out.type == arr.type else out.cast(arr.type))
    return parts[0] if len(parts) == 1 else pa.concat_arrays(parts)


def _entity_lists(found: list[tuple[int, Entity]], n: int, nulls: pa.Array | None) -> pa.Array:
    """(row, entity) pairs in row order as one list of entities per row (null where the text
    is null). Transposed with zip and counted with NumPy: on tweets, with an entity every 30
    bytes, attribute loops cost a tenth of the whole column's processing."""
    rows, ents = zip(*found, strict=True) if found else ((), ())
    offsets = np.zeros(n + 1, np.int32)
    np.cumsum(np.bincount(np.asarray(rows, np.int64), minlength=n), out=offsets[1:])
    fields = list(zip(*ents, strict=True)) if ents else [()] * len(ENTITY)
    values = pa.StructArray.from_arrays(
        [pa.array(col, f.type) for col, f in zip(fields, ENTITY, strict=True)],
        fields=list(ENTITY),
    )
    return pa.ListArray.from_arrays(pa.array(offsets), values, type=pa.list_(ENTITY), mask=nulls)


def _process(texts: list[str | None], strict: bool) -> pa.Table:
    clean, clean_arr = clean_column(texts)
    tags, ments = extract_batch(clean, strict=strict)
    nulls = clean_arr.is_null() if clean_arr.null_count else None
    return pa.table(
        [
            clean_arr,
            search_column(clean),
            _entity_lists(tags, len(clean), nulls),
            _entity_lists(ments, len(clean), nulls),
        ],
        schema=SCHEMA,
    )


def process_column(texts: Texts, *, strict: bool = False) -> pa.Table:
    """Everything the pipeline derives from one text column, in one call: a table of
    ``SCHEMA`` with one row per text, in order.

    - ``clean``: ``normalize(t)``, the display-safe text the lake stores (``title``, ``body``);
    - ``search``: ``normalize(t, "search")`` (``title_norm``, ``body_norm``, ``ar_norm()``);
    - ``hashtags``, ``mentions``: ``extract_hashtags`` / ``extract_mentions`` of the clean text
      (``strict=True``: twitter-text's rules only), as lists of ``ENTITY``.

    ``texts`` is a sequence of ``str | None`` or a pyarrow ``string``/``large_string`` array or
    chunked array; a null text gives a null in every column. Equal, row for row, to calling
    ``normalize`` and the extractors on each text (tests/test_text.py)."""
    if isinstance(texts, str):
        raise TypeError("process_column takes a column of texts; use normalize() for one")
    with gc_paused():
        if not isinstance(texts, pa.Array | pa.ChunkedArray):
            return _process(list(texts), strict)
        parts = [_process(rows, strict) for _, rows in arrow_pieces(texts)]
    if not parts:  # a chunked array without chunks
        return SCHEMA.empty_table()
    return pa.concat_tables(parts) if len(parts) > 1 else parts[0]
