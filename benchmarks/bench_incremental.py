"""Nightly runs against a full rebuild on the whole SaudiNewsNet corpus (18 day folders).

    .venv/bin/python benchmarks/bench_incremental.py [--repeat 3]

Times, with the pipeline called directly (execute(), as the flows do):
  full rebuild   all 18 days into an empty data dir
  one new day    17 days loaded, the 18th arrives, a nightly run
  nothing new    all loaded, a nightly run that finds nothing
and, separately, Prefect's fixed cost: `akhbar run` on an empty landing dir in a fresh process
(temporary API server start-up + one flow call), which every scheduled run pays once.
"""

from __future__ import annotations

import argparse
import datetime as dt
import shutil
import tempfile
import time
from pathlib import Path

from _common import machine, prefect_fixed_cost, require

from flows import env

env.setup()  # before flows.run imports pyarrow and prefect (flows/env.py)

from flows.plan import plan_nightly  # noqa: E402
from flows.run import execute  # noqa: E402
from flows.settings import Settings  # noqa: E402


def run(landing: Path, data: Path) -> float:
    s = Settings(landing, data)
    t = time.perf_counter()
    execute(s, lambda lake: plan_nightly(s, lake, dt.date(2015, 8, 12)), {}, log=lambda _m: None)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="best of N for each measurement")
    args = ap.parse_args()
    corpus = require("corpora", "saudinewsnet")
    zips = sorted(corpus.glob("*.zip"))
    tmp = Path(tempfile.mkdtemp(prefix="akhbar-bench-"))
    try:
        landing = tmp / "landing"
        for z in zips:
            (landing / z.stem).mkdir(parents=True)
            shutil.copy2(z, landing / z.stem / z.name)
        full, one_day, nothing = [], [], []
        for i in range(args.repeat):
            data = tmp / f"full{i}"
            full.append(run(landing, data))
            nothing.append(run(landing, data))
        last = landing / zips[-1].stem
        held = tmp / "held"
        for i in range(args.repeat):
            data = tmp / f"inc{i}"
            shutil.move(last, held)
            run(landing, data)
            shutil.move(held, last)
            one_day.append(run(landing, data))
        prefect_fixed = prefect_fixed_cost(tmp)
        size = sum(z.stat().st_size for z in zips) / 1e6
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    f, o, n = min(full), min(one_day), min(nothing)
    print(f"machine: {machine()}")
    print(
        f"corpus: SaudiNewsNet, {len(zips)} day folders, {size:.1f} MB of zips; "
        f"best of {args.repeat}"
    )
    print(f"{'full rebuild':<14} {f:7.2f} s")
    print(f"{'one new day':<14} {o:7.2f} s  {100 * o / f:5.1f}% of full (target <= 10%)")
    print(f"{'nothing new':<14} {n:7.2f} s  {100 * n / f:5.1f}% of full (target <= 2%)")
    print(f"{'prefect fixed':<14} {prefect_fixed:7.2f} s  (akhbar run on an empty landing dir)")


if __name__ == "__main__":
    main()
