"""CLI commands that need no Prefect: backfill --dry-run, and the pre-checks that fail fast."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from flows.cli import main
from tests.util import checksums, nightly


def test_backfill_dry_run_lists_and_changes_nothing(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    before = checksums(data_dir)
    res = CliRunner().invoke(
        main,
        [
            "backfill",
            "--start",
            "2026-11-25",
            "--end",
            "2026-11-28",
            "--dry-run",
            "--landing",
            str(landing),
            "--data",
            str(data_dir),
        ],
    )
    assert res.exit_code == 0, res.output
    lines = res.output.splitlines()
    n_files = len(list((landing / "2026-11-25").iterdir()))
    assert lines[0].startswith("2026-11-25: would replace ")
    assert lines[0].endswith(f"from {n_files} landing files")
    assert "2026-11-26: would replace" in lines[1]
    # The loose file was loaded under the nightly run's date: a backfill of that date re-reads it.
    assert lines[2] == "2026-11-27: would replace 1 article rows from 1 landing files"
    assert lines[3] == "2026-11-28: no landing folder: would be left unchanged"
    assert checksums(data_dir) == before


def test_run_with_missing_landing_dir_fails_before_prefect(tmp_path: Path) -> None:
    res = CliRunner().invoke(
        main, ["run", "--landing", str(tmp_path / "nope"), "--data", str(tmp_path / "d")]
    )
    assert res.exit_code != 0
    assert "does not exist: create it or pass --landing" in res.output


def test_backfill_end_before_start(tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["backfill", "--start", "2026-11-25", "--end", "2026-11-24"])
    assert res.exit_code != 0 and "is before" in res.output


def test_query_json_csv_and_output_count(landing: Path, data_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    nightly(landing, data_dir)
    run = CliRunner().invoke
    res = run(
        main, ["query", "select 'nan'::double x, 1 y", "--data", str(data_dir), "--format", "json"]
    )
    assert res.exit_code == 0 and json.loads(res.output) == [{"x": None, "y": 1}]
    res = run(main, ["query", "select ['أ', 'ب'] l", "--data", str(data_dir), "--format", "csv"])
    assert res.output.splitlines()[1] == '"[""أ"", ""ب""]"'
    out = tmp_path / "t.txt"
    res = run(
        main,
        [
            "query",
            "select * from range(5)",
            "--data",
            str(data_dir),
            "--limit",
            "2",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0 and "wrote 2 rows" in res.output


def test_query_statement_without_result_prints_nothing(landing: Path, data_dir: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    nightly(landing, data_dir)
    res = CliRunner().invoke(main, ["query", "SET threads = 1", "--data", str(data_dir)])
    assert res.exit_code == 0 and res.output == ""
