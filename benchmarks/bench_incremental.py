"""Nightly runs and backfills against a full run: what publishing costs as the warehouse grows.

    .venv/bin/python benchmarks/bench_incremental.py [--corpus DIR] [--repeat 1]
        [--backfills 3 --backfill-days 14] [--compare OTHER_TREE] [--prefect]

The corpus is a landing dir of date folders (benchmarks/build_corpus.py synth --n 1000000
writes one to /tmp/akhbar-corpus/synth-1000000); by default the real SaudiNewsNet one
(../shared/corpora/saudinewsnet, 18 day folders). Times, with the pipeline called directly
(execute(), as the flows do), in one data dir:
  full run       every date folder but the last into an empty data dir
  one new day    the last date folder arrives, a nightly run
  nothing new    a nightly run that finds nothing
  backfill xN    a backfill of the first --backfill-days dates, N times: seconds, and the
                 warehouse file's size after each (it must not grow with every backfill)
and, while the nightly runs go, the peak disk taken by the warehouse (the live file, its WAL,
any copy being built), sampled every 20 ms, against the warehouse's size before the run.
With --compare TREE (another checkout of akhbar, e.g. `git archive main | tar -x -C …` plus
its compiled transforms/*.so), the same is measured with that tree's code, in the same
benchmark run: the host is shared, so only ratios within one run count.
With --prefect, also Prefect's fixed cost: `akhbar run` on an empty landing dir in a fresh
process (temporary API server start-up + one flow call), which every scheduled run pays once.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from _common import ROOT, machine, prefect_fixed_cost, require


def _landing_from(corpus: str | None, tmp: Path) -> Path:
    """The landing dir to read: the synthetic one given, or the real corpus's zips in date
    folders."""
    if corpus:
        return Path(corpus)
    zips = sorted(require("corpora", "saudinewsnet").glob("*.zip"))
    landing = tmp / "landing"
    for z in zips:
        (landing / z.stem).mkdir(parents=True)
        shutil.copy2(z, landing / z.stem / z.name)
    return landing


class DiskPeak:
    """The largest total size of the warehouse's files in `data`, sampled while it runs."""

    def __init__(self, data: Path) -> None:
        self.data, self.peak, self._stop = data, 0, threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def size(self) -> int:
        total = 0
        for pattern in ("warehouse.duckdb*", ".warehouse-*"):
            for p in self.data.glob(pattern):
                with contextlib.suppress(FileNotFoundError):  # gone since the glob
                    total += p.stat().st_size if p.is_file() else 0
        return total

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.size())
            time.sleep(0.02)

    def __enter__(self) -> DiskPeak:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()


def _link(src: str, dst: str) -> None:
    try:
        Path(dst).hardlink_to(src)
    except OSError:  # another file system
        shutil.copy2(src, dst)


def measure(tree: Path, landing: Path, work: Path, args: argparse.Namespace) -> dict:
    """Every measurement with the code of `tree` (imported from it: run in its own process)."""
    sys.path.insert(0, str(tree))
    from flows import env

    env.setup()  # before flows.run imports pyarrow and prefect (flows/env.py)
    from flows.plan import plan_backfill, plan_nightly
    from flows.run import execute
    from flows.settings import Settings

    days = sorted(p for p in landing.iterdir() if p.is_dir())
    last_day = dt.date.fromisoformat(days[-1].name.removeprefix("date="))
    live = work / "data" / "warehouse.duckdb"

    def timed(plan) -> tuple[float, int]:
        s = Settings(view, work / "data")
        with DiskPeak(work / "data") as disk:
            t = time.perf_counter()
            execute(s, lambda lake: plan(s, lake), {}, log=lambda _m: None)
            seconds = time.perf_counter() - t
        return seconds, disk.peak

    def nightly(s, lake):
        return plan_nightly(s, lake, last_day)

    # A view of the landing dir without its last date folder, then with it (hard links).
    view = work / "landing"
    view.mkdir(parents=True)
    for d in days[:-1]:
        shutil.copytree(d, view / d.name, copy_function=_link)
    out: dict = {"tree": str(tree), "days": len(days)}
    out["full"], _ = timed(nightly)
    out["size_full"] = live.stat().st_size
    shutil.copytree(days[-1], view / days[-1].name, copy_function=_link)
    before = live.stat().st_size
    out["one_day"], peak = timed(nightly)
    out["peak_one_day"] = peak / before
    before = live.stat().st_size
    out["nothing"], peak = timed(nightly)
    out["peak_nothing"] = peak / before
    out["size_nightly"] = live.stat().st_size
    start = dt.date.fromisoformat(days[0].name.removeprefix("date="))
    end = start + dt.timedelta(days=args.backfill_days - 1)
    out["backfills"] = []
    for _ in range(args.backfills):
        before = live.stat().st_size
        secs, peak = timed(lambda s, lake: plan_backfill(s, lake, start, end))
        out["backfills"].append(
            {"seconds": secs, "size": live.stat().st_size, "peak": peak / before, **_blocks(live)}
        )
    return out


def _blocks(live: Path) -> dict[str, int]:
    import duckdb

    with duckdb.connect(str(live), read_only=True) as con:
        total, free = con.execute(
            "SELECT total_blocks, free_blocks FROM pragma_database_size() "
            "WHERE database_name = current_database()"
        ).fetchone()
    return {"blocks": total, "free_blocks": free}


def _in_process(tree: Path, landing: Path, args: argparse.Namespace) -> dict:
    """measure() in a fresh process that imports `tree`'s code."""
    work = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    cmd = [
        sys.executable,
        __file__,
        "--worker",
        str(tree),
        "--corpus",
        str(landing),
        "--work",
        str(work),
        "--backfills",
        str(args.backfills),
        "--backfill-days",
        str(args.backfill_days),
    ]
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
        if proc.returncode:
            raise SystemExit(f"{tree}: the benchmark failed:\n{proc.stderr[-3000:]}")
        return json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(work, ignore_errors=True)


def report(r: dict, label: str) -> None:
    f, o, n = r["full"], r["one_day"], r["nothing"]
    print(f"{label}: {r['tree']}")
    print(f"  {'full run':<14} {f:7.2f} s  warehouse {r['size_full'] / 1e6:,.0f} MB")
    print(
        f"  {'one new day':<14} {o:7.2f} s  {100 * o / f:5.1f}% of full (target <= 10%)  "
        f"peak disk {r['peak_one_day']:.2f}x the warehouse"
    )
    print(
        f"  {'nothing new':<14} {n:7.2f} s  {100 * n / f:5.1f}% of full (target <= 2%)  "
        f"peak disk {r['peak_nothing']:.2f}x"
    )
    print(f"  warehouse after the nightly runs {r['size_nightly'] / 1e6:,.0f} MB")
    for i, b in enumerate(r["backfills"], 1):
        print(
            f"  backfill {i}: {b['seconds']:7.2f} s  warehouse {b['size'] / 1e6:,.0f} MB  "
            f"peak disk {b['peak']:.2f}x  free blocks {b['free_blocks']}/{b['blocks']}"
        )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", help="a landing dir of date folders (default: SaudiNewsNet)")
    ap.add_argument("--repeat", type=int, default=1, help="best of N for the times")
    ap.add_argument("--backfills", type=int, default=3, help="backfills in a row")
    ap.add_argument("--backfill-days", type=int, default=14, help="dates each one replaces")
    ap.add_argument("--compare", help="another akhbar tree to measure in the same run")
    ap.add_argument("--prefect", action="store_true", help="also Prefect's fixed cost")
    ap.add_argument("--worker", help=argparse.SUPPRESS)
    ap.add_argument("--work", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        r = measure(Path(args.worker), Path(args.corpus), Path(args.work), args)
        print(json.dumps(r))
        return
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    try:
        landing = _landing_from(args.corpus, tmp)
        trees = [("this tree", ROOT)]
        if args.compare:
            trees.insert(0, ("compared with", Path(args.compare).resolve()))
        results = []
        for label, tree in trees:
            runs = [_in_process(tree, landing, args) for _ in range(args.repeat)]
            best = min(runs, key=lambda r: r["full"])
            for k in ("full", "one_day", "nothing"):
                best[k] = min(r[k] for r in runs)
            results.append((label, best))
        prefect_fixed = prefect_fixed_cost(tmp) if args.prefect else None
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print(f"machine: {machine()}")
    print(f"corpus: {args.corpus or 'SaudiNewsNet'}, best of {args.repeat}")
    for label, r in results:
        report(r, label)
    if prefect_fixed is not None:
        print(f"{'prefect fixed':<14} {prefect_fixed:7.2f} s  (akhbar run on an empty landing dir)")


if __name__ == "__main__":
    main()
