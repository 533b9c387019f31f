"""The tests' S3 server (tests/s3_server.py): it enforces create-if-absent, which Delta's commit
relies on, its script starts and stops it by PID, and it does not outlive a killed session."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import obstore
import pytest
from obstore.exceptions import AlreadyExistsError

from flows.object_store import bucket_store
from tests import s3_server as s3

ROOT = Path(__file__).resolve().parents[1]


def _gone(pid: int, within: float = 10.0) -> bool:
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        # A zombie still answers kill(0): it is gone once /proc says so.
        stat = Path(f"/proc/{pid}/stat")
        if not stat.exists() or stat.read_text().split(") ")[-1].startswith("Z"):
            return True
        time.sleep(0.05)
    return False


def test_second_conditional_put_of_a_key_fails(s3_bucket: str) -> None:
    store = bucket_store(s3_bucket)
    obstore.put(store, "_delta_log/00000000000000000000.json", b"first", mode="create")
    with pytest.raises(AlreadyExistsError):
        obstore.put(store, "_delta_log/00000000000000000000.json", b"second", mode="create")
    got = obstore.get(store, "_delta_log/00000000000000000000.json").bytes()
    assert bytes(got) == b"first"


def test_script_starts_prints_env_and_stops_by_pid(tmp_path: Path) -> None:
    pidfile = tmp_path / "s3.pid"
    script = [sys.executable, str(ROOT / "tests" / "s3_server.py")]
    out = subprocess.run(
        [*script, "start", "--pidfile", str(pidfile)], capture_output=True, text=True, check=True
    ).stdout
    pid = int(pidfile.read_text())
    try:
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in out.splitlines()
            if line.startswith("export ")
        )
        assert set(exports) == {
            "AWS_ENDPOINT_URL",
            "AWS_ACCESS_KEY_ID",
            "AWS_SECRET_ACCESS_KEY",
            "AWS_REGION",
            "AWS_ALLOW_HTTP",
        }
        server = s3.S3Server(pid, int(exports["AWS_ENDPOINT_URL"].rsplit(":", 1)[1]), exports)
        assert server.make_bucket("from-the-script") == "s3://from-the-script"
    finally:
        stopped = subprocess.run([*script, "stop", "--pidfile", str(pidfile)], check=False)
    assert stopped.returncode == 0
    assert _gone(pid)
    assert not pidfile.exists()


def test_server_dies_with_a_killed_test_session(tmp_path: Path) -> None:
    """A stand-in for a test session: it starts a server as the fixture does, then is killed
    with SIGKILL (no cleanup runs); the kernel ends the server."""
    code = (
        "import sys, time; sys.path.insert(0, sys.argv[1]);"
        "from tests import s3_server as s3;"
        "srv = s3.start(die_with_parent=True); print(srv.pid, flush=True); time.sleep(600)"
    )
    session = subprocess.Popen(
        [sys.executable, "-c", code, str(ROOT)], stdout=subprocess.PIPE, text=True
    )
    try:
        server_pid = int(session.stdout.readline())
        assert not _gone(server_pid, within=0.2)
    finally:
        session.send_signal(signal.SIGKILL)
        session.wait()
    assert _gone(server_pid)
