"""A run's progress while it reads and transforms: files, records, records per second, the time
left and the current stage. On a terminal one live line (rich, which Prefect installs); in logs
(no terminal: a served run, a pipe) a plain line every `every_s` seconds and at the end.

The time left is estimated from bytes (known for every file before it is read), the rate from
records; both count from the first batch's start.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Sequence

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from flows.landing import LandingFile

EVERY_S = 10.0  # seconds between plain progress lines in a log


def _eta(seconds: float | None) -> str:
    if seconds is None:
        return "?"
    m, s = divmod(int(seconds + 0.5), 60)
    return f"{m // 60}:{m % 60:02d}:{s:02d}" if m >= 60 else f"{m}:{s:02d}"


class RunProgress:
    """Counts batches as they arrive; says where the run is, live or in periodic lines."""

    def __init__(
        self,
        total_files: int,
        total_bytes: int,
        log: Callable[[str], None],
        console: Console | None = None,
        every_s: float = EVERY_S,
    ) -> None:
        self.total_files, self.total_bytes = total_files, total_bytes
        self.files = self.records = self.nbytes = 0
        self.stage = "read+transform"
        self.log, self.every_s = log, every_s
        self.t0 = time.perf_counter()
        self._last_line = float("-inf")
        if console is None and sys.stderr.isatty():
            console = Console(stderr=True)
        self._live = _live_bar(console, total_bytes) if console is not None else None

    @classmethod
    def of(cls, files: Sequence[LandingFile], log: Callable[[str], None]) -> RunProgress:
        """The progress of reading `files`; a context manager that closes the live line."""
        return cls(len(files), sum(f.size for f in files), log)

    def __enter__(self) -> RunProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def rate(self) -> float:
        return self.records / max(time.perf_counter() - self.t0, 1e-9)

    def eta(self) -> float | None:
        """Seconds left, from the bytes read so far and their pace."""
        if not self.nbytes:
            return None
        elapsed = time.perf_counter() - self.t0
        return elapsed * (self.total_bytes - self.nbytes) / self.nbytes

    def line(self) -> str:
        return (
            f"{self.stage}: {self.files}/{self.total_files} files, {self.records} records, "
            f"{self.rate():.0f} records/s, ETA {_eta(self.eta())}"
        )

    def batch(self, files: Sequence[LandingFile], records: dict[str, int]) -> None:
        """A batch of `files` is done; `records`: per file, those it held (read, rejected or
        duplicates alike)."""
        self.files += len(files)
        self.records += sum(records.values())
        self.nbytes += sum(f.size for f in files)
        if self._live is not None:
            self._update_live()
            return
        now = time.perf_counter()
        last = self.files >= self.total_files
        if last or now - self._last_line >= self.every_s:
            self._last_line = now
            self.log(self.line())

    def set_stage(self, stage: str) -> None:
        """`read+transform`, `stage` (into the lake's parts), then the run's later steps."""
        self.stage = stage
        if self._live is not None:
            self._update_live()

    def close(self) -> None:
        if self._live is not None:
            self._live[0].stop()
            self._live = None

    def _update_live(self) -> None:
        bar, task = self._live  # type: ignore[misc]
        bar.update(
            task,
            completed=self.nbytes,
            stage=self.stage,
            files=f"{self.files}/{self.total_files} files",
            records=f"{self.records} records",
            rate=f"{self.rate():.0f}/s",
            eta=f"ETA {_eta(self.eta())}",
        )


def _live_bar(console: Console, total_bytes: int) -> tuple[Progress, int]:
    bar = Progress(
        TextColumn("[bold]{task.fields[stage]}"),
        BarColumn(),
        TextColumn("{task.fields[files]}"),
        TextColumn("{task.fields[records]}"),
        TextColumn("{task.fields[rate]}"),
        TextColumn("{task.fields[eta]}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    )
    task = bar.add_task(
        "run",
        total=max(total_bytes, 1),
        stage="read+transform",
        files="0 files",
        records="0 records",
        rate="0/s",
        eta="ETA ?",
    )
    bar.start()
    return bar, task
