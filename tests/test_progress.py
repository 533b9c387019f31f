"""A run's progress: records, rate, time left and stage, as plain lines in a log (no terminal)
and as rich's live line on one."""

from __future__ import annotations

import datetime as dt
import io
import re
from pathlib import Path

from rich.console import Console

from flows.landing import LandingFile
from flows.plan import plan_nightly
from flows.progress import RunProgress
from flows.run import execute
from flows.settings import Settings

LINE = re.compile(
    r"^read\+transform: (\d+)/(\d+) files, (\d+) records, (\d+) records/s, ETA (\d+:\d\d|\?)$"
)


def _files(n: int, size: int = 1000) -> list[LandingFile]:
    day = dt.date(2026, 11, 25)
    return [LandingFile(f"{i}.txt", Path(f"{i}.txt"), size, 0, day) for i in range(n)]


def test_a_run_without_a_terminal_logs_records_rate_and_stages(
    landing: Path, data_dir: Path
) -> None:
    said: list[str] = []
    s = Settings(landing, data_dir, workers=1)
    out = execute(s, lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)), {}, log=said.append)
    progress = [m for m in (LINE.match(x) for x in said) if m]
    assert progress, said
    last = progress[-1]
    assert (int(last[1]), int(last[2])) == (out.counts["files_new"],) * 2
    assert int(last[3]) == out.counts["records_read"] and int(last[4]) > 0
    stages = [x.split(":")[0] for x in said if x.startswith(("lake write:", "publish:"))]
    assert stages == ["lake write", "publish"]


def test_plain_lines_are_periodic_and_the_last_batch_always_says_where_it_ended() -> None:
    said: list[str] = []
    files = _files(3)
    with RunProgress.of(files, said.append) as p:
        p.every_s = 3600.0
        for f in files:
            p.batch([f], {f.path: 10})
    assert len(said) == 2  # the first batch, then (an hour not being up) the last
    assert LINE.match(said[0]).groups()[:3] == ("1", "3", "10")
    assert LINE.match(said[1]).groups()[:3] == ("3", "3", "30")
    assert said[1].endswith("ETA 0:00")


def test_a_terminal_gets_one_live_line_with_records_and_stage() -> None:
    buf = io.StringIO()
    console = Console(file=buf, force_terminal=True, width=150, color_system=None)
    said: list[str] = []
    files = _files(4)
    p = RunProgress(len(files), 4000, said.append, console=console)
    p.batch(files[:2], {"0.txt": 5, "1.txt": 7})
    p.set_stage("stage")
    p.close()
    assert said == []  # live, not logged line by line
    text = buf.getvalue()
    assert "2/4 files" in text and "12 records" in text and "stage" in text
