"""`<data>/quarantine/<ingest_date>/<run_id>/`: every rejected landing file (or record) of a run
beside its `.reason.json`, written as the run reads. A run killed before it committed leaves a
quarantine the lake knows nothing of: the next run sweeps it (`sweep_orphan_quarantine`) and
reads those files again.
"""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

from flows.lake import Lake, write_json_atomic
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
