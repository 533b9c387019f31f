"""Shared fixtures. `../shared` (corpora, conformance cases) is optional: tests that need it skip
with a message when it is absent."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import env
from flows.storage import S3_VARIABLES
from tests import s3_server as s3

# Before any test module imports prefect or pyarrow (they read these settings at import).
env.setup()

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT / "seeds" / "landing"
SHARED = ROOT.parent / "shared"
SEED_ARTICLE = "000_d0de07fd3e4728fb.txt"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, or skip the test saying what is missing."""
    p = SHARED.joinpath(*parts)
    if not p.exists():
        pytest.skip(f"../shared/{'/'.join(parts)} is not present (corpora are optional)")
    return p


@pytest.fixture
def landing(tmp_path: Path) -> Path:
    """A private copy of the shipped seeds: tests may change it freely."""
    dst = tmp_path / "landing"
    shutil.copytree(SEEDS, dst)
    return dst


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture(scope="session")
def prefect_harness() -> Iterator[None]:
    """One temporary Prefect backend for the whole session (~8 s); flows run against it."""
    from prefect.testing.utilities import prefect_test_harness

    with prefect_test_harness(server_startup_timeout=60):
        yield


@pytest.fixture
def flow_run_log() -> Iterator[list[str]]:
    """The messages logged by flow runs (Prefect's `prefect.flow_runs` logger does not
    propagate to the root logger, so caplog does not see them), with their tracebacks."""
    import logging

    import flows.nightly  # noqa: F401  # Prefect configures its logging once, when imported

    said: list[str] = []

    class Collect(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            said.append(self.format(record))

    handler = Collect(level=logging.DEBUG)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("prefect.flow_runs")
    logger.addHandler(handler)
    try:
        yield said
    finally:
        logger.removeHandler(handler)


@pytest.fixture(scope="session")
def s3_server() -> Iterator[s3.S3Server]:
    """A local S3 server (moto, tests/s3_server.py) for the session, on a free port. It dies with
    the test process, even a killed one; stopped by its PID at the end."""
    server = s3.start(die_with_parent=True)
    try:
        yield server
    finally:
        s3.stop(server.pid)


def set_s3_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    """Exactly `values` as the AWS_* variables for this test (the others unset)."""
    for k in S3_VARIABLES:
        monkeypatch.delenv(k, raising=False)
    for k, v in values.items():
        monkeypatch.setenv(k, v)


@pytest.fixture
def s3_env(s3_server: s3.S3Server, monkeypatch: pytest.MonkeyPatch) -> s3.S3Server:
    """The session's S3 server, with its AWS_* variables set for this test."""
    set_s3_env(monkeypatch, s3_server.env)
    return s3_server


@pytest.fixture
def s3_bucket(s3_env: s3.S3Server) -> str:
    """A fresh, empty bucket for this test on the session's server: `s3://<name>`."""
    return s3_env.make_bucket(f"t-{uuid.uuid4().hex[:16]}")
