"""The `entity_mentions` rows of a batch: people, places and organisations found in the clean
titles and bodies of its articles (transforms/entities.py), one row per mention."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import pyarrow as pa

from transforms import schemas
from transforms.entities import extract_entities_batch, gazetteer_version


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
    article (ids alone cannot link them: two records of a zip may share an id)."""
    n = len(titles)
    found = extract_entities_batch(titles + bodies, entities_file)
    version = gazetteer_version(entities_file)
    cols: dict[str, list] = {name: [] for name in schemas.ENTITY_MENTIONS.names}
    arts: list[int] = []
    for row, mentions in enumerate(found):
        if not mentions:
            continue
        art, field = row % n, ("title", "body")[row // n]
        for m in mentions:
            arts.append(art)
            cols["field"].append(field)
            cols["entity_id"].append(m.entity_id)
            cols["type"].append(m.type)
            cols["surface"].append(m.surface)
            cols["start_pos"].append(m.start)
            cols["end_pos"].append(m.end)
            cols["rule"].append(m.rule)
    cols["article_id"] = [keys.ids[a] for a in arts]
    cols["source_file"] = [keys.files[a] for a in arts]
    cols["ingest_date"] = [keys.ingest_date] * len(arts)
    cols["run_id"] = [keys.run_id] * len(arts)
    cols["gazetteer_version"] = [version] * len(arts)
    return pa.table(cols, schema=schemas.ENTITY_MENTIONS), arts
