"""`import flows` changes nothing; `flows.env.setup()` does, and each entry point calls it before
Prefect or pyarrow is imported (they read the environment then). Each test runs a fresh Python
process with none of the variables set, since this test process has called setup() already."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SET_BY_SETUP = (
    "PREFECT_SERVER_ANALYTICS_ENABLED",
    "DO_NOT_TRACK",
    "OPENBLAS_NUM_THREADS",
    "ARROW_DEFAULT_MEMORY_POOL",
    "PREFECT_HOME",
    "PREFECT_LOGGING_LEVEL",
    "PREFECT_LOGGING_LOGGERS_PREFECT_FLOW_RUNS_LEVEL",
)


def python(code: str, state: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in SET_BY_SETUP}
    env["XDG_STATE_HOME"] = str(state)
    proc = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout


@pytest.mark.integration
def test_import_has_no_side_effects_and_the_cli_sets_up_first(tmp_path: Path) -> None:
    out = python(
        """
        import os, sys
        before = dict(os.environ)
        import flows, flows.env, flows.cli
        assert dict(os.environ) == before, set(os.environ) ^ set(before)
        assert "pyarrow" not in sys.modules and "prefect" not in sys.modules
        flows.cli.main(["views", "--data", "nowhere"], standalone_mode=False)
        import pyarrow as pa
        print(os.environ["PREFECT_HOME"], pa.default_memory_pool().backend_name)
        """,
        tmp_path,
    )
    home, pool = out.split()[-2:]
    assert home == str(tmp_path / "akhbar" / "prefect") and Path(home).is_dir()
    assert pool == "system"


@pytest.mark.integration
def test_worker_processes_set_up_even_when_the_caller_did_not(tmp_path: Path) -> None:
    out = python(
        """
        import os
        from flows.workers import worker_pool
        if __name__ == "__main__":
            with worker_pool(2, 2) as pool:
                print(pool.submit(os.getenv, "ARROW_DEFAULT_MEMORY_POOL").result())
            print(os.getenv("ARROW_DEFAULT_MEMORY_POOL"))
        """,
        tmp_path,
    )
    assert out.split() == ["system", "None"]
