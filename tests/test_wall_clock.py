"""Wall time counts from the process's start (flows/wall_clock.py), and the summary shows it
beside the run's own seconds (flows/run_summary.py)."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from flows import wall_clock
from flows.run_summary import summary_lines


def test_process_start_is_when_the_process_began_not_when_asked() -> None:
    """A child that sleeps before it asks still reports its own start, not the moment it asked
    (the seconds Prefect takes to start are in the wait)."""
    before = time.time()
    code = (
        "import time; time.sleep(1.5); from flows import wall_clock; "
        "print(wall_clock.process_start(), time.time())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    started, asked = map(float, out.split())
    assert before - 0.1 <= started <= before + 1.0  # /proc's clock ticks: 10 ms
    assert asked - started >= 1.5


def test_a_flow_in_a_longer_lived_process_has_no_wall_time(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(wall_clock, "_entry", 1.0)  # a command ran here earlier (a test)
    monkeypatch.delenv("PREFECT__FLOW_RUN_ID", raising=False)
    assert wall_clock.wall_seconds("some-run") is None
    with wall_clock.command_running():
        assert wall_clock.from_command() and wall_clock.wall_seconds("some-run") is not None
    assert not wall_clock.from_command()
    monkeypatch.setenv("PREFECT__FLOW_RUN_ID", "some-run")  # the process Prefect started for it
    monkeypatch.setattr(wall_clock, "_entry", None)
    assert wall_clock.wall_seconds("some-run") is not None
    assert wall_clock.wall_seconds("another-run") is None


def test_summary_says_completed_in_the_wall_time_and_splits_it() -> None:
    s = {
        "flow": "nightly",
        "status": "completed",
        "run_id": "r",
        "seconds": 0.7,
        "wall_seconds": 9.9,
        "hashtags": 0,
        "mentions": 0,
        "dates": [],
        **{k: 0 for k in ("files_seen", "files_new", "files_changed", "files_reread")},
        **{k: 0 for k in ("files_unchanged", "files_skipped", "files_rejected")},
        **{k: 0 for k in ("files_deleted", "records_read", "articles_loaded", "duplicates")},
        "records_rejected": 0,
        "skipped_files": [],
        "deleted_files": [],
    }
    lines = summary_lines(s)
    assert lines[0] == "akhbar nightly: completed in 9.9 s (run r)"
    assert (
        "  wall     9.9 s since the process started: Prefect's start and set-up 9.2, the run 0.7"
        in lines
    )
    del s["wall_seconds"]
    assert summary_lines(s)[0] == "akhbar nightly: completed in 0.7 s (run r)"
