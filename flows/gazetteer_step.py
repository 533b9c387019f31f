"""The gazetteer a run matches with: loaded (and validated) before the run reads anything, and
staged into the lake's `entities` and `entity_aliases` tables once per gazetteer version, so
that every `entity_mentions` row's `gazetteer_version` names rows that say what it matched.

The analyst's own CSV (`--entities FILE`, else `<data>/entities.csv` when it exists) is merged
over the shipped gazetteer (seeds/gazetteer/); a bad file stops the run before it starts, with
the file, line and problem (transforms.gazetteer.GazetteerError).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pyarrow as pa

from flows import matcher_cache
from flows.lake import Lake, Transaction, file_name
from transforms import schemas
from transforms.gazetteer import Gazetteer
from transforms.normalize import normalize_batch

DATA_DIR_FILE = "entities.csv"  # an analyst's gazetteer additions, picked up from the data dir


def entities_file(explicit: Path | None, data: Path) -> Path | None:
    """The analyst's gazetteer CSV in force: the one given, else `<data>/entities.csv`."""
    if explicit is not None:
        return explicit
    default = data / DATA_DIR_FILE
    return default if default.is_file() else None


def load(explicit: Path | None, data: Path) -> Gazetteer:
    """The gazetteer of a run; raises GazetteerError naming file, line and problem."""
    return matcher_cache.gazetteer(entities_file(explicit, data))


def _tables(gz: Gazetteer, day: dt.date) -> tuple[pa.Table, pa.Table]:
    ents = sorted(gz.entities.values(), key=lambda e: e.entity_id)
    n = len(ents)
    entities = pa.table(
        {
            "entity_id": [e.entity_id for e in ents],
            "type": [e.type for e in ents],
            "subtype": [e.subtype or None for e in ents],
            "name_ar": [e.name_ar for e in ents],
            "name_en": [e.name_en or None for e in ents],
            "source": [e.source or None for e in ents],
            "gazetteer_version": [gz.version] * n,
            "ingest_date": [day] * n,
        },
        schema=schemas.ENTITIES,
    )
    rows = [(eid, a, k) for eid in sorted(gz.aliases) for a, k in gz.aliases[eid]]
    aliases = [a for _, a, _ in rows]
    table = pa.table(
        {
            "entity_id": [eid for eid, _, _ in rows],
            "alias": aliases,
            "alias_key": normalize_batch(aliases, "search"),
            "kind": [k for _, _, k in rows],
            "gazetteer_version": [gz.version] * len(rows),
            "ingest_date": [day] * len(rows),
        },
        schema=schemas.ENTITY_ALIASES,
    )
    return entities, table


def stage(tx: Transaction, lake: Lake, gz: Gazetteer, day: dt.date) -> bool:
    """Stage the gazetteer's rows unless the lake holds this version already; True if staged."""
    name = f"gazetteer-{gz.version}.parquet"
    if any(file_name(f) == name for f in lake.files("entities")):
        return False
    entities, aliases = _tables(gz, day)
    tx.append_file("entities", day, entities, name)
    tx.append_file("entity_aliases", day, aliases, name)
    return True
