"""Concurrent users, with real second processes: one writer per data dir (a second run fails at
once naming the holder, or waits with --wait; a lock left by a killed run is taken over), and an
analyst's read-only connection never blocks a run nor sees half of one."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.lock import RunLocked, check_free
from flows.plan import plan_nightly
from flows.run import execute
from flows.settings import Settings
from tests.conftest import ROOT
from tests.util import checksums, nightly, query

pytestmark = pytest.mark.integration

HOLD = (
    "import sys, time\n"
    "from pathlib import Path\n"
    "from flows.lock import data_lock\n"
    "with data_lock(Path(sys.argv[1])):\n"
    "    print('held', flush=True)\n"
    "    if len(sys.argv) > 2:\n"
    "        time.sleep(float(sys.argv[2]))\n"
    "    else:\n"
    "        sys.stdin.readline()\n"
)
READER = (
    "import sys, duckdb\n"
    "con = duckdb.connect(sys.argv[1], read_only=True)\n"
    "q = 'select count(*), max(title) from articles'\n"
    "print(*con.execute(q).fetchone(), sep='|', flush=True)\n"
    "sys.stdin.readline()\n"
    "print(*con.execute(q).fetchone(), sep='|', flush=True)\n"
)


def _spawn(code: str, *args: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        cwd=ROOT,
        env=env,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    return p


def _hold(data: Path, *args: str) -> subprocess.Popen:
    p = _spawn(HOLD, str(data), *args)
    assert p.stdout.readline().strip() == "held"
    return p


def test_second_run_exits_at_once_naming_the_holder(landing: Path, data_dir: Path) -> None:
    """Through the real command line (this one pays for Prefect's temporary server once)."""
    holder = _hold(data_dir)
    try:
        with pytest.raises(RunLocked, match=rf"another run \(pid {holder.pid}, started "):
            check_free(data_dir)  # the fast pre-check a command can make before Prefect
        t0, d = time.monotonic(), str(data_dir)
        res = subprocess.run(
            [sys.executable, "-m", "flows.cli", "run", "--landing", str(landing), "--data", d],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )
        elapsed = time.monotonic() - t0
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert res.returncode != 0
    assert f"another run (pid {holder.pid}, started " in res.stderr
    assert f"holds {data_dir}" in res.stderr and "--wait" in res.stderr
    assert elapsed < 60  # fails, does not queue (the time is Prefect's start-up)
    assert not (data_dir / "warehouse.duckdb").exists()
    check_free(data_dir)  # released with the holder


def test_wait_queues_behind_the_holder(landing: Path, data_dir: Path) -> None:
    holder = _hold(data_dir, "1.0")
    s = Settings(landing, data_dir, wait_for_lock=True)
    t0 = time.monotonic()
    out = execute(s, lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)), {}, log=print)
    waited = time.monotonic() - t0
    holder.wait(10)
    assert out.status == "completed" and out.counts["articles_loaded"] > 0
    assert waited > 0.5


def test_lock_of_a_killed_run_is_taken_over(landing: Path, data_dir: Path) -> None:
    holder = _hold(data_dir)
    holder.send_signal(signal.SIGKILL)
    holder.wait(10)
    assert str(holder.pid) in (data_dir / ".akhbar.lock").read_text()  # its note is still there
    s = nightly(landing, data_dir)
    assert s["status"] == "completed"
    assert str(os.getpid()) in (data_dir / ".akhbar.lock").read_text()


def test_reader_in_another_process_keeps_its_snapshot(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    reader = _spawn(READER, str(data_dir / "warehouse.duckdb"))
    try:
        first = reader.stdout.readline().strip()
        n_before = int(first.split("|")[0])
        (landing / "2026-11-26" / "late.txt").write_text(
            "ي خبر متأخر\n\nوصل هذا الخبر بعد النشر الأول", encoding="utf-8"
        )
        s = nightly(landing, data_dir)  # publishes while the reader holds the old file open
        assert s["status"] == "completed" and s["articles_loaded"] == 1
        reader.stdin.write("\n")
        reader.stdin.flush()
        second = reader.stdout.readline().strip()
    finally:
        reader.stdin.close()
        reader.wait(10)
    assert reader.returncode == 0
    assert second == first  # the old snapshot, whole
    (n_after,) = query(data_dir, "select count(*) from articles")[0]
    assert n_after == n_before + 1  # a new connection sees the new run


def test_query_is_read_only_and_says_when_there_is_no_warehouse(
    landing: Path, data_dir: Path
) -> None:
    res = CliRunner().invoke(main, ["query", "select 1", "--data", str(data_dir)])
    assert res.exit_code != 0
    assert f"no warehouse at {data_dir / 'warehouse.duckdb'}" in res.output
    assert "akhbar run" in res.output
    assert not (data_dir / "warehouse.duckdb").exists()  # asking did not create one
    nightly(landing, data_dir)
    before = checksums(data_dir)
    for sql in ("delete from articles", "create table x (i int)"):
        res = CliRunner().invoke(main, ["query", sql, "--data", str(data_dir)])
        assert res.exit_code != 0 and "read-only" in res.output, res.output
    assert checksums(data_dir) == before
    # A query answers while another process holds the lock (a run in progress).
    holder = _hold(data_dir)
    try:
        res = CliRunner().invoke(
            main, ["query", "select count(*) from articles", "--data", str(data_dir)]
        )
    finally:
        holder.stdin.close()
        holder.wait(10)
    assert res.exit_code == 0 and "(1 rows)" in res.output
