"""`akhbar query` while another process holds the warehouse read-write: a real second process
with a real DuckDB read-write connection, not a simulated error."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows import warehouse_open
from flows.cli import main

HOLDER = """
import sys, time, duckdb
con = duckdb.connect(sys.argv[1])  # read-write: takes DuckDB's exclusive file lock
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
con.close()
print("released", flush=True)
time.sleep(60)
"""


@pytest.fixture
def warehouse(tmp_path: Path) -> Path:
    path = tmp_path / "warehouse.duckdb"
    with duckdb.connect(str(path)) as con:
        con.execute("create table t as select 42 as answer")
    return path


def _hold(path: Path, seconds: float) -> subprocess.Popen:
    p = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path), str(seconds)], stdout=subprocess.PIPE, text=True
    )
    assert p.stdout is not None and p.stdout.readline().strip() == "holding"
    return p


@pytest.fixture
def holders() -> Iterator[list[subprocess.Popen]]:
    started: list[subprocess.Popen] = []
    yield started
    for p in started:  # only the processes this test started, by their own handle
        p.kill()
        p.wait()


def test_query_says_who_holds_the_warehouse_in_one_line(
    warehouse: Path, holders: list[subprocess.Popen], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(warehouse_open, "WAIT_S", 0.5)
    holder = _hold(warehouse, 120)
    holders.append(holder)
    res = CliRunner().invoke(main, ["query", "select * from t", "--data", str(warehouse.parent)])
    assert res.exit_code == 1
    lines = res.output.strip().splitlines()
    assert len(lines) == 1, res.output
    assert "Traceback" not in res.output
    assert f"held read-write by process {holder.pid}" in lines[0]
    assert "read_only=True" in lines[0] and str(warehouse) in lines[0]


def test_query_waits_for_a_writer_that_lets_go(
    warehouse: Path, holders: list[subprocess.Popen]
) -> None:
    holder = _hold(warehouse, 1.0)  # a publish in place: seconds
    holders.append(holder)
    res = CliRunner().invoke(
        main, ["query", "select answer from t", "--data", str(warehouse.parent), "--format", "csv"]
    )
    assert res.exit_code == 0, res.output
    assert res.output.splitlines() == ["answer", "42"]


def test_other_errors_are_not_mistaken_for_a_lock(tmp_path: Path) -> None:
    bad = tmp_path / "warehouse.duckdb"
    bad.write_bytes(b"not a database at all" * 100)
    with pytest.raises(duckdb.Error) as e:
        warehouse_open.connect_read_only(bad, wait_s=0.1)
    assert not isinstance(e.value, warehouse_open.WarehouseBusy)
