"""Runs that stop on their parameters, through the real Prefect flows: the error names the
flow's parameters (not the CLI's flags), comes without a traceback, and the run is recorded in
`runs` as failed with the reason."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from flows.run_invalid import InvalidRun
from tests.util import nightly, query

pytestmark = pytest.mark.integration


def _failed_runs(data: Path) -> list[tuple[str, str]]:
    return query(data, "select flow, error from runs where status = 'failed'")


def test_backwards_backfill_is_recorded_and_names_the_parameters(
    prefect_harness: None, landing: Path, data_dir: Path, flow_run_log: list[str]
) -> None:
    from flows.nightly import backfill

    nightly(landing, data_dir)
    with pytest.raises(InvalidRun) as e:
        backfill(
            start=dt.date(2026, 11, 26),
            end=dt.date(2026, 11, 25),
            landing=str(landing),
            data=str(data_dir),
            workers=1,
        )
    msg = str(e.value)
    assert "end (2026-11-25) is before start (2026-11-26)" in msg
    assert "--end" not in msg and "--start" not in msg
    assert _failed_runs(data_dir) == [("backfill", f"InvalidRun: {msg}")]
    (params,) = query(data_dir, "select parameters from runs where status = 'failed'")[0]
    assert '"start": "2026-11-26"' in params
    log = "\n".join(flow_run_log)
    assert "Finished in state Failed('backfill parameters: end (2026-11-25)" in log
    assert "Traceback" not in log


def test_missing_landing_dir_of_a_flow_run_is_recorded(
    prefect_harness: None, landing: Path, data_dir: Path
) -> None:
    from flows.nightly import nightly as nightly_flow

    nightly(landing, data_dir)
    gone = landing.parent / "not-there"
    with pytest.raises(InvalidRun) as e:
        nightly_flow(landing=str(gone), data=str(data_dir), workers=1)
    assert "does not exist" in str(e.value)
    ((flow, error),) = _failed_runs(data_dir)
    assert flow == "nightly" and str(gone) in error
