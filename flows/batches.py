"""The unit of work of a run: a batch of landing files, read and transformed into Arrow tables.

A batch runs in a Prefect task, in a worker process (flows.workers) or on Dask, so this module
imports only the landing reader and the transforms: no DuckDB, Prefect or pyarrow.dataset,
and a worker process is ready in a fraction of a second.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import json
import time
from dataclasses import dataclass, field

import pyarrow as pa

from flows import failpoints, matcher_cache
from flows.landing import LandingFile, read_bytes
from transforms.batch import Transformed, rejects_table, transform
from transforms.readers import RawArticle, Reject, parse_file, unsupported

# Input bytes per batch. Zips count 4x (Arabic JSON compresses about that much).
BATCH_BYTES = 48 * 1024 * 1024
# With several workers batches get smaller: each worker gets a few, and the batch results in
# flight (one per worker, plus one) stay within the memory one 48 MB batch used to take. Never
# below MIN_BATCH_BYTES (a batch is a Prefect task: 3-6 ms each, at most 3 per 10k articles).
WORKER_BATCH_BYTES = 24 * 1024 * 1024
MIN_BATCH_BYTES = 12 * 1024 * 1024
BATCHES_PER_WORKER = 3

# A file is read, parsed and transformed whole, and its records' Python objects and Arrow
# columns take several times its size at once (4-12x measured; benchmarks/RESULTS.md,
# session 5): said with every too_large reject, so whoever raises --max-file-mb knows.
TOO_LARGE_NOTE = (
    "a file is read whole and takes up to ~12x its size in memory while it is transformed: "
    "raise the limit only with that much free per worker, or split the file (README, "
    "'Large files')"
)


@dataclass(frozen=True)
class BatchJob:
    """What every batch of a run is read and transformed with (it travels to the workers)."""

    run_id: str
    max_file_bytes: int
    entities_file: str | None = None  # an analyst's gazetteer CSV, merged over the shipped one


@dataclass
class BatchResult:
    """What one read+transform batch returns: the transformed rows of its files, plus the
    per-file facts the manifest needs."""

    files: list[LandingFile]
    by_date: dict[dt.date, Transformed]
    file_hash: dict[str, str]
    file_records: dict[str, int]
    quarantined: list[tuple[Reject, dt.date, bytes | None]]
    # Where the batch's time went ("read", "parse", "transform"), wherever it ran.
    seconds: dict[str, float] = field(default_factory=dict)


def _weight(f: LandingFile) -> int:
    return f.size * (4 if f.path.lower().endswith(".zip") else 1)


def make_batches(files: list[LandingFile], workers: int = 1) -> list[list[LandingFile]]:
    """Consecutive groups in (date, path) order, each about BATCH_BYTES of input; with several
    workers, about a third of a worker's share (between MIN_BATCH_BYTES and
    WORKER_BATCH_BYTES), so that the workers finish together. The grouping never changes
    the result."""
    target = BATCH_BYTES
    if workers > 1:
        share = sum(_weight(f) for f in files) // (BATCHES_PER_WORKER * workers)
        target = max(MIN_BATCH_BYTES, min(WORKER_BATCH_BYTES, share))
    batches: list[list[LandingFile]] = []
    cur: list[LandingFile] = []
    size = 0
    for f in sorted(files, key=lambda f: (f.ingest_date, f.path)):
        if cur and size + _weight(f) > target:
            batches.append(cur)
            cur, size = [], 0
        cur.append(f)
        size += _weight(f)
    if cur:
        batches.append(cur)
    return batches


def read_and_transform(files: list[LandingFile], job: BatchJob) -> BatchResult:
    """Read a group of landing files and transform their records, date by date."""
    # The batch makes ~10 container objects per record and no cycles: the cyclic collector
    # would only rescan them, over and over, as they accumulate.
    gc_was_enabled = gc.isenabled()
    gc.disable()
    try:
        return _read_and_transform(files, job)
    finally:
        if gc_was_enabled:
            gc.enable()


def _read_and_transform(files: list[LandingFile], job: BatchJob) -> BatchResult:
    records_by_date: dict[dt.date, list] = {}
    rejects_by_date: dict[dt.date, list[Reject]] = {}
    txt_data: dict[str, bytes] = {}
    result = BatchResult(files, {}, {}, {}, [])
    clock = time.perf_counter
    t_read = t_parse = 0.0
    for f in files:
        failpoints.hit("read")
        rej = unsupported(f.path)  # no reader: rejected unread, like a file over the limit
        if rej is not None:
            rejects_by_date.setdefault(f.ingest_date, []).append(rej)
            result.file_records[f.path] = 1
            result.file_hash[f.path] = ""
            result.quarantined.append((rej, f.ingest_date, None))
            continue
        t = clock()
        try:
            data = read_bytes(f, job.max_file_bytes)
        except ValueError as e:
            rej = Reject(f.path, None, None, "too_large", f"{e}; {TOO_LARGE_NOTE}")
            rejects_by_date.setdefault(f.ingest_date, []).append(rej)
            result.file_records[f.path] = 1
            result.file_hash[f.path] = ""
            result.quarantined.append((rej, f.ingest_date, None))
            continue
        except OSError as e:
            rej = Reject(f.path, None, None, "unreadable", f"{e.strerror or e}: check permissions")
            rejects_by_date.setdefault(f.ingest_date, []).append(rej)
            result.file_records[f.path] = 1
            result.file_hash[f.path] = ""
            result.quarantined.append((rej, f.ingest_date, None))
            continue
        result.file_hash[f.path] = hashlib.blake2b(data, digest_size=16).hexdigest()
        t_read += clock() - t
        t = clock()
        parsed = parse_file(f.path, data, max_member_bytes=job.max_file_bytes)
        t_parse += clock() - t
        result.file_records[f.path] = parsed.records_read
        records_by_date.setdefault(f.ingest_date, []).extend(parsed.articles)
        rejects_by_date.setdefault(f.ingest_date, []).extend(parsed.rejects)
        for rej in parsed.rejects:
            whole_file = rej.record is None and rej.member is None
            result.quarantined.append((rej, f.ingest_date, data if whole_file else rej.raw))
        if any(a.member is None and not f.path.lower().endswith(".zip") for a in parsed.articles):
            txt_data[f.path] = data  # a .txt article rejected after cleaning: copy the file
    t = clock()
    if records_by_date:  # the matcher, unless the fork server made it: from the cache if it can
        matcher_cache.warm(job.entities_file)
    for day in sorted(set(records_by_date) | set(rejects_by_date)):
        records = records_by_date.get(day, [])
        tr = transform(records, day, job.run_id, job.entities_file)
        _quarantine_cleaned_away(tr.rejects, records, txt_data, day, result)
        extra = rejects_table(rejects_by_date.get(day, []), day, job.run_id)
        tr.rejects = pa.concat_tables([extra, tr.rejects])
        result.by_date[day] = tr
    result.seconds = {"read": t_read, "parse": t_parse, "transform": clock() - t}
    return result


def _quarantine_cleaned_away(
    rejects: pa.Table,
    records: list[RawArticle],
    txt_data: dict[str, bytes],
    day: dt.date,
    result: BatchResult,
) -> None:
    """Records the readers accepted but cleaning left empty (`no_text` from the transform):
    quarantine the record as the readers saw it (a .txt file: the file itself)."""
    if not rejects.num_rows:
        return
    by_key = {(r.source_file, r.member, r.record): r for r in records}
    for row in rejects.to_pylist():
        rec = by_key.get((row["source_file"], row["member"], row["record"]))
        raw = txt_data.get(row["source_file"]) if row["member"] is None else None
        if raw is None and rec is not None:
            raw = json.dumps({"title": rec.title, "content": rec.body}, ensure_ascii=False)
            raw = raw.encode("utf-8", "surrogatepass")
        rej = Reject(row["source_file"], row["member"], row["record"], row["reason"], row["detail"])
        result.quarantined.append((rej, day, raw))
