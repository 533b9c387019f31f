"""The `entity_mentions` rows of a batch: people, places and organisations found in the clean
titles and bodies of its articles (transforms/entities.py), one row per mention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from transforms import schemas
from transforms.entities import matcher


@dataclass(frozen=True)
class ArticleKeys:
    """What a mention row takes from its article: ids and files, in article order."""

    ids: Sequence[str]
    files: Sequence[str]
    ingest_date: dt.date
    run_id: str


def entity_mentions(
    titles: list[str], bodies: list[str], keys: ArticleKeys, entities_file: str | None = None
) -> tuple[pa.Table, list[int]]:
    """The mention rows of n articles' titles and bodies, and for each row the index of its
    article (ids alone cannot link them: two records of a zip may share an id). Built as
    columns: a batch has thousands of mentions, and a Python object per row and column cost
    more than finding them."""
    n = len(titles)
    m = matcher(entities_file)
    c = m.extract_columns(titles + bodies)
    texts = c.row.to_numpy(zero_copy_only=False).astype(np.int64)
    arts = texts % n if n else texts
    size = len(texts)
    schema = schemas.ENTITY_MENTIONS
    cols = {
        "article_id": pa.array(list(keys.ids), pa.string()).take(arts),
        "source_file": pa.array(list(keys.files), pa.string()).take(arts),
        "field": pa.array(["title", "body"], pa.string()).take(texts // n if n else texts),
        "entity_id": c.entity_id,
        "type": c.type,
        "surface": c.surface,
        "start_pos": c.start,
        "end_pos": c.end,
        "rule": c.rule,
        "ingest_date": pa.repeat(pa.scalar(keys.ingest_date, pa.date32()), size),
        "run_id": pa.repeat(pa.scalar(keys.run_id, pa.string()), size),
        "gazetteer_version": pa.repeat(pa.scalar(m.version, pa.string()), size),
    }
    table = pa.table([cols[f.name] for f in schema], schema=schema)
    return table, arts.tolist()
