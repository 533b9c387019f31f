"""Shared fixtures. `../shared` (corpora, conformance cases) is optional: tests that need it skip
with a message when it is absent."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from flows import env

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
