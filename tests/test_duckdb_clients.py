"""The warehouse opens in the DuckDB clients analysts have. DuckDB 2.0 writes it in storage
version v1.5.0 (flows.warehouse_tables.STORAGE_VERSION); a copy (an incremental publish) keeps
that version; a warehouse written before, in 2.0's own format, is rebuilt once. And every view
and macro runs in DuckDB 1.5 itself, Python and CLI, in a venv of its own outside the repo
($XDG_CACHE_HOME/akhbar-test/duckdb15, made once and reused: delete it to take a newer 1.5.x)."""

from __future__ import annotations

import datetime as dt
import fcntl
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.plan import plan_nightly
from flows.publish import read_meta
from flows.run import execute
from flows.settings import Settings
from flows.sql_objects import sql_catalog
from flows.warehouse_tables import STORAGE_VERSION
from tests.util import checksums

DAY = dt.date(2026, 11, 27)
V15 = "v1.5.0+"  # how DuckDB tags a file in STORAGE_VERSION 'v1.5.0'


def _run(landing: Path, data: Path):
    s = Settings(landing, data, workers=1)
    return execute(s, lambda lake: plan_nightly(s, lake, DAY), {}, log=lambda _m: None)


def storage_version(path: Path) -> str:
    """The storage version DuckDB reads from the file's header, e.g. 'v1.5.0+'."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS w (READ_ONLY)")
        return con.execute(
            "SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'w'"
        ).fetchone()[0]


def _add_article(landing: Path, name: str) -> None:
    folder = landing / "2026-11-28"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text("خبر جديد\n\nنص جديد عن #الرياض", encoding="utf-8")


def _fail_the_build(monkeypatch: pytest.MonkeyPatch) -> None:
    """The run then publishes from the lake (flows.publish.publish), not from its build."""

    monkeypatch.setenv("AKHBAR_FAILPOINT", "build_apply")  # in the builder process
    monkeypatch.setenv("AKHBAR_FAILPOINT_ERRNO", "EIO")


@pytest.mark.parametrize("from_lake", [False, True], ids=["built", "from-lake"])
def test_a_warehouse_is_written_and_copied_in_storage_v1_5(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, from_lake: bool
) -> None:
    live = data_dir / "warehouse.duckdb"
    if from_lake:
        _fail_the_build(monkeypatch)
    assert _run(landing, data_dir).publish_mode == "full"
    assert storage_version(live) == V15
    assert read_meta(live)["storage_version"] == STORAGE_VERSION
    _add_article(landing, "001_00000000000000aa.txt")
    assert _run(landing, data_dir).publish_mode == "incremental"  # a copy of the live file
    assert storage_version(live) == V15


def _downgrade_to_duckdb2_storage(live: Path) -> None:
    """Rewrite the live warehouse as a run before STORAGE_VERSION left it: in DuckDB 2.0's own
    storage, with no storage_version in its metadata."""
    old = live.with_name("old.duckdb")
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{live}' AS cur (READ_ONLY)")
        con.execute(f"ATTACH '{old}' AS old (STORAGE_VERSION 'v2.0.0')")
        con.execute("COPY FROM DATABASE cur TO old")
        con.execute("DELETE FROM old._akhbar_meta WHERE key = 'storage_version'")
    os.replace(old, live)


@pytest.mark.parametrize("from_lake", [False, True], ids=["built", "from-lake"])
def test_a_warehouse_in_duckdb2_storage_is_rebuilt_once(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, from_lake: bool
) -> None:
    live = data_dir / "warehouse.duckdb"
    _run(landing, data_dir)
    _downgrade_to_duckdb2_storage(live)
    assert storage_version(live) != V15
    before = checksums(data_dir)
    if from_lake:
        _fail_the_build(monkeypatch)
    _add_article(landing, "001_00000000000000aa.txt")
    # a copy would keep 2.0's storage (and DuckDB refuses to lower an existing file's): rebuilt
    assert _run(landing, data_dir).publish_mode == "full"
    assert storage_version(live) == V15
    after = checksums(data_dir)
    assert after["articles"][0] == before["articles"][0] + 1
    _add_article(landing, "002_00000000000000bb.txt")
    assert _run(landing, data_dir).publish_mode == "incremental"  # once only


# --------------------------------------------------------------------------------------------
# DuckDB 1.5 itself
# --------------------------------------------------------------------------------------------

PACKAGES = ["duckdb==1.5.*", "duckdb-cli==1.5.*", "pytz"]  # pytz: 1.5 returns TIMESTAMPTZ with it

# Run by the 1.5 venv's Python: each query on a read-only connection, its row count or error.
CHILD = r"""
import json, sys
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
out = {"version": duckdb.__version__, "results": {}}
for name, sql in json.load(sys.stdin):
    try:
        out["results"][name] = len(con.execute(sql).fetchall())
    except Exception as e:
        out["results"][name] = f"{type(e).__name__}: {e}"
print(json.dumps(out))
"""


def _cache_dir() -> Path:
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "akhbar-test"


@pytest.fixture(scope="module")
def duckdb15() -> Path:
    """A venv with DuckDB 1.5 (Python and CLI), made once and reused; skips when pip cannot
    install it (offline)."""
    venv = _cache_dir() / "duckdb15"
    venv.parent.mkdir(parents=True, exist_ok=True)
    with open(venv.parent / "duckdb15.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another test process may be making it
        if not (venv / ".installed").exists():
            shutil.rmtree(venv, ignore_errors=True)
            subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
            pip = subprocess.run(
                [str(venv / "bin/python"), "-m", "pip", "install", "-q", *PACKAGES],
                capture_output=True,
                text=True,
                timeout=900,
            )
            if pip.returncode != 0:
                shutil.rmtree(venv, ignore_errors=True)
                why = (pip.stderr.strip().splitlines() or ["no message"])[-1]
                pytest.skip(f"pip cannot install {' '.join(PACKAGES)} (offline?): {why}")
            (venv / ".installed").write_text(" ".join(PACKAGES) + "\n", encoding="utf-8")
    return venv


def _queries() -> list[tuple[str, str]]:
    """Every view's and macro's documented example, every view whole, and search's modes."""
    objs = sql_catalog()
    out = [(f"{o.name} example", o.example) for o in objs]
    out += [(f"{o.name} all", f"from {o.name}") for o in objs if o.kind == "view"]
    out += [
        ("search phrase", "from search_articles('اللجنة المنظمة')"),
        ("search substring", "from search_articles('الرياض', whole_words := false)"),
        ("search positional", "from search_articles('الرياض', false)"),
        *COMMENTS.items(),
    ]
    return out


# The headers' descriptions, stored as comments (flows/sql_objects.py): 1.5 reads them too.
COMMENTS = {
    "view comments": "select view_name from duckdb_views() where comment is not null",
    "column comments": "select column_name from duckdb_columns() where comment is not null",
    "macro comments": "select distinct function_name from duckdb_functions() "
    "where comment is not null and not internal",
}


def _in_duckdb2(warehouse: Path, queries: list[tuple[str, str]]) -> dict[str, int]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return {name: len(con.execute(sql).fetchall()) for name, sql in queries}


@pytest.mark.integration
def test_every_view_and_macro_runs_in_duckdb_1_5_python(
    landing: Path, data_dir: Path, duckdb15: Path
) -> None:
    _run(landing, data_dir)
    warehouse = data_dir / "warehouse.duckdb"
    queries = _queries()
    child = subprocess.run(
        [str(duckdb15 / "bin/python"), "-I", "-c", CHILD, str(warehouse)],
        input=json.dumps(queries),
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    out = json.loads(child.stdout)
    assert out["version"].startswith("1.5."), out["version"]
    errors = {k: v for k, v in out["results"].items() if isinstance(v, str)}
    assert not errors, f"failed in DuckDB {out['version']}: {errors}"
    # the same answers as in DuckDB 2.0, the writer (row counts: float digits may differ)
    assert out["results"] == _in_duckdb2(warehouse, queries)
    assert all(out["results"][name] > 0 for name in COMMENTS), out["results"]


@pytest.mark.integration
def test_every_view_and_macro_runs_in_duckdb_1_5_cli(
    landing: Path, data_dir: Path, duckdb15: Path
) -> None:
    _run(landing, data_dir)
    warehouse = data_dir / "warehouse.duckdb"
    cli = duckdb15 / "bin/duckdb"
    version = subprocess.run([str(cli), "--version"], capture_output=True, text=True).stdout
    assert version.startswith("v1.5."), version
    queries = _queries()
    expected = _in_duckdb2(warehouse, queries)
    for name, sql in queries:
        r = subprocess.run(
            [str(cli), "-readonly", str(warehouse), "-json", "-c", sql],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0 and not r.stderr, f"{name}: {sql}\n{r.stderr}"
        rows = json.loads(r.stdout) if r.stdout.strip() else []
        assert len(rows) == expected[name], name
