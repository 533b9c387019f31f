"""The lake on a real S3 server (moto's server mode, which enforces If-None-Match): the same rows
as a local lake, a SIGKILL between two table commits recovered, and two data dirs writing one
lake at once without a duplicated or lost row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT
from tests.util import checksums, lake_checksums, nightly

pytestmark = pytest.mark.integration


@pytest.fixture
def s3_lake(s3_bucket: str) -> str:
    """A fresh bucket on the session's S3 server (tests/conftest.py); the AWS_* variables are
    set for this process and its children."""
    return f"{s3_bucket}/akhbar/lake"


# -- the tests ---------------------------------------------------------------------------------
def test_same_rows_on_s3_as_on_local_disk(landing: Path, tmp_path: Path, s3_lake: str) -> None:
    local = tmp_path / "local"
    remote = tmp_path / "remote"
    nightly(landing, local)
    s = nightly(landing, remote, lake=s3_lake)
    assert s["status"] == "completed" and s["articles_loaded"] > 20
    assert lake_checksums(s3_lake) == lake_checksums(local / "lake")
    assert checksums(remote) == checksums(local)
    assert not (remote / "lake").exists()  # everything went to the bucket
    again = nightly(landing, remote, lake=s3_lake)
    assert again["files_new"] == 0 and again["articles_loaded"] == 0


RUN = (
    "import sys, datetime as dt\n"
    "from pathlib import Path\n"
    "from flows.plan import plan_nightly\n"
    "from flows.run import execute\n"
    "from flows.settings import Settings\n"
    "s = Settings(Path(sys.argv[1]), Path(sys.argv[2]), wait_for_lock=True, lake=sys.argv[3])\n"
    "day = dt.date(2026, 11, 27)\n"
    "execute(s, lambda lake: plan_nightly(s, lake, day), {}, log=lambda _m: None)\n"
)


def _run(landing: Path, data: Path, lake: str, failpoint: str | None = None) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    if failpoint:
        env["AKHBAR_FAILPOINT"] = failpoint
    return subprocess.Popen(
        [sys.executable, "-c", RUN, str(landing), str(data), lake],
        cwd=ROOT,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.parametrize("failpoint", ["table_commit:2", "before_ledger", "after_commit"])
def test_sigkill_between_table_commits_on_s3(
    landing: Path, tmp_path: Path, s3_lake: str, failpoint: str
) -> None:
    proc = _run(landing, tmp_path / "killed", s3_lake, failpoint)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == -signal.SIGKILL, err[-2000:]
    s = nightly(landing, tmp_path / "killed", lake=s3_lake)
    assert s["status"] == "completed"
    nightly(landing, tmp_path / "clean")
    assert lake_checksums(s3_lake) == lake_checksums(tmp_path / "clean" / "lake")


def test_two_data_dirs_writing_one_s3_lake_at_once(
    landing: Path, tmp_path: Path, s3_lake: str
) -> None:
    procs = [_run(landing, tmp_path / f"data-{i}", s3_lake) for i in range(2)]
    for p in procs:
        _, err = p.communicate(timeout=300)
        assert p.returncode == 0, err[-2000:]
    nightly(landing, tmp_path / "clean")
    # One run loaded every file, the other found them all in the manifest: each row once.
    assert lake_checksums(s3_lake) == lake_checksums(tmp_path / "clean" / "lake")
    from flows.lake import Lake

    runs = Lake(s3_lake).read("runs").to_pylist()
    assert sorted(r["articles_loaded"] > 0 for r in runs) == [False, True]


@pytest.mark.parametrize("problem", ["missing bucket", "unreachable endpoint"])
def test_a_bad_s3_setting_fails_in_seconds_before_any_work(
    landing: Path, tmp_path: Path, s3_lake: str, monkeypatch: pytest.MonkeyPatch, problem: str
) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    lake = s3_lake.replace("s3://", "s3://nobucket-", 1)
    if problem == "unreachable endpoint":
        monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:1")
        lake = s3_lake
    data = tmp_path / "data"
    args = ["run", "--landing", str(landing), "--data", str(data), "--lake", lake]
    out = CliRunner().invoke(main, args)
    assert out.exit_code != 0
    assert out.output.startswith("Error: ") and "Traceback" not in out.output
    named = "AWS_ENDPOINT_URL" if problem == "unreachable endpoint" else lake.split("/")[2]
    assert named in out.output
    assert not (data / "warehouse.duckdb").exists()
