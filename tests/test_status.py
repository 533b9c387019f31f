"""`akhbar run --dry-run` and `akhbar status`: real runs on the seed landing, read-only checks."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from flows.cli import main
from flows.lock import data_lock
from flows.plan import plan_nightly
from flows.run import Hooks, PublishFailed, execute
from flows.settings import Settings
from tests import s3_server as s3
from tests.conftest import ROOT
from tests.util import nightly, query

DAY = "2026-11-27"


def _cli(*args: str) -> Result:
    res = CliRunner().invoke(main, list(args))
    assert res.exit_code == 0, res.output
    return res


def _files(*roots: Path) -> dict[str, tuple[int, int]]:
    """Every file (and dir) under `roots`: (size, mtime_ns)."""
    out = {}
    for root in roots:
        for dirpath, dirnames, filenames in os.walk(root):
            for name in dirnames + filenames:
                st = os.stat(os.path.join(dirpath, name))
                out[os.path.join(dirpath, name)] = (st.st_size, st.st_mtime_ns)
    return out


def _seed_paths(landing: Path) -> list[str]:
    return sorted(p.relative_to(landing).as_posix() for p in landing.rglob("*") if p.is_file())


def test_dry_run_on_a_fresh_data_dir_lists_the_seeds_and_writes_nothing(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    before = _files(tmp_path)
    res = _cli("run", "--dry-run", "--landing", str(landing), "--data", str(data_dir))
    assert not data_dir.exists()
    assert _files(tmp_path) == before
    seeds = _seed_paths(landing)
    assert len(seeds) == 30
    listed = [ln.split()[1] for ln in res.output.splitlines() if ln.startswith("    new ")]
    assert sorted(listed) == seeds
    assert f"would read {len(seeds)} files" in res.output
    assert "(30 new, 0 changed, 0 re-read); 0 unchanged" in res.output


def test_dry_run_after_a_run_shows_changed_new_skipped_too_large_deleted(
    landing: Path, data_dir: Path
) -> None:
    nightly(landing, data_dir)
    (landing / "2026-11-24" / "000_d0de07fd3e4728fb.txt").unlink()
    changed = landing / "2026-11-26" / "016_0358eef87edd8351.txt"
    changed.write_text(changed.read_text(encoding="utf-8") + "\nجملة جديدة.\n", encoding="utf-8")
    (landing / "2026-11-25" / "notes.docx").write_bytes(b"PK")
    (landing / "2026-11-26" / "big.txt").write_text("ا" * 600_000, encoding="utf-8")
    (landing / "2026-11-28").mkdir()
    (landing / "2026-11-28" / "new.txt").write_text("عنوان\n\nنص جديد.\n", encoding="utf-8")
    before = _files(data_dir, landing)
    args = ["--landing", str(landing), "--data", str(data_dir), "--date", DAY]
    res = _cli("run", "--dry-run", *args, "--max-file-mb", "1")
    assert _files(data_dir, landing) == before
    out = res.output.splitlines()
    assert "would read 4 files, 1.1 MB (3 new, 1 changed, 0 re-read); 28 unchanged" in out[1]
    assert "  2026-11-26  2 files  1.1 MB  (1 changed, 1 new)" in out
    kb = changed.stat().st_size / 1024
    assert f"    changed  2026-11-26/016_0358eef87edd8351.txt  {kb:.1f} kB" in out
    assert "    new      2026-11-26/big.txt  1.1 MB  too large: over 1 MB, rejected unread" in out
    n = (landing / "2026-11-28" / "new.txt").stat().st_size
    assert f"    new      2026-11-28/new.txt  {n} B" in out
    # No reader for .docx: a new file, rejected unread by the run (once), not skipped.
    assert (
        "    new      2026-11-25/notes.docx  2 B  "
        "no reader for its extension: rejected unread, once" in out
    )
    assert "    2026-11-24/000_d0de07fd3e4728fb.txt" in out
    assert out[-1].startswith("would reject 1 file as too large (over --max-file-mb 1)")
    # What it said is what a run then does.
    s = Settings(landing, data_dir, 1024 * 1024)
    done = execute(s, lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)), {}, log=print)
    assert done.counts["files_new"] == 3 and done.counts["files_changed"] == 1
    assert done.counts["files_skipped"] == 0 and done.deleted == [
        "2026-11-24/000_d0de07fd3e4728fb.txt"
    ]
    res = _cli("run", "--dry-run", *args, "--max-file-mb", "1")
    assert "would read nothing new or changed (32 files unchanged)" in res.output
    # Under a limit it now fits, the rejected file is read again.
    res = _cli("run", "--dry-run", *args)
    assert "(0 new, 0 changed, 0 re-read, 1 retried); 31 unchanged" in res.output
    assert "    retry    2026-11-26/big.txt  1.1 MB" in res.output.splitlines()


def test_status_of_a_missing_data_dir_says_so_and_creates_nothing(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    before = _files(tmp_path)
    res = _cli("status", "--data", str(data_dir), "--landing", str(landing))
    assert _files(tmp_path) == before
    assert f"data dir   {data_dir}  (does not exist)" in res.output
    assert "last run   none: nothing has run with this data dir yet" in res.output
    assert "warehouse  none" in res.output
    assert "30 files, 40.3 kB (30 new, 0 changed, 0 re-read); 0 unchanged" in res.output
    data_dir.mkdir()
    res = _cli("status", "--data", str(data_dir), "--json")
    assert json.loads(res.output)["runs"] == []


def test_status_after_runs_reports_them_and_the_warehouse_read_only(
    landing: Path, data_dir: Path
) -> None:
    first = nightly(landing, data_dir)
    second = nightly(landing, data_dir)
    (landing / "2026-11-26" / "022_63dbb5afd29eb1c9.txt").unlink()
    before = _files(data_dir, landing)
    res = _cli("status", "--data", str(data_dir), "--landing", str(landing))
    assert _files(data_dir, landing) == before
    out = res.output.splitlines()
    assert out[3].startswith("last run   ") and second["run_id"] in out[3]
    assert "completed" in out[3]
    recent = [ln for ln in out if first["run_id"] in ln]
    assert len(recent) == 1  # the first run, in the list of recent runs
    assert "up to date with the lake (version 2)" in res.output
    assert "nothing new or changed (29 files unchanged)" in res.output
    assert "    2026-11-26/022_63dbb5afd29eb1c9.txt" in out
    s = json.loads(_cli("status", "--data", str(data_dir), "--json").output)
    assert [r["run_id"] for r in s["runs"]] == [second["run_id"], first["run_id"]]
    assert s["runs"][1]["counts"]["articles_loaded"] == first["articles_loaded"]
    for table, n in s["warehouse"]["rows"].items():
        assert query(data_dir, f"select count(*) from {table}") == [(n,)]
    assert s["warehouse"]["rows"]["articles"] == 34
    assert s["warehouse_behind"] == 0 and s["lake_version"] == 2


def test_status_while_a_run_holds_the_lock_reports_it_and_does_not_wait(
    landing: Path, data_dir: Path
) -> None:
    nightly(landing, data_dir)
    with data_lock(data_dir):
        res = _cli("status", "--data", str(data_dir), "--landing", str(landing))
    assert f"run now    another run (pid {os.getpid()}, started " in res.output
    assert "up to date with the lake" in res.output


def test_status_says_when_the_warehouse_is_behind_the_lake_and_why_the_run_failed(
    landing: Path, data_dir: Path
) -> None:
    nightly(landing, data_dir)
    (landing / "2026-11-28").mkdir()
    (landing / "2026-11-28" / "new.txt").write_text("عنوان\n\nنص جديد.\n", encoding="utf-8")

    def no_publish(*_args: object) -> str:
        raise OSError("the volume went away")

    s = Settings(landing, data_dir)
    plan = lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 28))  # noqa: E731
    with pytest.raises(PublishFailed):
        execute(s, plan, {"landing": str(landing)}, hooks=Hooks(publish_fn=no_publish))
    res = _cli("status", "--data", str(data_dir))
    out = res.output.splitlines()
    assert " failed " in out[3]
    assert any(
        ln.startswith("           error: the data is in the lake, but publishing") for ln in out
    )
    assert "BEHIND the lake: published from lake version 1, the lake is at 3" in res.output
    # The landing the last run read is the one whose pending files are shown.
    assert f"pending    landing {landing} (last run): nothing new or changed" in res.output


def _objects(server: s3.S3Server, bucket: str) -> dict[str, tuple[int, str]]:
    """Every object in `bucket`: (size, ETag)."""
    client = s3._client(server.env, "s3")
    pages = client.get_paginator("list_objects_v2").paginate(Bucket=bucket.removeprefix("s3://"))
    return {o["Key"]: (o["Size"], o["ETag"]) for p in pages for o in p.get("Contents", [])}


@pytest.mark.integration
def test_dry_run_and_status_on_s3_write_no_object(
    landing: Path, data_dir: Path, s3_env: s3.S3Server, s3_bucket: str
) -> None:
    s3_env.upload(landing, f"{s3_bucket}/landing")
    remote = f"{s3_bucket}/landing"
    lake = f"{s3_bucket}/lake"
    nightly(remote, data_dir, lake=lake)  # type: ignore[arg-type]
    s3_env.put(f"{remote}/2026-11-28/new.txt", "عنوان\n\nنص جديد.\n".encode())
    before, local = _objects(s3_env, s3_bucket), _files(data_dir)
    args = ["--landing", remote, "--lake", lake, "--data", str(data_dir)]
    res = _cli("run", "--dry-run", *args)
    assert "would read 1 file, 27 B (1 new, 0 changed, 0 re-read); 30 unchanged" in res.output
    assert "    new      2026-11-28/new.txt  27 B" in res.output.splitlines()
    s = json.loads(_cli("status", *args, "--json").output)
    assert s["lake"] == lake and s["lake_version"] == 1 and s["warehouse_behind"] == 0
    assert [f["path"] for f in s["pending"]["to_read"]] == ["2026-11-28/new.txt"]
    assert _objects(s3_env, s3_bucket) == before and _files(data_dir) == local


NO_PREFECT = (
    "import sys\n"
    "from click.testing import CliRunner\n"
    "from flows.cli import main\n"
    "r = CliRunner().invoke(main, sys.argv[1:])\n"
    "assert r.exit_code == 0, r.output\n"
    "print('prefect' in sys.modules)\n"
)


@pytest.mark.parametrize("command", [["run", "--dry-run"], ["status"]])
def test_dry_run_and_status_never_import_prefect(
    landing: Path, data_dir: Path, command: list[str]
) -> None:
    nightly(landing, data_dir)
    args = [*command, "--landing", str(landing), "--data", str(data_dir)]
    out = subprocess.run(
        [sys.executable, "-c", NO_PREFECT, *args],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert out.stdout.strip() == "False", out.stderr


def test_status_without_the_runs_lake_reads_the_warehouse_and_names_the_lake(
    landing: Path, data_dir: Path, tmp_path: Path
) -> None:
    other = str(tmp_path / "elsewhere" / "lake")
    s = Settings(landing, data_dir, lake=other)
    plan = lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27))  # noqa: E731
    done = execute(s, plan, {"landing": str(landing), "lake": other}, log=lambda _m: None)
    out = _cli("status", "--data", str(data_dir)).output.splitlines()
    assert done.run_id in out[3] and " completed " in out[3]
    assert out[4] == (
        f"           (from the warehouse's runs: the lake {data_dir / 'lake'} holds no run; "
        f"the last run wrote {other}: pass --lake {other})"
    )
    assert any("not the lake it was published from (--lake)?" in ln for ln in out)
    res = _cli("status", "--data", str(data_dir), "--lake", other)
    assert "up to date with the lake (version 1)" in res.output
