"""Environment-controlled fail points for crash tests: AKHBAR_FAILPOINT=<name> makes the process
kill itself with SIGKILL when it reaches that point (AKHBAR_FAILPOINT=<name>:<n> on the n-th hit).
With AKHBAR_FAILPOINT_ERRNO=<name> (e.g. ENOSPC) it raises that OSError instead, on that hit and
every later one: a full disk stays full. Costs one dict lookup when unset."""

from __future__ import annotations

import errno
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
        code = os.environ.get("AKHBAR_FAILPOINT_ERRNO")
        if code:
            num = getattr(errno, code)
            raise OSError(num, os.strerror(num), f"(fail point {name})")
        os.kill(os.getpid(), signal.SIGKILL)
