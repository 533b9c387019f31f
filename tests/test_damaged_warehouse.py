"""A warehouse damaged on disk (64 KB of noise in the middle) is detected by the next run and
rebuilt from the lake, never copied forward."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import duckdb

from flows.plan import plan_nightly
from flows.run import execute
from flows.settings import Settings
from tests.util import CONTENT_TABLES, checksums, nightly

DAY = dt.date(2026, 11, 27)


def _damage(path: Path) -> None:
    size = path.stat().st_size
    with open(path, "r+b") as f:
        f.seek(size // 2)
        f.write(os.urandom(64 * 1024))


def _run(landing: Path, data: Path) -> tuple[str, list[str]]:
    said: list[str] = []
    s = Settings(landing, data)
    out = execute(s, lambda lake: plan_nightly(s, lake, DAY), {}, log=said.append)
    return out.publish_mode, said


def _reads_whole(data: Path) -> None:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        for t in (*CONTENT_TABLES, "runs", "entities", "entity_aliases"):
            con.execute(f"SELECT * FROM {t}").fetchall()  # every block of every column


def test_damaged_warehouse_is_rebuilt_not_copied_forward(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    reference = checksums(data_dir)
    _damage(data_dir / "warehouse.duckdb")
    mode, said = _run(landing, data_dir)  # nothing new: a publish of the runs row only
    assert mode == "full"
    assert any("the warehouse is damaged" in m and "rebuilds it from the lake" in m for m in said)
    _reads_whole(data_dir)
    assert checksums(data_dir) == reference
    # And with new data: damaged again, the run's background build must not start from it.
    _damage(data_dir / "warehouse.duckdb")
    (landing / "2026-11-26" / "late.txt").write_text("خبر متأخر\n\nوصل بعد النشر", "utf-8")
    mode, said = _run(landing, data_dir)
    assert mode == "full" and any("the warehouse is damaged" in m for m in said)
    _reads_whole(data_dir)
    # Sound again: the next run trusts it and updates it in place of a rebuild.
    (landing / "2026-11-26" / "later.txt").write_text("خبر آخر\n\nوصل بعده", "utf-8")
    mode, said = _run(landing, data_dir)
    assert mode == "incremental" and not any("damaged" in m for m in said)
