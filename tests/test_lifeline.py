"""The processes of `akhbar run`, through the real command line: its children die with it when
only its own process is killed (what the OOM killer does), and two runs started at the same
instant take the data dir's lock before either starts Prefect."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.integration


def _cli(*args: str, **kw) -> subprocess.Popen:
    env = {k: v for k, v in os.environ.items() if k != "PREFECT_API_URL"}
    return subprocess.Popen(
        [sys.executable, "-m", "flows.cli", *args],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        **kw,
    )


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for d in Path("/proc").iterdir():
        if not d.name.isdigit():
            continue
        try:
            stat = (d / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        tree.setdefault(ppid, []).append(int(d.name))
    return tree


def _descendants(pid: int) -> set[int]:
    tree, out, todo = _children(), set(), [pid]
    while todo:
        for c in tree.get(todo.pop(), []):
            out.add(c)
            todo.append(c)
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"  # a zombie has ended; only its (dead) parent would reap it


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone meanwhile
        return b""


def _big_landing(root: Path, mb: int = 30) -> Path:
    """Enough JSONL for two batches (two workers) and a run of several seconds."""
    day = root / "landing" / "2026-11-27"
    day.mkdir(parents=True)
    body = "قال المتحدث باسم الوزارة في الرياض إن #الاجتماع بحث التعاون مع @spagov " * 20
    for f in range(mb // 2):
        lines = (
            json.dumps({"title": f"خبر {f}-{i}", "content": f"{body} {f}-{i}"}, ensure_ascii=False)
            for i in range(700)
        )
        (day / f"feed_{f:03d}.jsonl").write_text("\n".join(lines), "utf-8")
    return root / "landing"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="walks /proc")
@pytest.mark.parametrize("runner", ["default", "dask"])
def test_children_die_when_the_run_process_is_killed(tmp_path: Path, runner: str) -> None:
    landing = _big_landing(tmp_path)
    args = ["--data", str(tmp_path / "data"), "--workers", "2", "--runner", runner]
    run = _cli("run", "--landing", str(landing), *args)
    try:
        # default: Prefect's server, the fork server and its workers (a worker is a
        # grandchild). dask: Prefect's server, the LocalCluster's two worker processes and
        # multiprocessing's resource tracker (Dask's nannies live in the run's process).
        deadline, kids = time.monotonic() + 90, set()
        while time.monotonic() < deadline and run.poll() is None:
            kids = _descendants(run.pid)
            grandchildren = kids - set(_children().get(run.pid, []))
            if len(kids) >= 4 and (grandchildren or runner == "dask"):
                break
            time.sleep(0.1)
        assert run.poll() is None, run.communicate()
        assert len(kids) >= 4, kids
        time.sleep(0.5)  # and let the last worker finish starting
        kids = _descendants(run.pid)
        # the warehouse builder of this first run (flows/build_worker.py) is one of them
        assert any(b"flows.build_worker" in _cmdline(p) for p in kids), kids
        run.send_signal(signal.SIGKILL)
        run.wait(10)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and any(_alive(p) for p in kids):
            time.sleep(0.1)
        left = {p: _cmdline(p)[:80] for p in kids if _alive(p)}
    finally:
        for p in _descendants(run.pid) | kids:
            with contextlib.suppress(OSError):
                os.kill(p, signal.SIGKILL)
    assert not left, f"still running 5 s after the run's process was killed: {left}"


def test_two_runs_at_once_one_clear_line_for_the_loser(landing: Path, data_dir: Path) -> None:
    args = ("run", "--landing", str(landing), "--data", str(data_dir), "--workers", "1")
    a, b = _cli(*args), _cli(*args)
    outs = [p.communicate(timeout=180) for p in (a, b)]
    codes = sorted(p.returncode for p in (a, b))
    assert codes == [0, 1], outs
    loser_err = outs[[a.returncode, b.returncode].index(1)][1]
    assert "another run (pid " in loser_err and "--wait" in loser_err, loser_err
    assert "Traceback" not in loser_err, loser_err
    assert "Prefect" not in loser_err, loser_err  # it stopped before starting Prefect
