"""What finding code (transforms/code_text.py) and measuring the share of Arabic letters
(transforms/language.py) cost a batch transform, on SaudiNewsNet, before and after in one run.

    .venv/bin/python benchmarks/bench_code_text.py [--repeat 3] [--batch 5000]

"before" is `transforms.batch.transform` with `article_text.text_columns` replaced by what it
did before (the search form of the clean texts, no masking, no counts); "after" is the code as
it is. Both run the same records in the same process, alternately, best CPU time of
`--repeat`. Shown with entities (what a run's workers do) and without (`entity_mentions`
replaced by an empty table), and the two new steps timed alone on the whole corpus.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import time
from collections.abc import Callable
from contextlib import contextmanager

import pyarrow as pa
from _common import cpu_best, machine, require

from transforms import article_text, batch, schemas
from transforms.code_text import mask_batch
from transforms.language import letter_counts
from transforms.readers import RawArticle, parse_file
from transforms.text import clean_column, search_column


def records() -> list[RawArticle]:
    out: list[RawArticle] = []
    for z in sorted(require("corpora", "saudinewsnet").glob("*.zip")):
        out += parse_file(z.name, z.read_bytes()).articles
    return out


def _old_text_columns(
    titles: list[str], bodies: list[str], title_arr: pa.Array, body_arr: pa.Array
) -> article_text.TextColumns:
    n = len(titles)
    return article_text.TextColumns(
        titles, bodies, search_column(titles), search_column(bodies), [0] * n, pa.nulls(n, "double")
    )


@contextmanager
def patched(before: bool, entities: bool):
    saved = batch.text_columns, batch.entity_mentions
    if before:
        batch.text_columns = _old_text_columns
    if not entities:
        batch.entity_mentions = lambda *_a, **_k: (schemas.ENTITY_MENTIONS.empty_table(), [])
    try:
        yield
    finally:
        batch.text_columns, batch.entity_mentions = saved


def transform_all(recs: list[RawArticle], size: int) -> Callable[[], object]:
    def run() -> None:
        for i in range(0, len(recs), size):
            batch.transform(recs[i : i + size], dt.date(2015, 7, 21), "bench")

    return run


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--batch", type=int, default=5000)
    args = ap.parse_args()
    recs = records()
    mb = sum(len(r.title.encode()) + len(r.body.encode()) for r in recs) / 1e6
    print(f"# {machine()}\n# SaudiNewsNet: {len(recs)} records, {mb:.1f} MB of title + body")
    gc.freeze()
    for entities in (True, False):
        best = {}
        for _ in range(args.repeat):  # alternate, so that load on the shared host hits both
            for before in (True, False):
                with patched(before, entities):
                    t = cpu_best(transform_all(recs, args.batch), 1)
                best[before] = min(best.get(before, float("inf")), t)
        label = "with entities" if entities else "without entities"
        ratio = best[False] / best[True]
        print(
            f"transform {label}: before {best[True]:.2f} s, after {best[False]:.2f} s "
            f"CPU, after/before {ratio:.3f}"
        )
    bodies, arr = clean_column([r.body for r in recs])
    t0 = time.process_time()
    masked = mask_batch(bodies)
    t1 = time.process_time()
    letter_counts(arr)
    t2 = time.process_time()
    print(
        f"alone, bodies: code_spans {t1 - t0:.2f} s ({len(masked.changed)} with code), "
        f"letter_counts {t2 - t1:.2f} s"
    )


if __name__ == "__main__":
    main()
