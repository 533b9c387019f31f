"""Step 2 of a run, the plan: which landing files to read and which rows of which dates they
replace. The two flows differ only here: `plan_nightly` reads what is new or changed since the
last run (by the file manifest), `plan_backfill` re-reads whole dates.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import NamedTuple

import pyarrow as pa
import pyarrow.compute as pc

from flows.lake import Lake
from flows.landing import Discovery, LandingFile, discover, folder_date
from flows.settings import Settings
from transforms.readers import unsupported


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


class ManifestEntry(NamedTuple):
    """What the lake's file manifest says of a landing path."""

    size: int
    mtime_ns: int
    ingest_date: dt.date
    # A file that could not be read has no content hash: it is tried again even if its stat is
    # the same, since fixing permissions or raising --max-file-mb changes neither size nor mtime.
    was_read: bool


def _manifest_index(lake: Lake) -> dict[str, ManifestEntry]:
    cols = ("path", "size", "mtime_ns", "ingest_date", "content_hash")
    t = lake.read("file_manifest", columns=list(cols))
    rows = zip(*(t[c].to_pylist() for c in cols), strict=True)
    return {p: ManifestEntry(s, m, d, bool(h)) for p, s, m, d, h in rows}


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
        tried = prev is not None and (
            prev.was_read or f.size > settings.max_file_bytes or unsupported(f.path) is not None
        )
        if tried and prev.size == f.size and prev.mtime_ns == f.mtime_ns:
            counts["files_unchanged"] += 1
            continue
        if prev is not None:
            counts["files_changed"] += 1
            # A file keeps the date it was first loaded under (loose files get the run's date).
            f = LandingFile(f.path, f.abs_path, f.size, f.mtime_ns, prev.ingest_date)
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
            day = known[path].ingest_date
            to_read.append(LandingFile(f.path, f.abs_path, f.size, f.mtime_ns, day))
            replace.setdefault(day, set()).add(f.path)
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
    wanted = {start + dt.timedelta(days=i) for i in range((end - start).days + 1)}
    # Damaged files of these dates are not read: the backfill replaces them (flows/lake_check.py).
    lake.tolerate = set(wanted)
    known = _manifest_index(lake)
    to_read = []
    for f in disc.files:
        prev = known.get(f.path)
        loaded_under = prev.ingest_date if prev is not None else None  # loose files
        day = f.ingest_date if f.path.count("/") else loaded_under
        if day in wanted:
            to_read.append(LandingFile(f.path, f.abs_path, f.size, f.mtime_ns, day))
    present = {f.ingest_date for f in to_read} | (set(disc.date_dirs) & wanted)
    replace: dict[dt.date, set[str] | None] = dict.fromkeys(sorted(present))
    counts = {"files_new": 0, "files_changed": len(to_read), "files_unchanged": 0}
    missing = sorted(wanted - present)
    skipped = [(p, why) for p, why in disc.skipped if folder_date(p.split("/", 1)[0]) in wanted]
    return Plan("backfill", end, disc, to_read, replace, counts, [], skipped, missing)
