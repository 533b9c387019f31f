"""Where a run reads and writes, and its limits: one place for the defaults that the CLI, the
Prefect flows and the library call all share."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

DEFAULT_LANDING = "seeds/landing"
DEFAULT_DATA = "data"
DEFAULT_MAX_FILE_MB = 20
DEFAULT_WORKERS = 0  # one read+transform process per core
DEFAULT_CRON = "0 2 * * *"
DEFAULT_TIMEZONE = "UTC"
DEFAULT_REPORT_DAYS = 30  # `akhbar report`: days shown, ending on the newest ingest date
MB = 1024 * 1024


@dataclass
class Settings:
    landing: Path | str  # a local dir, or `s3://bucket/prefix` (flows/landing_s3.py)
    data: Path
    max_file_bytes: int = DEFAULT_MAX_FILE_MB * MB
    wait_for_lock: bool = False
    # read+transform processes (flows.workers): 0 = one per core, 1 = this process only
    workers: int = DEFAULT_WORKERS
    # an analyst's gazetteer CSV merged over the shipped one (None: <data>/entities.csv if it
    # exists; flows/gazetteer_step.py)
    entities: Path | None = None
    # where the lake lives: a local dir or s3://bucket/prefix (None: <data>/lake)
    lake: str | None = None

    @property
    def lake_location(self) -> str | Path:
        return self.lake or self.data / "lake"
