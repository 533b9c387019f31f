"""Children die with their parent: the processes a run starts end when its process is killed.

The OOM killer (or `kill -9`) ends only the run's own process. Its children would otherwise
live on for minutes: Prefect's temporary API server (a port and ~150 MB), the workers' fork
server and the workers (~100-200 MB each). Each gets a way to notice:

- Prefect's temporary server and the workers: the kernel signals them when their parent dies
  (`prctl(PR_SET_PDEATHSIG)`, set in the child as it starts). The kernel ties that signal to
  the *thread* that forked the child, so it is used only where that thread lives as long as
  the process: the server is started here from the command's main thread
  (`start_prefect_server`), the workers are forked by the fork server's only thread.
- The fork server, and the warehouse builder (flows/build_worker.py): they are started from
  whichever thread first needs them, so they watch their parent instead (`watch_parent`: a
  thread polling getppid(), whose answer changes when the parent dies and the process is
  handed to init).

Linux only; elsewhere these do nothing and the children end as they did before.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import subprocess
import sys
import threading
import time
from typing import Any

PR_SET_PDEATHSIG = 1

_libc: Any = None
if sys.platform.startswith("linux"):
    try:
        _libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
    except OSError:  # no libc to load: do without
        _libc = None


def die_with_parent() -> None:
    """In a child process: SIGKILL it when the thread that forked it ends (with its process).
    Also a ProcessPoolExecutor `initializer`, and a `preexec_fn` (the prctl function is looked
    up here, at import, not in the forked child)."""
    if _libc is None:
        return
    _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if os.getppid() == 1:  # the parent died before the signal was asked for
        os._exit(1)


def watch_parent(interval_s: float = 0.2) -> None:
    """A daemon thread that ends this process when its parent dies (getppid() changes)."""
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(interval_s)
        os._exit(1)

    threading.Thread(target=watch, name="akhbar-parent-watch", daemon=True).start()


def start_prefect_server() -> None:
    """Start Prefect's temporary API server now, from this (the main) thread, as a child that
    dies with this process. Prefect reuses the running instance for the whole run (its
    servers are one instance per port) and stops it at exit as usual."""
    from prefect.server.api import server
    from prefect.settings import get_current_settings

    class _Server(server.SubprocessASGIServer):
        def _run_uvicorn_command(self) -> subprocess.Popen[Any]:
            # Prefect's own command (prefect.server.api.server), plus the death signal.
            env = {
                **os.environ,
                "PREFECT_UI_ENABLED": "0",
                "PREFECT__SERVER_EPHEMERAL": "1",
                "PREFECT__SERVER_FINAL": "1",
                **get_current_settings().to_environment_variables(exclude_unset=True),
            }
            args = [sys.executable, "-m", "uvicorn", "--app-dir", str(_prefect_dir())]
            args += ["--factory", "prefect.server.api.server:create_app"]
            args += ["--host", "127.0.0.1", "--port", str(self.port)]
            args += ["--log-level", "error", "--lifespan", "on"]
            return subprocess.Popen(args, env=env, preexec_fn=die_with_parent)

    if None in server.SubprocessASGIServer._instances:
        return  # started already (a second command in one process, or tests)
    _Server().start()


def _prefect_dir() -> Any:
    import prefect

    return prefect.__module_path__.parent
