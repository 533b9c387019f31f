"""The run ledger, the lake's `runs` table: one row per run, one file per run
(`runs/ingest_date=<logical date>/run-<id>.parquet`). A completed run's row is staged with its
data and its commit is the run's commit point (flows/lake.py); a failed run's row is
committed on its own.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING

import pyarrow as pa

from flows.lake import Transaction
from transforms import schemas
from transforms.normalize import NORMALIZER_VERSION

if TYPE_CHECKING:
    from flows.run import Run


def append_run_row(tx: Transaction, run: Run, status: str, error: str | None) -> None:
    """Stage the run's ledger row in `tx`."""
    plan = run.plan
    row = {
        "run_id": tx.run_id,
        "flow": plan.flow,
        "parameters": json.dumps(run.params, ensure_ascii=False, default=str),
        "started_at": run.started,
        "finished_at": dt.datetime.now(dt.UTC),
        "status": status,
        **{k: run.counts.get(k, 0) for k in schemas.FUNNEL},
        "dates": json.dumps(run.dates),
        "error": error,
        "normalizer_version": NORMALIZER_VERSION,
        "ingest_date": plan.logical_date,
    }
    table = pa.Table.from_pylist([row], schema=schemas.RUNS)
    tx.append_file("runs", plan.logical_date, table, f"run-{tx.run_id}.parquet")


def record_failure(run: Run, error: str) -> None:
    """Record the run as failed, after `run.tx.abort()` undid what it staged (past its
    commit point the failed row replaces the completed one). Never masks the original error."""
    try:
        tx = Transaction(run.lake, run.run_id)
        append_run_row(tx, run, "failed", error)
        tx.commit()
        run.hooks.publish_fn(run.data, run.lake, tx.touched, tx.run_id)
    except Exception:  # the run already failed; its own error is the one to report
        pass
