"""Publishing in place (flows/publish_inplace.py): a run that can update the warehouse writes
its partitions into the live file in one transaction, copies nothing, and falls back to a copy
it swaps in only while a reader (another process) holds the file. Real DuckDB files, real
runs, real reader processes and real SIGKILLs."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import duckdb
import pytest

from flows import publish_check
from flows.plan import plan_backfill, plan_nightly
from flows.run import RunOutcome, execute
from flows.settings import Settings
from tests.util import checksums, from_lake_checksums, killed_nightly, query

DAY = dt.date(2026, 11, 27)


def _run(landing: Path, data: Path, log: list[str] | None = None) -> RunOutcome:
    s = Settings(landing, data, workers=1)
    said = log if log is not None else []
    return execute(s, lambda lake: plan_nightly(s, lake, DAY), {}, log=said.append)


def _backfill(landing: Path, data: Path, start: dt.date, end: dt.date) -> RunOutcome:
    s = Settings(landing, data, workers=1)
    return execute(s, lambda lake: plan_backfill(s, lake, start, end), {}, log=lambda _m: None)


def _add_article(landing: Path, name: str) -> None:
    folder = landing / "2026-11-27"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(f"خبر {name}\n\nنص جديد عن #الرياض", encoding="utf-8")


class TempWatcher:
    """Every `.warehouse-*` file that appears in `data` while it watches."""

    def __init__(self, data: Path) -> None:
        self.data, self.seen, self._stop = data, set(), threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def _watch(self) -> None:
        while not self._stop.is_set():
            self.seen |= {p.name for p in self.data.glob(".warehouse-*")}

    def __enter__(self) -> TempWatcher:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def test_a_nightly_updates_the_live_file_and_copies_nothing(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    assert _run(landing, data_dir).publish_mode == "full"
    live = data_dir / "warehouse.duckdb"
    inode = live.stat().st_ino
    _add_article(landing, "001_00000000000000aa.txt")
    with TempWatcher(data_dir) as watcher:
        out = _run(landing, data_dir)
    assert out.publish_mode == "incremental"
    assert live.stat().st_ino == inode  # the same file, written in place
    assert watcher.seen == set()  # no copy or new file was ever built beside it
    assert not Path(f"{live}.wal").exists()  # checkpointed
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    assert publish_check.damaged(data_dir) is None  # its fingerprint was recorded


def test_a_run_with_nothing_new_only_appends_its_runs_row(landing: Path, data_dir: Path) -> None:
    first = _run(landing, data_dir)
    live = data_dir / "warehouse.duckdb"
    inode, size, before = live.stat().st_ino, live.stat().st_size, checksums(data_dir)
    with TempWatcher(data_dir) as watcher:
        noop = _run(landing, data_dir)
    assert noop.counts["files_new"] == 0 and noop.publish_mode == "incremental"
    assert live.stat().st_ino == inode and watcher.seen == set()
    assert live.stat().st_size <= size + 4 * 262144  # a few blocks at most, not a copy
    assert checksums(data_dir) == before
    history = query(data_dir, "select run_id, status from v_run_history")
    assert history == [(noop.run_id, "completed"), (first.run_id, "completed")]


READER = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "print(con.execute('select count(*) from articles').fetchone()[0], flush=True)\n"
    "sys.stdin.readline()\n"
    "print(con.execute('select count(*) from articles').fetchone()[0], flush=True)\n"
)


def test_a_reader_in_another_process_gets_a_copy_swapped_in(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    _run(landing, data_dir)
    live = data_dir / "warehouse.duckdb"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(live)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert reader.stdout is not None and reader.stdin is not None
        seen = int(reader.stdout.readline())
        _add_article(landing, "001_00000000000000aa.txt")
        said: list[str] = []
        out = _run(landing, data_dir, said)
        assert out.status == "completed" and out.publish_mode == "incremental-copy"
        assert any("a reader holds the warehouse open" in m for m in said)
        reader.stdin.write("\n")
        reader.stdin.flush()
        assert int(reader.stdout.readline()) == seen  # its snapshot, unchanged
    finally:
        reader.kill()
        reader.wait()
    assert query(data_dir, "select count(*) from articles")[0][0] == seen + 1
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    assert not list(data_dir.glob(".warehouse-*"))
    # The reader gone, the next run is in place again.
    _add_article(landing, "002_00000000000000bb.txt")
    assert _run(landing, data_dir).publish_mode == "incremental"


@pytest.mark.integration
@pytest.mark.parametrize("failpoint", ["publish_applied", "publish", "publish_committed"])
def test_killed_during_the_in_place_publish_the_next_run_repairs(
    landing: Path, tmp_path: Path, failpoint: str
) -> None:
    data, clean = tmp_path / "data", tmp_path / "clean"
    held = tmp_path / "held"
    shutil.move(landing / "2026-11-26", held)
    _run(landing, data)
    before = checksums(data)
    shutil.move(held, landing / "2026-11-26")
    killed_nightly(landing, data, failpoint)
    _run(landing, clean)
    # Readers see the old warehouse, or (killed after its commit) the new one: never half.
    after_kill = checksums(data)
    if failpoint == "publish_committed":
        assert after_kill == checksums(clean)
    else:
        assert after_kill == before
    out = _run(landing, data)
    assert out.status == "completed"
    assert checksums(data) == checksums(clean)
    assert not list(data.glob(".warehouse-*"))
    assert publish_check.damaged(data) is None


def test_repeated_backfills_reuse_the_space_they_free(landing: Path, data_dir: Path) -> None:
    _run(landing, data_dir)
    live = data_dir / "warehouse.duckdb"
    start, end = dt.date(2026, 11, 24), dt.date(2026, 11, 26)
    _backfill(landing, data_dir, start, end)
    first = live.stat().st_size
    reference = checksums(data_dir)
    sizes = []
    for _ in range(4):
        assert _backfill(landing, data_dir, start, end).publish_mode == "incremental"
        sizes.append(live.stat().st_size)
    assert max(sizes) <= 1.3 * first, (first, sizes)
    assert checksums(data_dir) == reference


def test_a_copied_data_dir_is_verified_and_used_notfrom_lake_checksums(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    """A restore (new inode, new ctime) costs one read of the file by DuckDB, not a rebuild."""
    _run(landing, data_dir)
    copy = tmp_path / "restored"
    shutil.copytree(data_dir, copy)
    assert publish_check.damaged(copy) is None
    assert publish_check.damaged(copy) is None  # and its new fingerprint was recorded
    _add_article(landing, "001_00000000000000aa.txt")
    said: list[str] = []
    assert _run(landing, copy, said).publish_mode == "incremental"
    assert not any("damaged" in m for m in said)


def test_a_warehouse_published_with_a_crc32_is_checked_the_old_way_once(
    landing: Path, data_dir: Path
) -> None:
    _run(landing, data_dir)
    live = data_dir / "warehouse.duckdb"
    (data_dir / publish_check.FINGERPRINT_FILE).unlink()
    crc = data_dir / publish_check.LEGACY_CRC_FILE
    crc.write_text(f"{publish_check.file_crc(live):08x}\n")
    assert publish_check.damaged(data_dir) is None
    crc.write_text(f"{publish_check.file_crc(live) ^ 1:08x}\n")
    assert "CRC-32" in (publish_check.damaged(data_dir) or "")
    crc.write_text(f"{publish_check.file_crc(live):08x}\n")
    _add_article(landing, "001_00000000000000aa.txt")
    assert _run(landing, data_dir).publish_mode == "incremental"
    assert not crc.exists() and (data_dir / publish_check.FINGERPRINT_FILE).exists()


def test_a_reader_of_the_same_process_is_not_written_under(landing: Path, data_dir: Path) -> None:
    """DuckDB refuses a second open of the file in one process: the run copies instead."""
    _run(landing, data_dir)
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as con:
        n = con.execute("select count(*) from articles").fetchone()[0]
        _add_article(landing, "001_00000000000000aa.txt")
        assert _run(landing, data_dir).publish_mode == "incremental-copy"
        assert con.execute("select count(*) from articles").fetchone()[0] == n
    assert query(data_dir, "select count(*) from articles")[0][0] == n + 1
