"""A warehouse left behind by runs that committed to the lake but did not publish is brought up
to date in place by the next run (flows/publish_catchup.py), not rebuilt, and ends equal to
one published from the lake alone."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import duckdb
import pytest

from flows.lake import Lake
from flows.plan import plan_nightly
from flows.publish_catchup import missed
from flows.publish_meta import behind, read_meta
from flows.run import Hooks, PublishFailed, execute
from flows.settings import Settings
from tests.util import checksums, from_lake_checksums, query

DAY = dt.date(2026, 11, 27)


def _run(landing: Path, data: Path, hooks: Hooks | None = None, log=None):
    s = Settings(landing, data, workers=1)
    plan = lambda lake: plan_nightly(s, lake, DAY)  # noqa: E731
    kw = {"hooks": hooks} if hooks else {}
    return execute(s, plan, {}, log=log or (lambda _m: None), **kw)


def _unpublished(landing: Path, data: Path) -> None:
    """A run that commits to the lake and whose publish fails (its failed row too)."""

    def no_publish(*_a: object, **_k: object) -> str:
        raise OSError("the volume went away (simulated)")

    with pytest.raises(PublishFailed):
        _run(landing, data, Hooks(publish_fn=no_publish))


def test_runs_that_did_not_publish_are_caught_up_in_place(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    assert _run(landing, data_dir).publish_mode == "full"
    # two runs that change the lake and do not publish: a changed file, a new date
    changed = sorted((landing / "2026-11-26").glob("*.txt"))[0]
    changed.write_text("عنوان معدل\n\nنص معدل عن #جدة", encoding="utf-8")
    _unpublished(landing, data_dir)
    (landing / "2026-11-28").mkdir()
    (landing / "2026-11-28" / "001_00000000000000aa.txt").write_text(
        "خبر\n\nنص آخر عن #الرياض", encoding="utf-8"
    )
    _unpublished(landing, data_dir)
    lake = Lake(data_dir / "lake")
    meta = read_meta(data_dir / "warehouse.duckdb")
    published = behind(meta, lake.version + 1)
    assert published is not None and published < lake.version - 1  # several versions behind
    extra = missed(lake, meta, lake.version)
    assert extra is not None
    assert {dt.date(2026, 11, 26), dt.date(2026, 11, 28)} <= extra["articles"]
    assert dt.date(2026, 11, 24) not in extra["articles"]  # untouched dates stay as they are
    # the next run has nothing new of its own: it applies what the others left
    logs: list[str] = []
    out = _run(landing, data_dir, log=logs.append)
    assert out.publish_mode == "incremental"
    assert any("the runs between did not publish" in m for m in logs), logs
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)
    meta = read_meta(data_dir / "warehouse.duckdb")
    assert meta["lake_version"] == str(Lake(data_dir / "lake").version)
    statuses = [r[0] for r in query(data_dir, "SELECT status FROM runs ORDER BY started_at")]
    assert statuses == ["completed", "failed", "failed", "completed"]
    (title,) = query(data_dir, "SELECT title FROM articles WHERE title = 'عنوان معدل'")[0]
    assert title == "عنوان معدل"


def test_a_warehouse_one_behind_or_in_another_schema_is_not_caught_up() -> None:
    from flows.publish_meta import SCHEMA_VERSION
    from flows.warehouse_tables import STORAGE_VERSION

    meta = {"schema_version": str(SCHEMA_VERSION), "storage_version": STORAGE_VERSION}
    assert behind({**meta, "lake_version": "4"}, 5) is None  # the usual update
    assert behind({**meta, "lake_version": "2"}, 5) == 2
    assert behind({**meta, "lake_version": "7"}, 5) is None  # ahead of the lake: rebuilt
    assert behind({**meta, "lake_version": "2", "schema_version": "1"}, 5) is None
    assert behind({}, 5) is None


def test_a_run_with_nothing_new_copies_nothing_while_a_reader_holds_the_file(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    """Its `runs` row waits for the next run, which publishes it with its own."""
    assert _run(landing, data_dir).publish_mode == "full"
    live = data_dir / "warehouse.duckdb"
    with duckdb.connect(str(live), read_only=True) as reader:  # DuckDB: no writer beside it
        before = live.stat()
        said: list[str] = []
        assert _run(landing, data_dir, log=said.append).publish_mode == "deferred"
        assert any("its `runs` row is published by the next run" in m for m in said), said
        assert reader.execute("select count(*) from runs").fetchone()[0] == 1
    after = live.stat()
    assert (after.st_ino, after.st_mtime_ns, after.st_size) == (
        before.st_ino,
        before.st_mtime_ns,
        before.st_size,
    )
    assert not list(data_dir.glob(".warehouse-*"))
    assert _run(landing, data_dir).publish_mode == "incremental"  # the reader gone
    assert [r[0] for r in query(data_dir, "SELECT status FROM runs")] == ["completed"] * 3
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)


def test_a_vacuum_between_two_runs_does_not_force_a_rebuild(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    """`akhbar lake vacuum` adds two commits without pins to a table it removes files of, the
    ledger too when a failed run replaced a row: those commits are not runs, and the
    warehouse is caught up across them."""
    from click.testing import CliRunner

    from flows.cli import main

    _run(landing, data_dir)
    changed = sorted((landing / "2026-11-26").glob("*.txt"))[0]
    changed.write_text("عنوان معدل\n\nنص معدل عن #جدة", encoding="utf-8")
    _unpublished(landing, data_dir)  # its `completed` row replaced by a `failed` one
    before = Lake(data_dir / "lake").version
    args = ["lake", "vacuum", "--data", str(data_dir), "--retention-hours", "0"]
    out = CliRunner().invoke(main, args)
    assert out.exit_code == 0, out.output
    meta = read_meta(data_dir / "warehouse.duckdb")
    lake = Lake(data_dir / "lake")
    assert lake.version > before  # the vacuum's commits to the ledger
    assert missed(lake, meta, lake.version) is not None
    # a warehouse published by a run that is not in this lake's history is not caught up
    assert missed(lake, {**meta, "published_by_run": "another"}, lake.version) is None
    (landing / "2026-11-28").mkdir()
    (landing / "2026-11-28" / "001_00000000000000aa.txt").write_text(
        "خبر\n\nنص آخر عن #الرياض", encoding="utf-8"
    )
    assert _run(landing, data_dir).publish_mode == "incremental"
    assert checksums(data_dir) == from_lake_checksums(data_dir, tmp_path)


def test_a_run_that_fails_after_its_publish_committed_shows_as_failed(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its `completed` row, published, is replaced in the lake by a `failed` one: the
    warehouse's row is replaced too (same run id, same key), not kept."""
    from flows import publish_check

    _run(landing, data_dir)
    (landing / "2026-11-28").mkdir()
    (landing / "2026-11-28" / "001_00000000000000aa.txt").write_text(
        "خبر\n\nنص آخر عن #الرياض", encoding="utf-8"
    )
    record, calls = publish_check.record, []

    def fails_once(data: Path) -> None:
        calls.append(data)
        if len(calls) == 1:  # after the in-place publish committed
            raise OSError("the fingerprint could not be written (simulated)")
        record(data)

    monkeypatch.setattr(publish_check, "record", fails_once)
    with pytest.raises(PublishFailed):
        _run(landing, data_dir)
    lake_rows = Lake(data_dir / "lake").read("runs", columns=["run_id", "status"]).to_pylist()
    in_lake = sorted((r["run_id"], r["status"]) for r in lake_rows)
    in_warehouse = sorted(query(data_dir, "SELECT run_id, status FROM runs"))
    assert [s for _, s in in_lake].count("failed") == 1
    assert in_warehouse == in_lake
