"""kill -9 at every named point of a run: the warehouse readers see stays the previous one, and
the next run ends exactly where an uninterrupted run would have, with no table left ahead of
the ledger and no lease left behind.

Each killed run is a real subprocess (execute() without Prefect: the fail points are the same)
that SIGKILLs itself at AKHBAR_FAILPOINT."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.lake import Lake
from tests.conftest import ROOT, SEEDS
from tests.util import checksums, nightly

pytestmark = pytest.mark.integration

DAY = dt.date(2026, 11, 27)
KILLED_RUN = (
    "import sys, datetime as dt\n"
    "from pathlib import Path\n"
    "from tests.util import nightly\n"
    "nightly(Path(sys.argv[1]), Path(sys.argv[2]), dt.date.fromisoformat(sys.argv[3]))\n"
)


def _killed_run(landing: Path, data: Path, failpoint: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "AKHBAR_FAILPOINT": failpoint, "PYTHONPATH": str(ROOT)}
    return subprocess.run(
        [sys.executable, "-c", KILLED_RUN, str(landing), str(data), DAY.isoformat()],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _leftovers(data: Path) -> list[str]:
    found = [p.name for p in data.glob(".warehouse-*")]
    lake = Lake(data / "lake")
    latest = lake.latest_versions()
    # No table ahead of the ledger's pins: what a killed run committed was restored.
    found += [
        f"{t} at {v}, pinned {lake.pins.get(t)}" for t, v in latest.items() if v != lake.pins.get(t)
    ]
    found += [str(p) for p in (data / "lake").glob("_akhbar/lease.json")]
    if (data / "quarantine").exists():
        with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
            runs = {r for (r,) in con.execute("select run_id from runs").fetchall()}
        found += [str(q) for q in (data / "quarantine").glob("*/*") if q.name not in runs]
    return found


def _lake_matches_warehouse(data: Path) -> None:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        for t in ("articles", "rejects", "file_manifest", "runs"):
            lake = Lake(data / "lake").read(t).num_rows
            wh = con.execute(f"select count(*) from {t}").fetchone()[0]
            assert lake == wh, t


@pytest.fixture(scope="module")
def states(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Landing state A loaded into `base`; then the landing moves to state B (a new date, a
    changed file, bad files, a duplicate) and `reference` is base + one uninterrupted run."""
    root = tmp_path_factory.mktemp("crash")
    landing = root / "landing"
    shutil.copytree(SEEDS, landing)
    held_back = root / "held_back"
    shutil.move(landing / "2026-11-26", held_back)
    base = root / "base"
    nightly(landing, base, DAY)
    shutil.move(held_back, landing / "2026-11-26")
    day = landing / "2026-11-26"
    changed = next((landing / "2026-11-25").glob("*.txt"))
    changed.write_text("عنوان معدل\n\nنص معدل مع #وسم_معدل و @akhbar", encoding="utf-8")
    (day / "empty.txt").write_bytes(b"")
    (day / "broken.jsonl").write_text('{"title": "خبر", "content": "نص"}\n{oops\n', "utf-8")
    seed = landing / "2026-11-24" / "000_d0de07fd3e4728fb.txt"
    (day / "copy.txt").write_bytes(seed.read_bytes())
    reference = root / "reference"
    shutil.copytree(base, reference)
    s = nightly(landing, reference, DAY)
    assert s["articles_loaded"] > 0 and s["records_rejected"] == 2 and s["duplicates"] == 1
    return {
        "root": root,
        "landing": landing,
        "base": base,
        "before": checksums(base),
        "reference": checksums(reference),
    }


FAILPOINTS = [
    "read",
    "lake_write",
    "before_commit",
    "table_commit",  # after the first table's Delta commit
    "table_commit:3",  # between two tables' commits
    "before_ledger",  # every data table committed, the ledger not
    "after_commit",
    "before_publish",
    "publish",
]


@pytest.mark.parametrize("failpoint", FAILPOINTS)
def test_kill_at_any_point_keeps_old_state_and_next_run_finishes(
    states: dict, failpoint: str
) -> None:
    data = states["root"] / f"data-{failpoint.replace(':', '-')}"
    shutil.copytree(states["base"], data)
    proc = _killed_run(states["landing"], data, failpoint)
    assert proc.returncode == -signal.SIGKILL, (proc.returncode, proc.stderr[-2000:])
    # Readers see exactly the previous warehouse, whatever the lake went through.
    assert checksums(data) == states["before"]
    committed = failpoint in ("after_commit", "before_publish", "publish")
    # The next run restores tables committed before the ledger (or keeps a committed run) ...
    s = nightly(states["landing"], data, DAY)
    assert s["status"] == "completed"
    if committed:
        assert s["files_new"] + s["files_changed"] == 0  # the killed run's work was kept
    # ... and ends where an uninterrupted run ends, with nothing left behind.
    assert checksums(data) == states["reference"]
    assert _leftovers(data) == []
    _lake_matches_warehouse(data)


@pytest.mark.parametrize("failpoint", ["after_commit", "publish"])
def test_kill_during_the_very_first_run(states: dict, tmp_path: Path, failpoint: str) -> None:
    data = tmp_path / "data"
    proc = _killed_run(states["landing"], data, failpoint)
    assert proc.returncode == -signal.SIGKILL, proc.stderr[-2000:]
    assert not (data / "warehouse.duckdb").exists()  # nothing published: nothing half-visible
    nightly(states["landing"], data, DAY)
    clean = tmp_path / "clean"
    nightly(states["landing"], clean, DAY)
    assert checksums(data) == checksums(clean)
    assert _leftovers(data) == []
