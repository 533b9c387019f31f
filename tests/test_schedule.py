"""A real schedule: `prefect server start` on 127.0.0.1 with a temp PREFECT_HOME, `akhbar serve`
against it, the cron read back through the API, nightly and backfill triggered through the API
and the CLI, the warehouse checked, and every process stopped by PID."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import duckdb
import httpx
import pytest

from tests.conftest import SEEDS

pytestmark = pytest.mark.integration
BIN = Path(sys.executable).parent
TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM the process group (the server runs uvicorn children), SIGKILL if it lingers."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
    except ProcessLookupError:
        pass


def _wait_until(pred, what: str, timeout: float = TIMEOUT_S, procs: tuple = ()) -> object:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{what}: {p.args[:3]} exited early with {p.returncode}")
        value = pred()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    base = tmp_path_factory.mktemp("sched")
    landing, data = base / "landing", base / "data"
    shutil.copytree(SEEDS, landing)
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    env = {
        **os.environ,
        "PREFECT_HOME": str(base / "prefect_home"),
        "PREFECT_API_URL": api,
        "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
        "DO_NOT_TRACK": "1",
        "PREFECT_RUNNER_POLL_FREQUENCY": "2",  # pick runs up in ~2 s instead of 10
    }
    env.pop("PREFECT_API_KEY", None)
    logs = {name: open(base / f"{name}.log", "wb") for name in ("server", "serve")}  # noqa: SIM115
    procs: list[subprocess.Popen] = []
    try:
        server = subprocess.Popen(
            [str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=logs["server"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(server)

        def healthy() -> bool:
            try:
                return httpx.get(f"{api}/health", timeout=2).status_code == 200
            except httpx.HTTPError:
                return False

        _wait_until(healthy, "prefect server health", procs=(server,))
        serve = subprocess.Popen(
            [
                str(BIN / "akhbar"),
                "serve",
                "--landing",
                str(landing),
                "--data",
                str(data),
                "--cron",
                "0 2 * * *",
                "--timezone",
                "Asia/Riyadh",
            ],
            env=env,
            stdout=logs["serve"],
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        procs.append(serve)
        yield {
            "api": api,
            "env": env,
            "landing": landing,
            "data": data,
            "procs": procs,
            "logs": base,
        }
    finally:
        for p in reversed(procs):
            _stop(p)
        for f in logs.values():
            f.close()
    for p in procs:
        assert p.poll() is not None, f"process {p.pid} still running"


def _post(url: str, body: dict) -> httpx.Response:
    """POST, retrying the 503s a busy SQLite-backed server answers while it schedules runs."""
    for _ in range(20):
        r = httpx.post(url, json=body, timeout=10)
        if r.status_code != 503:
            r.raise_for_status()
            return r
        time.sleep(0.5)
    r.raise_for_status()
    return r


def _deployment(api: str, flow: str, name: str) -> dict | None:
    r = httpx.get(f"{api}/deployments/name/{flow}/{name}", timeout=5)
    return r.json() if r.status_code == 200 else None


def _wait_run(api: str, run_id: str) -> dict:
    def done() -> dict | None:
        r = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5)
        if r.status_code == 503:
            return None
        run = r.json()
        state = (run.get("state") or {}).get("type")
        if state in ("FAILED", "CRASHED", "CANCELLED"):
            raise AssertionError(f"flow run {run_id} ended {state}: {run['state']}")
        return run if state == "COMPLETED" else None

    return _wait_until(done, f"flow run {run_id}")


def _check_summary_reaches_prefect(api: str, run_id: str, data: Path) -> None:
    """A served run's whole summary is in its log, and in its markdown artifact with the
    report the run wrote."""
    log = _run_log(api, run_id, until="akhbar nightly: completed in")
    for part in ("files    seen", "records  read", "seconds  plan", "dates    2026-11-23"):
        assert part in log, part
    body = {"artifacts": {"flow_run_id": {"any_": [run_id]}, "type": {"any_": ["markdown"]}}}
    (art,) = _post(f"{api}/artifacts/filter", body).json()
    assert art["key"] == "nightly-summary"
    md = art["data"]
    assert "completed in" in md and "seconds  plan" in md and "dates    2026-11-23" in md
    assert f"`{data.resolve() / 'report.html'}`" in md
    assert (data / "report.html").exists()


def _run_log(api: str, run_id: str, until: str) -> str:
    """The flow run's log as the server holds it, once it holds `until` (logs are shipped in
    batches, after the run's state)."""

    def text() -> str | None:
        body = {"logs": {"flow_run_id": {"any_": [run_id]}}, "sort": "TIMESTAMP_ASC"}
        t = "\n".join(e["message"] for e in _post(f"{api}/logs/filter", body).json())
        return t if until in t else None

    return _wait_until(text, f"the log of flow run {run_id}", timeout=60)


def test_serve_registers_schedule_and_runs_nightly_and_backfill(stack: dict) -> None:
    api = stack["api"]
    nightly = _wait_until(
        lambda: _deployment(api, "nightly", "nightly"),
        "nightly deployment",
        procs=tuple(stack["procs"]),
    )
    sched = nightly["schedules"][0]["schedule"]
    assert (sched["cron"], sched["timezone"]) == ("0 2 * * *", "Asia/Riyadh")
    assert nightly["parameters"]["data"] == str(stack["data"])
    backfill = _wait_until(lambda: _deployment(api, "backfill", "backfill"), "backfill deployment")
    assert backfill["schedules"] == []

    # Trigger the nightly deployment through the REST API.
    r = _post(f"{api}/deployments/{nightly['id']}/create_flow_run", {})
    nightly_run = _wait_run(api, r.json()["id"])
    _check_summary_reaches_prefect(api, nightly_run["id"], stack["data"])

    # Trigger a backfill through Prefect's CLI, as the README tells operators to.
    out = subprocess.run(
        [
            str(BIN / "prefect"),
            "deployment",
            "run",
            "backfill/backfill",
            "-p",
            "start=2026-11-25",
            "-p",
            "end=2026-11-25",
        ],
        env=stack["env"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    ).stdout
    assert "backfill/backfill" in out, out

    def backfill_run_id() -> str | None:
        body = {"deployments": {"id": {"any_": [backfill["id"]]}}}
        runs = _post(f"{api}/flow_runs/filter", body).json()
        return runs[0]["id"] if runs else None

    run_id = _wait_until(backfill_run_id, "the backfill flow run to be created")
    backfill_run = _wait_run(api, run_id)

    with duckdb.connect(str(stack["data"] / "warehouse.duckdb"), read_only=True) as con:
        runs = dict(
            con.execute("select run_id, flow from runs where status = 'completed'").fetchall()
        )
        assert runs == {nightly_run["id"]: "nightly", backfill_run["id"]: "backfill"}
        per_day = dict(
            con.execute("select ingest_date::varchar, count(*) from articles group by 1").fetchall()
        )
        loaded_by = dict(
            con.execute(
                "select ingest_date::varchar, any_value(run_id) from articles group by 1"
            ).fetchall()
        )
    n_txt_25 = len(list((stack["landing"] / "2026-11-25").glob("*.txt")))
    assert per_day["2026-11-25"] > n_txt_25  # the .txt articles plus the wire JSON's records
    assert loaded_by["2026-11-25"] == backfill_run["id"]
    assert loaded_by["2026-11-24"] == nightly_run["id"]


def test_backwards_backfill_deployment_fails_in_one_line_and_is_recorded(stack: dict) -> None:
    """The deployment's parameters are `start` and `end`: the error names those, the served
    run's log holds no traceback, and `runs` holds the failed run with the reason."""
    api = stack["api"]
    backfill = _wait_until(
        lambda: _deployment(api, "backfill", "backfill"),
        "backfill deployment",
        procs=tuple(stack["procs"]),
    )
    body = {"parameters": {"start": "2026-11-26", "end": "2026-11-25"}}
    run_id = _post(f"{api}/deployments/{backfill['id']}/create_flow_run", body).json()["id"]

    def failed() -> dict | None:
        r = httpx.get(f"{api}/flow_runs/{run_id}", timeout=5)
        state = (r.json().get("state") or {}) if r.status_code == 200 else {}
        return state if state.get("type") in ("FAILED", "CRASHED", "COMPLETED") else None

    state = _wait_until(failed, f"backfill run {run_id} to fail")
    assert state["type"] == "FAILED"
    assert "end (2026-11-25) is before start (2026-11-26)" in state["message"]
    assert "--end" not in state["message"]
    text = _run_log(api, run_id, until="Finished in state")
    assert "is before start" in text and "Traceback" not in text
    assert "Traceback" not in (stack["logs"] / "serve.log").read_text(errors="replace")
    with duckdb.connect(str(stack["data"] / "warehouse.duckdb"), read_only=True) as con:
        ((flow, status, error),) = con.execute(
            "select flow, status, error from runs where run_id = ?", [run_id]
        ).fetchall()
    assert (flow, status) == ("backfill", "failed") and "is before start" in error
