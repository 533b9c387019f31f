"""A run whose parameters are not valid: it stops at its plan, is recorded in `runs` as failed
with the reason (flows/run.py), and is said in one line without a traceback (the flows return
a Failed state, the CLI prints the message)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flows.plan import Plan


class InvalidRun(ValueError):
    """The run's parameters (or what they name) are not valid: found while planning, under the
    lock, before anything is read. Recorded in `runs` as failed with this message, and said in
    one line, naming the parameters as the caller gave them (the flow's, not the CLI's)."""

    def __init__(self, message: str, flow: str, logical_date: dt.date) -> None:
        super().__init__(message)
        self.flow = flow
        self.logical_date = logical_date


def planned_or_invalid(
    make_plan: Callable[..., Plan], flow: str, logical_date: dt.date
) -> Callable[..., Plan]:
    """`make_plan`, with a landing zone that is not there (a parameter naming nothing) turned
    into an InvalidRun."""

    def plan(lake: object) -> Plan:
        try:
            return make_plan(lake)
        except FileNotFoundError as e:
            raise InvalidRun(str(e), flow, logical_date) from None

    return plan
