"""The run itself: plan → read+transform in batch tasks → stage lake partitions → commit → publish.

Both flows (`nightly`, `backfill`) are thin wrappers over `execute()`; they differ only in the plan:
which files to read and which rows of which dates they replace.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.compute as pc

from flows import failpoints
from flows.batches import BatchResult, make_batches
from flows.lake import Lake, Transaction, drop_rows, write_json_atomic
from flows.landing import Discovery, LandingFile, discover, folder_date
from flows.lock import data_lock
from flows.settings import DEFAULT_MAX_FILE_MB, Settings  # noqa: F401 (re-exported for now)
from flows.warehouse import Build, publish
from flows.workers import MapBatches, active, map_local, resolve, worker_pool
from transforms import schemas
from transforms.batch import drop_duplicates, duplicates_table
from transforms.hashset import HashSet
from transforms.normalize import NORMALIZER_VERSION
from transforms.readers import Reject

DATA_TABLES = ("articles", "hashtags", "mentions", "rejects", "duplicates")


@dataclass
class Plan:
    flow: str
    logical_date: dt.date
    discovery: Discovery
    to_read: list[LandingFile]
    # per ingest date: the landing paths whose rows this run replaces; None = the whole date
    replace: dict[dt.date, set[str] | None]
    counts: dict[str, int]
    deleted: list[str]
    skipped: list[tuple[str, str]]  # in this run's scope: unknown extensions, bad symlinks
    missing_dates: list[dt.date] = field(default_factory=list)

    @property
    def dates(self) -> list[dt.date]:
        return sorted(self.replace)


def _manifest_index(lake: Lake) -> dict[str, tuple[int, int, dt.date, bool]]:
    """path -> (size, mtime_ns, ingest_date, was read). A file that could not be read has no
    content hash: it is tried again even if its stat is the same, since fixing permissions or
    raising --max-file-mb changes neither size nor mtime."""
    cols = ("path", "size", "mtime_ns", "ingest_date", "content_hash")
    t = lake.read("file_manifest", columns=list(cols))
    rows = zip(*(t[c].to_pylist() for c in cols), strict=True)
    return {p: (s, m, d, bool(h)) for p, s, m, d, h in rows}


def plan_nightly(settings: Settings, lake: Lake, logical_date: dt.date) -> Plan:
    """New and changed files (by size and mtime) of every date; unchanged ones are not read.
    Date folders missed by earlier nights are simply files never seen: that is the catch-up."""
    disc = discover(settings.landing, logical_date)
    known = _manifest_index(lake)
    to_read, replace = [], {}
    counts = dict.fromkeys(("files_new", "files_changed", "files_unchanged"), 0)
    seen_paths = set()
    for f in disc.files:
        seen_paths.add(f.path)
        prev = known.get(f.path)
        # Same stat and read before (or still over the size limit): nothing to do.
        tried = prev is not None and (prev[3] or f.size > settings.max_file_bytes)
        if tried and prev[0] == f.size and prev[1] == f.mtime_ns:
            counts["files_unchanged"] += 1
            continue
        if prev is not None:
            counts["files_changed"] += 1
            # A file keeps the date it was first loaded under (loose files get the run's date).
            f = LandingFile(f.path, f.abs_path, f.size, f.mtime_ns, prev[2])
        else:
            counts["files_new"] += 1
        to_read.append(f)
        replace.setdefault(f.ingest_date, set()).add(f.path)
    counts["files_reread"] = 0
    changed = {f.path for f in to_read if f.path in known}
    if changed:
        by_path = {f.path: f for f in disc.files}
        for path in _duplicate_holders(lake, changed, {f.path for f in to_read}):
            f = by_path.get(path)
            if f is None:  # the holder was deleted from the landing zone: nothing to re-read
                continue
            # Unchanged on disk, but it holds a copy of content that a changed file loaded:
            # read it again, so that if the change dropped that content, this copy loads.
            to_read.append(LandingFile(f.path, f.abs_path, f.size, f.mtime_ns, known[path][2]))
            replace.setdefault(known[path][2], set()).add(f.path)
            counts["files_unchanged"] -= 1
            counts["files_reread"] += 1
    deleted = sorted(set(known) - seen_paths)
    return Plan("nightly", logical_date, disc, to_read, replace, counts, deleted, disc.skipped)


def _duplicate_holders(lake: Lake, changed: set[str], reading: set[str]) -> list[str]:
    """Landing files, not already being read, that hold duplicates of content loaded from the
    `changed` files."""
    arts = lake.read("articles", columns=["source_file", "content_hash"])
    mine = pc.is_in(arts["source_file"], value_set=pa.array(sorted(changed), pa.string()))
    hashes = arts.filter(mine)["content_hash"]
    if not len(hashes):
        return []
    dups = lake.read("duplicates", columns=["source_file", "content_hash"])
    holders = dups.filter(pc.is_in(dups["content_hash"], value_set=pc.unique(hashes)))
    return sorted(set(holders["source_file"].to_pylist()) - reading)


def plan_backfill(settings: Settings, lake: Lake, start: dt.date, end: dt.date) -> Plan:
    """Every landing file of the dates in [start, end] is read again; those dates' partitions
    are replaced whole. Dates without a landing folder are reported and left untouched."""
    if end < start:
        raise ValueError(f"--end {end} is before --start {start}")
    disc = discover(settings.landing, start)
    known = _manifest_index(lake)
    wanted = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    to_read = []
    for f in disc.files:
        day = f.ingest_date if f.path.count("/") else known.get(f.path, (0, 0, None))[2]
        if day in wanted:
            to_read.append(LandingFile(f.path, f.abs_path, f.size, f.mtime_ns, day))
    present = {f.ingest_date for f in to_read} | (set(disc.date_dirs) & wanted)
    replace: dict[dt.date, set[str] | None] = dict.fromkeys(sorted(present))
    counts = {"files_new": 0, "files_changed": len(to_read), "files_unchanged": 0}
    missing = sorted(wanted - present)
    skipped = [(p, why) for p, why in disc.skipped if folder_date(p.split("/", 1)[0]) in wanted]
    return Plan("backfill", end, disc, to_read, replace, counts, [], skipped, missing)


def _concat(parts: list[pa.Table], schema: pa.Schema) -> pa.Table:
    parts = [p for p in parts if p.num_rows]
    return pa.concat_tables(parts) if parts else schema.empty_table()


def _seen(lake: Lake, plan: Plan) -> tuple[HashSet, set[str]]:
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


def _flat(name: str) -> str:
    """A landing path or zip member name as one safe file name (no '/', no '..')."""
    name = name.replace("\\", "/").replace("..", "_").strip("/")
    return re.sub(r"[/:\x00]", "__", name)[:150] or "_"


def quarantine_name(i: int, rej: Reject) -> str:
    """`NNNNN_<path>[__<member>][.record-<n>.json]`: the rejected file under its own name, or
    the offending record (a JSON object or a JSONL line) as its own file."""
    base = f"{i:05d}_" + _flat(rej.source_file)
    if rej.member is not None:
        base += "__" + _flat(rej.member)
    if rej.record is not None and not (rej.member or rej.source_file).lower().endswith(".txt"):
        base += f".record-{rej.record}.json"
    return base


def _quarantine(
    data_dir: Path, run_id: str, items: list[tuple[Reject, dt.date, bytes | None]]
) -> None:
    """`<data>/quarantine/<ingest_date>/<run_id>/`: each rejected file (or record) beside its
    `.reason.json`. Files over the size limit and unreadable ones get the reason only."""
    for i, (rej, day, payload) in enumerate(items):
        qdir = data_dir / "quarantine" / day.isoformat() / run_id
        qdir.mkdir(parents=True, exist_ok=True)
        base = quarantine_name(i, rej)
        if payload is not None:
            (qdir / base).write_bytes(payload)
        write_json_atomic(
            qdir / f"{base}.reason.json",
            {
                "source_file": rej.source_file,
                "member": rej.member,
                "record": rej.record,
                "reason": rej.reason,
                "detail": rej.detail,
            },
        )


@dataclass
class RunOutcome:
    run_id: str
    flow: str
    status: str
    counts: dict[str, int]
    dates: list[str]
    deleted: list[str]
    skipped: list[tuple[str, str]]
    missing_dates: list[str]
    publish_mode: str
    seconds: float
    error: str | None = None
    # Where the time went (see Timer.STAGES); read/parse/transform add up over the workers.
    timings: dict[str, float] = field(default_factory=dict)
    workers: int = 1

    def summary(self) -> dict:
        return {
            "run_id": self.run_id,
            "flow": self.flow,
            "status": self.status,
            **self.counts,
            "dates": self.dates,
            "deleted_files": self.deleted,
            "skipped_files": [f"{p} ({why})" for p, why in self.skipped],
            "missing_dates": self.missing_dates,
            "publish": self.publish_mode,
            "seconds": round(self.seconds, 2),
            "workers": self.workers,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }


class Timer:
    """Seconds per stage of a run, for the summary and the benchmarks. With worker processes,
    read/parse/transform add up their time in every worker (more than the run's wall time) and
    "wait" is the time this process had nothing to do but wait for them. "lake_writer" and
    "build" are background threads' busy time (they overlap the rest); "lake_write" is the time
    the run waited for the lake writer and committed."""

    # "build": the warehouse built in the background while staging (flows.warehouse.Build)
    STAGES = (
        "plan",
        "read",
        "parse",
        "transform",
        "wait",
        "stage",
        "lake_write",
        "lake_writer",
        "build",
        "publish",
    )

    def __init__(self) -> None:
        self.seconds = dict.fromkeys(self.STAGES, 0.0)
        self.workers = 1

    def add(self, stage: str, seconds: float) -> None:
        self.seconds[stage] += seconds


def execute(
    settings: Settings,
    make_plan: Callable[[Lake], Plan],
    params: dict,
    run_id: str | None = None,
    map_batches: MapBatches = map_local,
    publish_fn: Callable[..., str] = publish,
    log: Callable[[str], None] = print,
) -> RunOutcome:
    """Run one plan to completion under the data-dir lock. On failure the lake and warehouse
    keep their previous state and a `failed` row is recorded in `runs`."""
    run_id = run_id or str(uuid.uuid4())
    started = dt.datetime.now(dt.UTC)
    t0 = time.perf_counter()
    data = settings.data
    lake = Lake(data / "lake")
    timer = Timer()
    with data_lock(data, wait=settings.wait_for_lock):
        recovered = lake.recover()
        if recovered:
            log(f"rolled forward {len(recovered)} committed run(s) interrupted earlier")
        swept = sweep_orphan_quarantine(data, lake)
        if swept:
            log(f"removed the quarantine of {swept} run(s) killed before they committed")
        t = time.perf_counter()
        plan = make_plan(lake)
        timer.add("plan", time.perf_counter() - t)
        counts = dict.fromkeys(schemas.FUNNEL, 0)
        counts.update(plan.counts)
        counts["files_seen"] = len(plan.to_read) + counts["files_unchanged"] + len(plan.skipped)
        counts["files_skipped"] = len(plan.skipped)
        counts["files_deleted"] = len(plan.deleted)
        dates = [d.isoformat() for d in plan.dates]
        tx = Transaction(lake, run_id)
        committed = False
        build = None
        try:
            if plan.flow == "backfill" and not plan.dates:
                log(
                    "nothing to backfill: no landing folder for "
                    + ", ".join(d.isoformat() for d in plan.missing_dates)
                )
                return RunOutcome(
                    run_id,
                    plan.flow,
                    "nothing_to_do",
                    counts,
                    [],
                    [],
                    plan.skipped,
                    [d.isoformat() for d in plan.missing_dates],
                    "none",
                    time.perf_counter() - t0,
                )
            if plan.to_read or plan.dates:
                build = Build.start(data, lake, run_id, set(plan.dates))
                tx.on_stage = build.add
            _stage(plan, lake, tx, run_id, settings, counts, map_batches, log, timer)
            _append_run_row(tx, plan, params, started, "completed", counts, dates, None)
            t, waited = time.perf_counter(), tx.wait_seconds  # (waited: the writer's queue full)
            tx.commit()
            timer.add("lake_write", time.perf_counter() - t + waited)
            timer.add("lake_writer", tx.write_seconds)
            committed = True
            # DuckDB takes up to its memory limit to publish: hand back first what the staging
            # left in Python's and Arrow's pools, so the two peaks do not stack.
            if plan.to_read:
                gc.collect()
                pa.default_memory_pool().release_unused()
            failpoints.hit("before_publish")
            t = time.perf_counter()
            mode = publish_fn(data, lake, tx.touched, run_id, build)
            timer.add("publish", time.perf_counter() - t)
            if build is not None:
                timer.add("build", build.seconds)
                if build.error is not None:
                    log(f"published from the lake instead ({build.error})")
        except Exception as e:
            tx.abort()
            if build is not None:
                build.discard()
            error = f"{type(e).__name__}: {e}"
            if committed or tx.journal_written:
                error = (
                    "the data is in the lake, but publishing the warehouse failed (the next "
                    f"run publishes it): {error}"
                )
            _record_failure(lake, tx, plan, params, started, counts, dates, error, publish_fn)
            raise
        return RunOutcome(
            run_id,
            plan.flow,
            "completed",
            counts,
            dates,
            plan.deleted,
            plan.skipped,
            [d.isoformat() for d in plan.missing_dates],
            mode,
            time.perf_counter() - t0,
            timings=timer.seconds,
            workers=timer.workers,
        )


def _stage(
    plan: Plan,
    lake: Lake,
    tx: Transaction,
    run_id: str,
    settings: Settings,
    counts: dict[str, int],
    map_batches: MapBatches,
    log: Callable[[str], None],
    timer: Timer,
) -> None:
    if not plan.to_read and not plan.dates:
        return
    workers = resolve(settings.workers)
    batches = make_batches(plan.to_read, workers)
    # The pool's processes start while this process reads what the lake holds already.
    with worker_pool(workers, len(batches)):
        timer.workers = active() or 1
        t = time.perf_counter()
        seen = _seen(lake, plan)
        timer.add("stage", time.perf_counter() - t)
        started: set[dt.date] = set()
        done_files = 0
        t = time.perf_counter()
        for result in map_batches(batches, run_id, settings.max_file_bytes):
            waited = time.perf_counter() - t
            for stage, sec in result.seconds.items():
                timer.add(stage, sec)
            if timer.workers == 1:  # read and transformed right here, not waited for
                waited -= sum(result.seconds.values())
            timer.add("wait", max(0.0, waited))
            done_files += len(result.files)
            _quarantine(settings.data, run_id, result.quarantined)
            log(f"read {done_files}/{len(plan.to_read)} files")
            # Staged as each batch arrives, one part per batch and date: memory follows the
            # batch size, not the size of a day.
            for day in sorted({f.ingest_date for f in result.files}):
                _timed_stage_part(plan, lake, tx, day, result, seen, counts, timer, started)
            t = time.perf_counter()
    for day in plan.dates:  # dates with a folder but no files still get replaced (emptied)
        if day not in started:
            _timed_stage_part(plan, lake, tx, day, None, seen, counts, timer, started)


def _timed_stage_part(
    plan: Plan,
    lake: Lake,
    tx: Transaction,
    day: dt.date,
    result: BatchResult | None,
    seen: tuple[HashSet, set[str]],
    counts: dict[str, int],
    timer: Timer,
    started: set[dt.date],
) -> None:
    t, waited = time.perf_counter(), tx.wait_seconds
    _stage_part(plan, lake, tx, day, result, seen, counts, first=day not in started)
    started.add(day)
    timer.add("stage", time.perf_counter() - t - (tx.wait_seconds - waited))


def _stage_part(
    plan: Plan,
    lake: Lake,
    tx: Transaction,
    day: dt.date,
    result: BatchResult | None,
    seen: tuple[HashSet, set[str]],  # content hashes and article ids in use
    counts: dict[str, int],
    first: bool,
) -> None:
    """Stage what one batch holds of `day` (None: a date folder with no files). The first part
    of a day also carries the rows of that day this run keeps (a nightly run replaces only its
    changed files' rows) and replaces the partition; later parts are added beside it."""
    results = [result] if result is not None else []
    files = sorted(
        (f for r in results for f in r.files if f.ingest_date == day), key=lambda f: f.path
    )
    new: dict[str, list[pa.Table]] = {t: [] for t in DATA_TABLES}
    per_file_dups: dict[str, int] = {}
    part = result.by_date.get(day) if result is not None else None
    if part is not None:
        tr = drop_duplicates(part, *seen)
        for src, *_ in tr.duplicate_rows:
            per_file_dups[src] = per_file_dups.get(src, 0) + 1
        counts["duplicates"] += tr.duplicates
        for t in ("articles", "hashtags", "mentions", "rejects"):
            new[t].append(getattr(tr, t))
        new["duplicates"].append(duplicates_table(tr.duplicate_rows, day, tx.run_id))
    replaced = plan.replace.get(day)

    def with_kept(table: str, fresh: pa.Table, key: str) -> pa.Table:
        if not first or replaced is None:
            return fresh
        kept = drop_rows(lake.read(table, day), key, replaced)
        return _concat([kept, fresh], schemas.TABLES[table])

    for t in DATA_TABLES:
        fresh = _concat(new[t], schemas.TABLES[t])
        tx.replace_partition(t, day, with_kept(t, fresh, "source_file"))
        if t == "articles":
            counts["articles_loaded"] += fresh.num_rows
        elif t == "rejects":
            counts["records_rejected"] += fresh.num_rows
        elif t != "duplicates":  # counted as they are dropped, above
            counts[t] += fresh.num_rows
    manifest = _manifest_rows(results, files, day, tx.run_id, new, per_file_dups)
    counts["records_read"] += sum(r.file_records.get(f.path, 0) for r in results for f in files)
    counts["files_rejected"] += sum(1 for s in manifest["status"].to_pylist() if s == "rejected")
    counts["files_loaded"] += sum(1 for s in manifest["status"].to_pylist() if s != "rejected")
    tx.replace_partition("file_manifest", day, with_kept("file_manifest", manifest, "path"))


def _manifest_rows(
    results: list[BatchResult],
    files: list[LandingFile],
    day: dt.date,
    run_id: str,
    new: dict[str, list[pa.Table]],
    dups: dict[str, int],
) -> pa.Table:
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


def _append_run_row(
    tx: Transaction,
    plan: Plan,
    params: dict,
    started: dt.datetime,
    status: str,
    counts: dict[str, int],
    dates: list[str],
    error: str | None,
) -> None:
    """The run's ledger row, one file per run: `runs/ingest_date=<logical date>/run-<id>`."""
    row = {
        "run_id": tx.run_id,
        "flow": plan.flow,
        "parameters": json.dumps(params, ensure_ascii=False, default=str),
        "started_at": started,
        "finished_at": dt.datetime.now(dt.UTC),
        "status": status,
        **{k: counts.get(k, 0) for k in schemas.FUNNEL},
        "dates": json.dumps(dates),
        "error": error,
        "normalizer_version": NORMALIZER_VERSION,
        "ingest_date": plan.logical_date,
    }
    table = pa.Table.from_pylist([row], schema=schemas.RUNS)
    tx.append_file("runs", plan.logical_date, table, f"run-{tx.run_id}.parquet")


def _record_failure(
    lake: Lake,
    failed_tx: Transaction,
    plan: Plan,
    params: dict,
    started: dt.datetime,
    counts: dict[str, int],
    dates: list[str],
    error: str,
    publish_fn: Callable[..., str],
) -> None:
    """Discard what the run staged (or, past its commit point, finish applying it) and record
    it as failed; never mask the original error."""
    if failed_tx.journal_written:
        try:
            lake.recover()  # committed: roll forward, so the lake is whole again
        except Exception:  # still failing (disk full?): the next run rolls it forward
            return
    else:
        for op in failed_tx.ops:
            if op["tmp"]:
                (lake.root / op["dir"] / op["tmp"]).unlink(missing_ok=True)
    try:
        tx = Transaction(lake, failed_tx.run_id)
        _append_run_row(tx, plan, params, started, "failed", counts, dates, error)
        tx.commit()
        publish_fn(lake.root.parent, lake, tx.touched, tx.run_id)
    except Exception:  # the run already failed; its own error is the one to report
        pass


def sweep_orphan_quarantine(data: Path, lake: Lake) -> int:
    """Remove quarantine dirs of runs that never committed (killed before their `runs` row):
    their rejects are not in the lake, and the next run reads those files again. Call it
    under the data lock, after `lake.recover()`."""
    qroot = data / "quarantine"
    if not qroot.is_dir():
        return 0
    known = set(lake.read("runs", columns=["run_id"])["run_id"].to_pylist())
    swept = set()
    for qdir in qroot.glob("*/*"):
        if qdir.is_dir() and qdir.name not in known:
            shutil.rmtree(qdir, ignore_errors=True)
            swept.add(qdir.name)
            if not any(qdir.parent.iterdir()):
                qdir.parent.rmdir()
    return len(swept)


def reset_data_dir(data: Path) -> None:
    """Remove everything a run produced (used by tests and `make clean`)."""
    for name in ("lake", "quarantine", "warehouse.duckdb"):
        p = data / name
        if p.is_dir():
            shutil.rmtree(p)
        elif p.exists():
            p.unlink()
