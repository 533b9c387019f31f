"""Environment-controlled fail points for crash tests: AKHBAR_FAILPOINT=<name> makes the process
kill itself with SIGKILL when it reaches that point (AKHBAR_FAILPOINT=<name>:<n> on the n-th hit).
Costs one dict lookup when unset."""

from __future__ import annotations

import os
import signal

_counts: dict[str, int] = {}


def hit(name: str) -> None:
    spec = os.environ.get("AKHBAR_FAILPOINT")
    if not spec:
        return
    target, _, nth = spec.partition(":")
    if target != name:
        return
    _counts[name] = _counts.get(name, 0) + 1
    if _counts[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
