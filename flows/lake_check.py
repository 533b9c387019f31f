"""Damaged lake files: a Parquet file that the pinned version of a table names, but that is
gone or not the size its Delta add action recorded (deleted or truncated by hand, a disk
fault). Delta trusts its log, so without this check a deleted file is a day silently lost (or
a low-level "file not found" / "Parquet magic bytes not found" from whoever reads it next).

`check(lake)` compares every active file's size with the add action's: one stat per file on
local disk, one listing per table on S3 (no file is opened). The repair is a backfill of the
damaged dates: its partition overwrite replaces the damaged files without reading them, and
the reads before it (plan, the seen-set) skip the partitions it replaces (`Lake.tolerate`).
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pyarrow.fs as pafs

from flows.lake_files import s3_filesystem
from transforms import schemas

if TYPE_CHECKING:
    from flows.lake import Lake


@dataclass(frozen=True)
class Damage:
    table: str
    day: dt.date
    file: str
    why: str  # "missing", or "N bytes, the lake's log says M"


def rebuilt_by_backfill(d: Damage) -> bool:
    """A backfill replaces the date partitions of every table but the append-only ones (a file
    per run or per gazetteer version): their damage is reported, and a run goes on."""
    return d.table not in schemas.APPEND_ONLY


class LakeDamaged(RuntimeError):
    """Files of the lake's current version are missing or damaged."""

    def __init__(self, damage: list[Damage]) -> None:
        self.damage = damage
        super().__init__(describe(damage))


class LakeLogDamaged(LakeDamaged):
    """A table's Delta log (a commit's JSON, a checkpoint) is missing or unreadable. Nothing
    of that table can be trusted from there on; the landing files are the source to rebuild
    the lake from."""

    def __init__(self, table: str, uri: str, error: BaseException) -> None:
        self.damage = []
        self.table = table
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        RuntimeError.__init__(
            self,
            f"the Delta log of the lake's table {table} ({uri}/_delta_log) is damaged: {first}.\n"
            "Its versions cannot be read, so no run can go on with this lake. Rebuild the lake "
            "from the landing files: move the lake aside (for a lake in the data dir: "
            "mv <data>/lake <data>/lake.damaged), then run\n"
            "  akhbar backfill --start <first landing date> --end <last landing date> "
            "--landing … --data …\n"
            "then `akhbar run` (for files outside the date folders). They write a new lake "
            "and republish the warehouse from it; the run history starts again (the old lake "
            "keeps the old one).",
        )


def _ranges(days: Iterable[dt.date]) -> list[tuple[dt.date, dt.date]]:
    """Consecutive days merged into (start, end) ranges."""
    out: list[tuple[dt.date, dt.date]] = []
    for d in sorted(set(days)):
        if out and d - out[-1][1] == dt.timedelta(days=1):
            out[-1] = (out[-1][0], d)
        else:
            out.append((d, d))
    return out


def repair_commands(damage: list[Damage]) -> list[str]:
    return [
        f"akhbar backfill --start {a} --end {b} --landing … --data …"
        for a, b in _ranges(d.day for d in damage)
    ]


def describe(damage: list[Damage]) -> str:
    lines = [f"the lake has {len(damage)} damaged file(s):"]
    lines += [f"  {d.table}, ingest_date={d.day}: {d.file} ({d.why})" for d in damage]
    rebuilt = [d for d in damage if rebuilt_by_backfill(d)]
    if rebuilt:
        lines.append(
            "Runs stop until those dates are rebuilt from their landing folders, which "
            "replaces the damaged files:"
        )
        lines += [f"  {c}" for c in repair_commands(rebuilt)]
    if len(rebuilt) < len(damage):
        lines.append(
            "A backfill does not rebuild the runs/entities/entity_aliases files (one per run or "
            "gazetteer version): put those back from a backup; runs go on meanwhile, but a "
            "warehouse rebuilt from the lake fails on them."
        )
    return "\n".join(lines)


def _sizes_on_disk(lake: Lake, table: str, files: list[str]) -> dict[str, int | None]:
    if not files:
        return {}
    if not lake.remote:
        out: dict[str, int | None] = {}
        for f in files:
            try:
                out[f] = os.stat(f).st_size
            except FileNotFoundError:
                out[f] = None
        return out
    # One listing of the table instead of a HEAD per file.
    prefix = lake.table_uri(table).removeprefix("s3://")
    infos = s3_filesystem().get_file_info(
        pafs.FileSelector(prefix, allow_not_found=True, recursive=True)
    )
    listed = {f"s3://{i.path}": i.size for i in infos if i.is_file}
    return {f: listed.get(f) for f in files}


def _day(file: str) -> dt.date:
    part = next(p for p in file.split("/") if p.startswith("ingest_date="))
    return dt.date.fromisoformat(part.removeprefix("ingest_date="))


def check(lake: Lake, tables: Iterable[str] | None = None) -> list[Damage]:
    """Every file of the pinned versions that is missing or not its recorded size."""
    damage = []
    for table in tables or schemas.TABLES:
        recorded = lake.recorded_sizes(table)
        on_disk = _sizes_on_disk(lake, table, list(recorded))
        for f, size in recorded.items():
            got = on_disk[f]
            if got is None:
                why = "missing"
            elif got != size:
                why = f"{got} bytes, the lake's log says {size}"
            else:
                continue
            damage.append(Damage(table, _day(f), f, why))
    return sorted(damage, key=lambda d: (d.day, d.table, d.file))
