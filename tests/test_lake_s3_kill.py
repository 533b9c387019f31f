"""SIGKILL at random points of runs whose lake is on a real S3 server, each followed by a re-run:
the lake and the warehouse end equal to a clean run's every time.

The kill times are spread over the whole length of a run (measured first, in this test) with a
random offset inside each slice, and every other round kills at a random table commit instead
(the points between two table commits, which a timer rarely hits). The seed is printed on a
failure: AKHBAR_KILL_SEED=<seed> replays the same rounds."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_lake_s3 import _run as _start
from tests.util import checksums, lake_checksums, nightly

pytestmark = pytest.mark.integration

ROUNDS = 6
TABLE_COMMITS = 9  # data tables a nightly of the seeds commits before the ledger


def _timed_run(landing: Path, data: Path, lake: str) -> float:
    t = time.monotonic()
    proc = _start(landing, data, lake, None)
    _, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err[-2000:]
    return time.monotonic() - t


def test_sigkill_at_random_points_on_s3_then_a_rerun_equals_a_clean_run(
    landing: Path, tmp_path: Path, s3_env, s3_bucket: str
) -> None:
    seed = int(os.environ.get("AKHBAR_KILL_SEED", random.randrange(1 << 30)))
    rng = random.Random(seed)
    clean = tmp_path / "clean"
    length = _timed_run(landing, clean, f"{s3_bucket}/clean")
    reference, lake_reference = checksums(clean), lake_checksums(f"{s3_bucket}/clean")
    said = []
    for i in range(ROUNDS):
        lake, data = f"{s3_bucket}/round-{i}", tmp_path / f"round-{i}"
        if i % 2:
            point = f"table_commit:{rng.randint(1, TABLE_COMMITS)}"
            proc = _start(landing, data, lake, point)
            proc.communicate(timeout=180)
        else:  # a time in the i-th slice of the run's length
            at = length * (i + rng.random()) / ROUNDS
            point = f"{at:.2f} s"
            proc = _start(landing, data, lake, None)
            try:
                proc.wait(timeout=at)
            except subprocess.TimeoutExpired:
                proc.send_signal(signal.SIGKILL)
            proc.communicate(timeout=60)
        killed = proc.returncode == -signal.SIGKILL
        said.append(f"round {i}: {point}, {'killed' if killed else 'ended first'}")
        context = f"seed {seed}; " + "; ".join(said)
        s = nightly(landing, data, lake=lake)
        assert s["status"] == "completed", context
        assert checksums(data) == reference, context
        assert lake_checksums(lake) == lake_reference, context
    assert sum("killed" in s for s in said) >= ROUNDS // 2, said
