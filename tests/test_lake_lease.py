"""The writers' lease when its holder stalls: a run that took the lease over keeps it, and the
stalled holder, once awake, neither renews over it nor commits (locally and on a real S3
server, whose If-Match the renewal relies on)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import obstore
import pytest

from flows import run as run_module
from flows.lake import Lake
from flows.lake_lease import LEASE, STALE_S, LakeLeased, lake_lease, store
from flows.plan import plan_nightly
from flows.run import Hooks, Run, execute
from flows.settings import Settings


def _stall(location: str | Path) -> None:
    """Make the lease's heartbeat older than STALE_S, as if its holder had hung that long."""
    st = store(location)
    info = json.loads(bytes(obstore.get(st, LEASE).bytes()))
    old = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=STALE_S + 60)
    info["heartbeat"] = old.isoformat(timespec="seconds")
    obstore.put(st, LEASE, json.dumps(info).encode())


def _holder(location: str | Path) -> str:
    return json.loads(bytes(obstore.get(store(location), LEASE).bytes()))["run_id"]


def _stalled_holder_loses_to_the_run_that_took_over(location: str | Path, tmp: Path) -> None:
    with lake_lease(location, "stalled", tmp / "a") as stalled:
        stalled.check()  # held: renewing works
        _stall(location)
        with lake_lease(location, "next", tmp / "b") as taker:
            assert _holder(location) == "next"
            assert not stalled.renew()
            with pytest.raises(LakeLeased, match=r"lost the lease .* held by run next"):
                stalled.check()
            assert _holder(location) == "next"  # the stalled run wrote nothing over it
            taker.check()
        assert stalled.lost_to is not None and stalled.lost_to["run_id"] == "next"
    with pytest.raises(FileNotFoundError):  # released by its holder, not by the stalled run
        obstore.get(store(location), LEASE)


def test_a_stalled_holder_cannot_renew_over_a_takeover_on_local_disk(tmp_path: Path) -> None:
    _stalled_holder_loses_to_the_run_that_took_over(tmp_path / "lake", tmp_path)


@pytest.mark.integration
def test_a_stalled_holder_cannot_renew_over_a_takeover_on_s3(
    s3_bucket: str, tmp_path: Path
) -> None:
    _stalled_holder_loses_to_the_run_that_took_over(f"{s3_bucket}/akhbar/lake", tmp_path)


def test_a_run_that_lost_its_lease_commits_nothing(landing: Path, tmp_path: Path) -> None:
    """The run stages for real; before its commit another run takes the lease over (as after a
    stall longer than STALE_S). It stops with one clear error and the lake has no row of it."""
    data = tmp_path / "data"
    s = Settings(landing, data)

    def stage_then_lose_the_lease(run: Run) -> None:
        run_module._read_transform_stage(run)
        body = {"run_id": "usurper", "host": "elsewhere", "pid": 1, "data": "x"}
        body["heartbeat"] = dt.datetime.now(dt.UTC).isoformat()
        obstore.put(store(s.lake_location), LEASE, json.dumps(body).encode())

    with pytest.raises(LakeLeased, match="committed nothing"):
        execute(
            s,
            lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)),
            {},
            hooks=Hooks(stage=stage_then_lose_the_lease),
            log=lambda _m: None,
        )
    lake = Lake(s.lake_location)
    assert lake.read("runs").num_rows == 0 and lake.read("articles").num_rows == 0
    assert _holder(s.lake_location) == "usurper"  # its lease was left to it
