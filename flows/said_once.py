"""Failures a run says in one line stay one line in a served run's log.

A flow that fails on something the operator can fix (a parameter, a lake to repair, a warehouse
the next run publishes) returns a Failed state whose message says it (flows/nightly.py). In a
served run, Prefect's engine then raises that state's exception once more and logs it as
"Engine execution exited with unexpected exception" with a traceback of Prefect's own frames,
after "Finished in state Failed('…')" has already said everything. This filter drops that one
record, for these failures only: any other exception keeps its traceback.
"""

from __future__ import annotations

import logging

from flows.lake_check import LakeDamaged
from flows.run import PublishFailed
from flows.run_invalid import InvalidRun

SAID_ONCE = (InvalidRun, PublishFailed, LakeDamaged)
_ENGINE_EXIT = "Engine execution exited with unexpected exception"


class _SaidOnce(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        return not (isinstance(exc, SAID_ONCE) and record.getMessage().startswith(_ENGINE_EXIT))


_FILTER = _SaidOnce()


def install() -> None:
    """On Prefect's flow-run logger (the engine's error logger); idempotent."""
    logger = logging.getLogger("prefect.flow_runs")
    if _FILTER not in logger.filters:
        logger.addFilter(_FILTER)
