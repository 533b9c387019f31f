"""`<data>/quarantine/<ingest_date>/<run_id>/`: every rejected landing file (or record) of a run
beside its `.reason.json`, written as the run reads.

The quarantine mirrors the lake's `rejects` table: a run's directory of a date is kept exactly
as long as `rejects` holds rows of that run and date. A run that fails or is killed before its
commit point rejected nothing as far as the lake knows (the next run reads those files again
and quarantines them under its own id), so its copies go: at once when it fails
(`remove_run_quarantine`), or at the start of the next run (`sweep_orphan_quarantine`) when it
was killed. A backfill, or a changed landing file, replaces a date's rejects: the copies of the
run it replaced go with them. A run that fails after its commit point (publishing) keeps its
copies: its rejects are in the lake.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from flows.lake import Lake, write_json_atomic
from flows.lake_check import LakeDamaged
from transforms.readers import Reject


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


def write_quarantine(
    data_dir: Path, run_id: str, items: list[tuple[Reject, dt.date, bytes | None]]
) -> None:
    """Each rejected file (or record) beside its `.reason.json`. Files over the size limit and
    unreadable ones get the reason only."""
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


def sweep_orphan_quarantine(data: Path, lake: Lake) -> int:
    """Remove the quarantine dirs whose rejects are not in the lake (see the module's doc):
    runs killed or failed before their commit, and runs whose rejects of that date were
    replaced since. Call it under the data lock, after `lake.recover()`. Returns how many
    runs' dirs went."""
    qroot = data / "quarantine"
    if not qroot.is_dir():
        return 0
    swept = set()
    for day_dir in qroot.iterdir():
        try:
            day = dt.date.fromisoformat(day_dir.name)
        except ValueError:  # not one of ours
            continue
        try:
            held = set(lake.read("rejects", day, columns=["run_id"])["run_id"].to_pylist())
        except LakeDamaged:  # not knowing which runs' rejects it holds, keep every copy
            continue
        for qdir in day_dir.iterdir():
            if qdir.is_dir() and qdir.name not in held:
                shutil.rmtree(qdir, ignore_errors=True)
                swept.add(qdir.name)
        _remove_if_empty(day_dir)
    return len(swept)


def remove_run_quarantine(data: Path, run_id: str) -> None:
    """Remove what run `run_id` quarantined (it failed before its commit point)."""
    for qdir in (data / "quarantine").glob(f"*/{run_id}"):
        shutil.rmtree(qdir, ignore_errors=True)
        _remove_if_empty(qdir.parent)


def _remove_if_empty(d: Path) -> None:
    if d.is_dir() and not any(d.iterdir()):
        d.rmdir()
