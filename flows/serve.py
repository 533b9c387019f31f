"""Register the `nightly` and `backfill` deployments with a Prefect server and serve them.

Prefect 3 does not catch up missed schedules; the nightly flow finds unprocessed date folders
itself, so a server that was down for two nights loses nothing.
"""

from __future__ import annotations

from prefect import serve
from prefect.schedules import Cron

from flows.nightly import backfill, nightly


def deployments(cron: str, timezone: str, landing: str, data: str) -> list:
    # Served runs also write <data>/report.html; its path is in each run's summary artifact.
    paths = {"landing": landing, "data": data, "report": True}
    return [
        nightly.to_deployment(
            name="nightly",
            schedules=[Cron(cron, timezone=timezone)],
            parameters=paths,
            description="Process every landing file that is new or changed since the last run.",
            tags=["akhbar"],
        ),
        backfill.to_deployment(
            name="backfill",
            parameters=paths,
            description="Re-read the landing folders of start..end; replace exactly those dates.",
            tags=["akhbar"],
        ),
    ]


def serve_forever(cron: str, timezone: str, landing: str, data: str, limit: int = 1) -> None:
    """Blocks. `limit` = 1 because runs on one data dir are serialized by its lock anyway."""
    serve(*deployments(cron, timezone, landing, data), limit=limit)
