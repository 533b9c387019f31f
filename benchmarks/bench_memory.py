"""Peak memory of a run the way users run it: `akhbar run` through the CLI, every process.

    .venv/bin/python benchmarks/build_corpus.py synth --n 50000 --out /tmp/c
    .venv/bin/python benchmarks/build_corpus.py synth --n 200000 --out /tmp/c
    .venv/bin/python benchmarks/bench_memory.py /tmp/c/synth-50000 /tmp/c/synth-200000

Each landing dir is run into a fresh data dir, once through `akhbar run` (a subprocess, so
Prefect's temporary API server, the fork server and the worker processes are all there) and
once through `flows.run.execute()` called directly in a child Python process (`--no-direct`
skips it). The whole process tree is sampled from /proc every 100 ms (RSS from statm), and each
process is given a role: `main` (the process started), `prefect-server` (the temporary API
server and its children), `fork-server`, `worker` (forked by the fork server), `builder` (the
warehouse built beside staging, flows/build_worker.py), `other`
(Python's resource tracker, Dask). The table shows, per role, the highest RSS any one process
of it reached, and the peak of the whole tree's sum; the last lines compare the smallest and
the largest landing dir (the growth the issue limits to 20%). Shared pages (libraries) count
once per process, so the sums are upper bounds.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from _common import ROOT, machine

PAGE = os.sysconf("SC_PAGE_SIZE")
ROLES = ("main", "prefect-server", "fork-server", "worker", "builder", "other")
LOGICAL = "2015-12-31"


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    for f in Path(f"/proc/{pid}/task").glob("*/children"):
        with contextlib.suppress(OSError):  # the thread or process ended
            kids += [int(k) for k in f.read_text().split()]
    return kids


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def _rss(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
    except (OSError, IndexError, ValueError):
        return 0


@dataclass
class TreeSampler:
    """Samples the RSS of `root` and all its descendants every `every` seconds, in a thread."""

    root: int
    every: float = 0.1
    role: dict[int, str] = field(default_factory=dict)
    peak_one: dict[str, int] = field(default_factory=lambda: dict.fromkeys(ROLES, 0))
    peak_total: int = 0
    samples: int = 0

    def __post_init__(self) -> None:
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()

    def _classify(self, pid: int, parent_role: str | None) -> str:
        if pid not in self.role:
            cmd = _cmdline(pid)
            if parent_role is None:
                r = "main"
            elif parent_role in ("prefect-server", "fork-server"):
                r = "prefect-server" if parent_role == "prefect-server" else "worker"
            elif "flows.build_worker" in cmd:
                r = "builder"
            elif "forkserver" in cmd:
                r = "fork-server"
            elif "uvicorn" in cmd or ("prefect" in cmd and "server" in cmd):
                r = "prefect-server"
            else:
                r = "other"
            if r == "other":
                # A child seen between its fork and its exec still has its parent's command
                # line: asked again at the next sample (the Prefect server was counted as
                # `other` in some runs).
                return r
            self.role[pid] = r
        return self.role[pid]

    def _sample(self) -> None:
        total = 0
        todo: list[tuple[int, str | None]] = [(self.root, None)]
        while todo:
            pid, parent = todo.pop()
            r = self._classify(pid, parent)
            rss = _rss(pid)
            total += rss
            self.peak_one[r] = max(self.peak_one[r], rss)
            todo += [(k, r) for k in _children(pid)]
        self.peak_total = max(self.peak_total, total)
        self.samples += 1

    def _loop(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def _direct_child(landing: str, data: str) -> None:
    """`--child`: the run through `execute()`, no Prefect flow (what the issue compares with)."""
    sys.path.insert(0, str(ROOT))
    from flows import env

    env.setup()
    import datetime as dt

    from flows.plan import plan_nightly
    from flows.run import execute
    from flows.settings import Settings

    s = Settings(Path(landing), Path(data))
    day = dt.date.fromisoformat(LOGICAL)
    out = execute(s, lambda lake: plan_nightly(s, lake, day), {}, log=lambda _m: None)
    print(out.summary()["articles_loaded"])


def measure(cmd: list[str]) -> tuple[TreeSampler, float]:
    env = {**os.environ, "PREFECT_SERVER_ANALYTICS_ENABLED": "false", "DO_NOT_TRACK": "1"}
    t = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    sampler = TreeSampler(proc.pid)
    _out, err = proc.communicate()
    sampler.stop()
    if proc.returncode:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode()[-3000:]}")
    return sampler, time.perf_counter() - t


def run_one(landing: Path, how: str, work: Path) -> tuple[TreeSampler, float]:
    data = work / f"data-{how}"
    shutil.rmtree(data, ignore_errors=True)
    bindir = Path(sys.executable).parent
    if how == "cli":
        cmd = [str(bindir / "akhbar"), "run", "--landing", str(landing), "--data", str(data)]
        cmd += ["--date", LOGICAL]
    else:
        cmd = [sys.executable, __file__, "--child", str(landing), str(data)]
    try:
        return measure(cmd)
    finally:
        shutil.rmtree(data, ignore_errors=True)


def _mb(b: int) -> str:
    return f"{b / 2**20:7,.0f}"


def report(rows: list[tuple[str, str, TreeSampler, float]]) -> None:
    print(f"\n{machine()}")
    head = "| landing | path | s | " + " | ".join(ROLES) + " | all processes |"
    print(head)
    print("|" + "---|" * (len(ROLES) + 4))
    for name, how, s, secs in rows:
        cells = " | ".join(_mb(s.peak_one[r]) if s.peak_one[r] else "-" for r in ROLES)
        print(f"| {name} | {how} | {secs:.1f} | {cells} | {_mb(s.peak_total)} |")
    for how in ("cli", "direct"):
        mine = [r for r in rows if r[1] == how]
        if len(mine) < 2:
            continue
        (n0, _, a, _), (n1, _, b, _) = mine[0], mine[-1]
        print(f"\ngrowth {n0} -> {n1} ({how}):")
        for r in ROLES:
            if a.peak_one[r]:
                print(
                    f"  {r:15} {_mb(a.peak_one[r])} -> {_mb(b.peak_one[r])} MB "
                    f"({b.peak_one[r] / a.peak_one[r] - 1:+.0%})"
                )
        print(
            f"  {'all processes':15} {_mb(a.peak_total)} -> {_mb(b.peak_total)} MB "
            f"({b.peak_total / a.peak_total - 1:+.0%})"
        )


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--child":
        _direct_child(sys.argv[2], sys.argv[3])
        return
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("landing", nargs="+", type=Path, help="landing dirs, smallest first")
    ap.add_argument("--no-direct", action="store_true", help="only through the CLI")
    ap.add_argument("--work", type=Path, help="where the data dirs go (default: a temp dir)")
    args = ap.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="akhbar-mem-"))
    rows = []
    for landing in args.landing:
        for how in ("cli",) if args.no_direct else ("cli", "direct"):
            s, secs = run_one(landing, how, work)
            rows.append((landing.name, how, s, secs))
            print(
                f"{landing.name} {how}: {secs:.1f} s, peak of all processes "
                f"{_mb(s.peak_total)} MB, main {_mb(s.peak_one['main'])} MB",
                flush=True,
            )
    report(rows)


if __name__ == "__main__":
    main()
