"""`akhbar entities refresh`: the entity mentions of chosen dates derived again from the clean
text the lake already holds, with the gazetteer in force now: no landing file is read.

It is a run like the others (flows.run.execute: the data-dir lock, a ledger row with flow
`entities`, one lake commit, the warehouse published atomically); only its plan and its stage
step differ. The plan names the lake's dates in [start, end]; the stage step reads each date's
articles (title and body, in slices of REFRESH_ROWS) and replaces that date's `entity_mentions`
partition whole. A crash leaves the previous mentions; a new gazetteer version is stored in
`entities`/`entity_aliases` with the commit, as by any run.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import TYPE_CHECKING

import pyarrow as pa

from flows import gazetteer_step
from flows.lake import Lake
from flows.landing import Discovery
from flows.plan import Plan
from transforms import schemas
from transforms.code_text import mask_batch
from transforms.entity_rows import ArticleKeys, entity_mentions

if TYPE_CHECKING:
    from flows.run import Run

FLOW = "entities"
ARTICLE_COLUMNS = ("article_id", "source_file", "title", "body")
REFRESH_ROWS = 5000  # articles matched at once: bounds the memory of a large day


def plan_refresh(lake: Lake, start: dt.date | None, end: dt.date | None) -> Plan:
    """Every date of the lake's articles in [start, end] (open ends: all of them)."""
    if start and end and end < start:
        raise ValueError(f"end {end} is before start {start}")
    days = [
        d
        for d in lake.dates("articles")
        if (start is None or d >= start) and (end is None or d <= end)
    ]
    logical = end or (days[-1] if days else dt.date.today())
    return Plan(
        flow=FLOW,
        logical_date=logical,
        discovery=Discovery([], [], []),
        to_read=[],
        replace=dict.fromkeys(days),
        counts={},
        deleted=[],
        skipped=[],
    )


def stage_refresh(run: Run) -> None:
    """Replace each planned date's entity mentions, derived from the lake's articles."""
    ents = gazetteer_step.entities_file(run.settings.entities, run.data)
    for day in run.plan.dates:
        t = time.perf_counter()
        arts = run.lake.read(
            "articles", day, columns=["article_id", "source_file", "title", "body"]
        )
        parts = []
        for start in range(0, arts.num_rows, REFRESH_ROWS):
            part = arts.slice(start, REFRESH_ROWS)
            keys = ArticleKeys(
                part["article_id"].to_pylist(), part["source_file"].to_pylist(), day, run.run_id
            )
            # as at load: the code in a text is not searched for names (code_text.py)
            titles = mask_batch(part["title"].to_pylist()).texts
            bodies = mask_batch(part["body"].to_pylist()).texts
            parts.append(entity_mentions(titles, bodies, keys, str(ents) if ents else None)[0])
        run.timer.add("transform", time.perf_counter() - t)
        table = pa.concat_tables(parts) if parts else schemas.ENTITY_MENTIONS.empty_table()
        run.tx.replace_partition("entity_mentions", day, table)
        run.counts["entity_mentions"] += table.num_rows
        run.log(f"{day}: {arts.num_rows} articles, {table.num_rows} entity mentions")
