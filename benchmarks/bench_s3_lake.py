"""The lake on local disk against the lake on a local S3 server, in one run, on the same landing.

    .venv/bin/python benchmarks/bench_s3_lake.py LANDING [--rounds 2]

Starts the project's S3 server (tests/s3_server.py: moto's server mode on 127.0.0.1, stopped by
PID at the end), then alternates a full run into a fresh local lake and a full run into a fresh
bucket prefix, each in a fresh process calling the pipeline directly (no Prefect), and a
nightly with nothing new on each. Prints the best times and their ratios. moto is a Python
server on the same two cores: the ratio is an upper bound of what a real object store costs a
run here, not a measure of one.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine

sys.path.insert(0, str(ROOT))
from tests import s3_server

CHILD = r"""
import datetime as dt, sys
from pathlib import Path
from flows import env
env.setup()
from flows.plan import plan_nightly
from flows.run import execute
from flows.settings import Settings
lake = sys.argv[3] if len(sys.argv) > 3 else None
s = Settings(Path(sys.argv[1]), Path(sys.argv[2]), lake=lake)
execute(s, lambda l: plan_nightly(s, l, dt.date(2015, 8, 12)), {}, log=lambda _m: None)
"""


def timed(landing: Path, data: Path, lake: str | None, env: dict[str, str]) -> float:
    args = [sys.executable, "-c", CHILD, str(landing), str(data)] + ([lake] if lake else [])
    t = time.perf_counter()
    subprocess.run(args, cwd=ROOT, env=env, check=True)
    return time.perf_counter() - t


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("landing", type=Path)
    ap.add_argument("--rounds", type=int, default=2)
    a = ap.parse_args()
    server = s3_server.start(die_with_parent=True)
    env = {**os.environ, **server.env, "PYTHONPATH": str(ROOT)}
    best: dict[str, float] = {}
    try:
        with tempfile.TemporaryDirectory(prefix="akhbar-s3bench-") as tmp:
            for r in range(a.rounds):
                bucket = server.make_bucket(f"bench-{r}")
                for name, lake in (("local", None), ("s3", f"{bucket}/lake")):
                    data = Path(tmp) / f"{name}-{r}"
                    full = timed(a.landing, data, lake, env)
                    noop = timed(a.landing, data, lake, env)
                    print(f"round {r} {name:5s}: full {full:6.1f} s, nothing new {noop:5.1f} s")
                    for k, v in ((f"{name} full", full), (f"{name} noop", noop)):
                        best[k] = min(best.get(k, float("inf")), v)
    finally:
        s3_server.stop(server.pid)
    print(f"\nmachine: {machine()}")
    for kind in ("full", "noop"):
        loc, s3 = best[f"local {kind}"], best[f"s3 {kind}"]
        print(f"{kind:5s}: local {loc:6.1f} s, s3 {s3:6.1f} s, ratio s3/local {s3 / loc:.2f}")


if __name__ == "__main__":
    main()
