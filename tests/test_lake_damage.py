"""A lake file of the current version deleted or truncated by hand: every run stops with a
message naming the table, the date and the file, `akhbar lake check` lists it, and a backfill
of that date (which must not read the damaged file first) restores a clean run's rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.lake import Lake
from flows.lake_check import LakeDamaged, check
from tests.util import backfill, checksums, lake_checksums, nightly

DAMAGED_DAY = dt.date(2026, 11, 25)


def _file_of(data: Path, table: str) -> Path:
    files = Lake(data / "lake").files(table, DAMAGED_DAY)
    assert files, f"no {table} file of {DAMAGED_DAY}"
    return Path(files[0])


def _delete(f: Path) -> None:
    f.unlink()


def _truncate(f: Path) -> None:
    with open(f, "r+b") as fh:
        fh.truncate(f.stat().st_size // 2)


def _lake_check(data: Path) -> tuple[int, str]:
    res = CliRunner().invoke(main, ["lake", "check", "--data", str(data)])
    return res.exit_code, res.output


@pytest.mark.parametrize(
    ("table", "damage", "why"),
    [
        ("articles", _delete, "missing"),
        ("articles", _truncate, "the lake's log says"),
        ("file_manifest", _truncate, "the lake's log says"),
    ],
)
def test_damaged_file_is_named_and_a_backfill_of_its_date_repairs_it(
    landing: Path, data_dir: Path, table: str, damage, why: str
) -> None:
    nightly(landing, data_dir)
    reference, lake_reference = checksums(data_dir), lake_checksums(data_dir / "lake")
    assert _lake_check(data_dir)[0] == 0
    bad = _file_of(data_dir, table)
    damage(bad)
    version = Lake(data_dir / "lake").version

    code, said = _lake_check(data_dir)
    assert code == 1
    assert f"{table}, ingest_date={DAMAGED_DAY}: {bad}" in said and why in said
    assert f"akhbar backfill --start {DAMAGED_DAY} --end {DAMAGED_DAY}" in said

    # Every run stops before it changes anything: a nightly with nothing new, one with a new
    # file, and a backfill of another date.
    (landing / "2026-11-26" / "late.txt").write_text("خبر متأخر\n\nوصل بعد النشر", "utf-8")
    for attempt in (
        lambda: nightly(landing, data_dir),
        lambda: backfill(landing, data_dir, dt.date(2026, 11, 24), dt.date(2026, 11, 24)),
    ):
        with pytest.raises(LakeDamaged, match=f"{table}, ingest_date={DAMAGED_DAY}"):
            attempt()
        assert Lake(data_dir / "lake").version == version
    (landing / "2026-11-26" / "late.txt").unlink()

    out = backfill(landing, data_dir, DAMAGED_DAY, DAMAGED_DAY)
    assert out["status"] == "completed" and out["dates"] == [DAMAGED_DAY.isoformat()]
    assert _lake_check(data_dir)[0] == 0
    assert checksums(data_dir) == reference
    assert lake_checksums(data_dir / "lake") == lake_reference


def test_a_file_damaged_after_the_check_is_named_by_the_read(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    lake = Lake(data_dir / "lake")
    assert check(lake) == []
    bad = _file_of(data_dir, "articles")
    _truncate(bad)
    with pytest.raises(LakeDamaged) as e:
        lake.read("articles")
    assert [(d.table, d.day, d.file) for d in e.value.damage] == [
        ("articles", DAMAGED_DAY, str(bad))
    ]


def test_the_cli_run_says_what_is_damaged(
    prefect_harness: None, landing: Path, data_dir: Path
) -> None:
    nightly(landing, data_dir)
    bad = _file_of(data_dir, "articles")
    _delete(bad)
    res = CliRunner().invoke(
        main, ["run", "--landing", str(landing), "--data", str(data_dir), "--workers", "1"]
    )
    assert res.exit_code == 1
    assert "Error: the lake has 1 damaged file(s):" in res.output
    assert f"articles, ingest_date={DAMAGED_DAY}: {bad} (missing)" in res.output


def test_damage_on_an_s3_lake_is_found_by_listing_and_repaired(
    landing: Path, tmp_path: Path, s3_bucket: str
) -> None:
    from flows.lake_files import s3_filesystem

    lake_uri, data = f"{s3_bucket}/akhbar/lake", tmp_path / "data"
    nightly(landing, data, lake=lake_uri)
    reference = lake_checksums(lake_uri)
    arts = str(Lake(lake_uri).files("articles", DAMAGED_DAY)[0])
    manifest = str(Lake(lake_uri).files("file_manifest", DAMAGED_DAY)[0])
    fs = s3_filesystem()
    fs.delete_file(arts.removeprefix("s3://"))
    with fs.open_output_stream(manifest.removeprefix("s3://")) as out:
        out.write(b"PAR1")
    found = [(d.table, d.day, d.file, d.why) for d in check(Lake(lake_uri))]
    assert found == [
        ("articles", DAMAGED_DAY, arts, "missing"),
        ("file_manifest", DAMAGED_DAY, manifest, found[1][3]),
    ]
    assert found[1][3].startswith("4 bytes, the lake's log says ")
    with pytest.raises(LakeDamaged, match="akhbar backfill --start 2026-11-25 --end 2026-11-25"):
        nightly(landing, data, lake=lake_uri)
    backfill(landing, data, DAMAGED_DAY, DAMAGED_DAY, lake=lake_uri)
    assert check(Lake(lake_uri)) == []
    assert lake_checksums(lake_uri) == reference


def test_a_damaged_runs_file_is_reported_but_blocks_no_run(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    bad = Path(Lake(data_dir / "lake").files("runs")[0])
    _truncate(bad)
    code, said = _lake_check(data_dir)
    assert code == 1 and "runs, ingest_date=" in said and str(bad) in said
    assert "put those back from a backup" in said and "akhbar backfill" not in said
    assert nightly(landing, data_dir)["status"] == "completed"


def _garble(f: Path) -> None:
    raw = bytearray(f.read_bytes())
    raw[10:40] = b"\x00" * 30
    f.write_bytes(bytes(raw))


@pytest.mark.parametrize(
    ("table", "damage"),
    [("articles", _truncate), ("articles", _garble), ("runs", _garble), ("hashtags", _delete)],
)
def test_a_damaged_delta_log_is_named_and_the_documented_rebuild_repairs_it(
    landing: Path, data_dir: Path, table: str, damage
) -> None:
    """A commit of a table's Delta log damaged by hand: every run and `akhbar lake check` stop
    with one message naming the table and its log, and the rebuild that message describes
    (move the lake aside, backfill every landing date) gives a clean run's rows."""
    nightly(landing, data_dir)
    reference = checksums(data_dir)
    log = data_dir / "lake" / table / "_delta_log"
    damage(max(log.glob("*.json")))

    code, said = _lake_check(data_dir)
    assert code == 1 and f"Delta log of the lake's table {table}" in said, said
    assert "Traceback" not in said
    with pytest.raises(LakeDamaged, match=f"table {table} .*is damaged"):
        nightly(landing, data_dir)
    res = CliRunner().invoke(
        main, ["run", "--landing", str(landing), "--data", str(data_dir), "--workers", "1"]
    )
    assert res.exit_code == 1 and f"Delta log of the lake's table {table}" in res.output
    assert "mv <data>/lake <data>/lake.damaged" in res.output and "Traceback" not in res.output

    (data_dir / "lake").rename(data_dir / "lake.damaged")
    days = sorted(p.name for p in landing.iterdir() if p.is_dir())
    first, last = dt.date.fromisoformat(days[0]), dt.date.fromisoformat(days[-1])
    assert backfill(landing, data_dir, first, last)["status"] == "completed"
    assert nightly(landing, data_dir)["status"] == "completed"  # files outside date folders
    assert _lake_check(data_dir)[0] == 0
    rebuilt = checksums(data_dir)
    assert {t: rebuilt[t] for t in reference if t != "runs"} == {
        t: v for t, v in reference.items() if t != "runs"
    }
