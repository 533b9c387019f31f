"""Step 1 of a run (flows/run.py), under the data-dir lock and the lake's lease: clear what an
interrupted run left, and find what is damaged, before anything is planned."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from flows.lake import Lake
from flows.lake_check import check
from flows.lake_migrate import migrate
from flows.publish import sweep_temp
from flows.publish_check import damaged, forget
from flows.quarantine import sweep_orphan_quarantine


def recover(data: Path, lake: Lake, log: Callable[[str], None]) -> None:
    """Half-built warehouses removed, a damaged warehouse removed (the run rebuilds it), a
    journal lake converted, tables a killed run left ahead restored, damaged lake files found
    (`lake.damage`), and orphaned quarantine removed; each said in the log."""
    # First of all: a publish that failed on a full disk left no room for anything else.
    left = sweep_temp(data)
    if left:
        log(f"removed {len(left)} half-built warehouse file(s) of an earlier publish")
    why = damaged(data)
    if why:  # it reads until a query meets the damage; a copy of it would carry it forward
        forget(data)
        log(f"the warehouse is damaged ({why}): removed it; this run rebuilds it from the lake")
    if migrate(lake):
        log(f"converted the lake {lake.uri} to Delta tables (once; flows/lake_migrate.py)")
    recovered = lake.recover()
    if recovered:
        log(f"restored {', '.join(recovered)} to the last completed run (a run was interrupted)")
    lake.damage = check(lake)
    if lake.damage:  # a backfill of their dates goes on (and repairs them); others stop
        days = sorted({d.day.isoformat() for d in lake.damage})
        log(f"{len(lake.damage)} damaged lake file(s) of {', '.join(days)} (akhbar lake check)")
    swept = sweep_orphan_quarantine(data, lake)
    if swept:
        log(f"removed the quarantine of {swept} run(s) whose rejects are not in the lake")
