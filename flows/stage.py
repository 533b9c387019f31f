"""Step 4 of a run, staging: each read+transform batch, as it arrives, becomes lake partition
parts in the run's Transaction, deduplicated against the lake and against itself, with the
file manifest rows that say what became of every landing file.

One part per batch and date, so memory follows the batch size, not the size of a day. The
first part of a date replaces its partition (carrying the rows of that date the run keeps);
later parts are added beside it. Nothing is visible before the Transaction commits.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field

import pyarrow as pa
import pyarrow.compute as pc

from flows.batches import BatchResult
from flows.lake import Lake, Transaction, drop_rows
from flows.landing import LandingFile
from flows.plan import Plan
from flows.timer import Timer
from transforms import schemas
from transforms.batch import drop_duplicates, duplicates_table
from transforms.hashset import HashSet
from transforms.language import NON_ARABIC_BELOW

DATA_TABLES = ("articles", "hashtags", "mentions", "entity_mentions", "rejects", "duplicates")

# Content hashes, and the article ids that are not content hashes (file-name ids), in use.
Seen = tuple[HashSet, set[str]]


def _seen(lake: Lake, plan: Plan) -> Seen:
    """Content hashes and the article ids that are not content hashes (file-name ids) already
    in the lake, minus the rows this run is about to replace (see drop_duplicates)."""
    t = lake.read("articles", columns=["content_hash", "article_id", "source_file", "ingest_date"])
    if not t.num_rows:
        return HashSet(), set()
    keep = pa.array([True] * t.num_rows)
    for day, paths in plan.replace.items():
        on_day = pc.equal(t["ingest_date"], pa.scalar(day, pa.date32()))
        if paths is not None:
            on_day = pc.and_(on_day, pc.is_in(t["source_file"], value_set=pa.array(sorted(paths))))
        keep = pc.and_(keep, pc.invert(on_day))
    kept = t.filter(keep)
    named = kept["article_id"].filter(pc.not_equal(kept["article_id"], kept["content_hash"]))
    return HashSet.from_arrow(kept["content_hash"]), set(named.to_pylist())


def _concat(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    parts = [p for p in parts if p.num_rows]
    return pa.concat_tables(parts) if parts else schema.empty_table()


@dataclass
class Staging:
    """One run's staging: what every part needs, and which dates have their first part."""

    plan: Plan
    lake: Lake
    tx: Transaction
    seen: Seen
    counts: dict[str, int]  # the run's funnel, counted as parts are staged
    timer: Timer
    days_started: set[dt.date] = field(default_factory=set)

    @classmethod
    def start(
        cls, plan: Plan, lake: Lake, tx: Transaction, counts: dict[str, int], timer: Timer
    ) -> Staging:
        """Reads what the lake holds already (dedup's starting point), timed as staging."""
        t = time.perf_counter()
        seen = _seen(lake, plan)
        timer.add("stage", time.perf_counter() - t)
        return cls(plan, lake, tx, seen, counts, timer)

    def add_batch(self, result: BatchResult) -> None:
        """Stage one batch: a part for each date it holds."""
        for day in sorted({f.ingest_date for f in result.files}):
            self._timed_part(day, result)

    def finish(self) -> None:
        """Dates with a folder but no files still get replaced (emptied)."""
        for day in self.plan.dates:
            if day not in self.days_started:
                self._timed_part(day, None)

    def _timed_part(self, day: dt.date, result: BatchResult | None) -> None:
        # The time spent waiting for the lake writer's queue is the writer's, not staging's.
        t, waited = time.perf_counter(), self.tx.wait_seconds
        _stage_part(self, day, result, first=day not in self.days_started)
        self.days_started.add(day)
        self.timer.add("stage", time.perf_counter() - t - (self.tx.wait_seconds - waited))


def _fresh_rows(
    st: Staging, day: dt.date, result: BatchResult | None
) -> tuple[dict[str, list[pa.Table]], dict[str, int]]:
    """`result`'s new rows of `day` per data table, less the duplicates (of the lake and of
    earlier parts), and the number of duplicates per landing file."""
    new: dict[str, list[pa.Table]] = {t: [] for t in DATA_TABLES}
    per_file_dups: dict[str, int] = {}
    part = result.by_date.get(day) if result is not None else None
    if part is not None:
        tr = drop_duplicates(part, *st.seen)
        for src, *_ in tr.duplicate_rows:
            per_file_dups[src] = per_file_dups.get(src, 0) + 1
        st.counts["duplicates"] += tr.duplicates
        for t in ("articles", "hashtags", "mentions", "entity_mentions", "rejects"):
            new[t].append(getattr(tr, t))
        new["duplicates"].append(duplicates_table(tr.duplicate_rows, day, st.tx.run_id))
    return new, per_file_dups


def _stage_part(st: Staging, day: dt.date, result: BatchResult | None, first: bool) -> None:
    """Stage what one batch holds of `day` (None: a date folder with no files). The first part
    of a day also carries the rows of that day this run keeps (a nightly run replaces only its
    changed files' rows) and replaces the partition; later parts are added beside it."""
    results = [result] if result is not None else []
    files = sorted(
        (f for r in results for f in r.files if f.ingest_date == day), key=lambda f: f.path
    )
    new, per_file_dups = _fresh_rows(st, day, result)
    replaced = st.plan.replace.get(day)
    counts = st.counts

    def with_kept(table: str, fresh: pa.Table, key: str) -> pa.Table:
        if not first or replaced is None:
            return fresh
        kept = drop_rows(st.lake.read(table, day), key, replaced)
        return _concat([kept, fresh], schemas.TABLES[table])

    for t in DATA_TABLES:
        fresh = _concat(new[t], schemas.TABLES[t])
        st.tx.replace_partition(t, day, with_kept(t, fresh, "source_file"))
        if t == "articles":
            counts["articles_loaded"] += fresh.num_rows
            _count_text(counts, fresh)
        elif t == "rejects":
            counts["records_rejected"] += fresh.num_rows
        elif t != "duplicates":  # counted as they are dropped, above
            counts[t] += fresh.num_rows
    manifest = _manifest_rows(results, files, day, st.tx.run_id, new, per_file_dups)
    counts["records_read"] += sum(r.file_records.get(f.path, 0) for r in results for f in files)
    counts["files_rejected"] += sum(1 for s in manifest["status"].to_pylist() if s == "rejected")
    counts["files_loaded"] += sum(1 for s in manifest["status"].to_pylist() if s != "rejected")
    st.tx.replace_partition("file_manifest", day, with_kept("file_manifest", manifest, "path"))


def _count_text(counts: dict[str, int], articles: pa.Table) -> None:
    """The run's counts of articles with code, and of articles not in Arabic."""
    if not articles.num_rows:
        return
    code = pc.sum(pc.greater(articles["code_chars"], 0)).as_py() or 0
    other = pc.less(articles["arabic_ratio"], NON_ARABIC_BELOW)
    counts["code_articles"] += code
    counts["non_arabic_articles"] += pc.sum(other).as_py() or 0


def _manifest_rows(
    results: list[BatchResult],
    files: list[LandingFile],
    day: dt.date,
    run_id: str,
    new: dict[str, list[pa.Table]],
    dups: dict[str, int],
) -> pa.Table:
    """One row per landing file of the part: loaded, or rejected whole, with its counts."""
    loaded: dict[str, int] = {}
    for t in new["articles"]:
        for src in t["source_file"].to_pylist():
            loaded[src] = loaded.get(src, 0) + 1
    rejected: dict[str, int] = {}
    whole: set[str] = set()
    for t in new["rejects"]:
        for src, rec, mem in zip(
            t["source_file"].to_pylist(),
            t["record"].to_pylist(),
            t["member"].to_pylist(),
            strict=True,
        ):
            rejected[src] = rejected.get(src, 0) + 1
            if rec is None and mem is None:
                whole.add(src)
    hashes = {k: v for r in results for k, v in r.file_hash.items()}
    records = {k: v for r in results for k, v in r.file_records.items()}
    rows = [
        {
            "path": f.path,
            "size": f.size,
            "mtime_ns": f.mtime_ns,
            "content_hash": hashes.get(f.path, ""),
            "status": "rejected" if f.path in whole else "loaded",
            "records": records.get(f.path, 0),
            "articles": loaded.get(f.path, 0),
            "duplicates": dups.get(f.path, 0),
            "rejected": rejected.get(f.path, 0),
            "ingest_date": day,
            "run_id": run_id,
        }
        for f in files
    ]
    return pa.Table.from_pylist(rows, schema=schemas.FILE_MANIFEST)
