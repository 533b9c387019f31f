"""`flows.connect.connect()`: a notebook sees each new run without restarting, and the
README's Python snippets run on a seed warehouse with what the project installs."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from flows.connect import connect
from flows.sql_objects import sql_catalog
from tests.conftest import ROOT
from tests.util import nightly

NEW = "خبر جديد\n\nافتتح في الرياض معرض جديد #معرض_جديد"


def _articles(con: duckdb.DuckDBPyConnection) -> int:
    return con.execute("select count(*) from v_articles").fetchone()[0]


def test_connect_sees_each_new_run_in_one_process(landing: Path, data_dir: Path) -> None:
    first = nightly(landing, data_dir)["articles_loaded"]
    plain = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    old = connect(data_dir)
    assert _articles(old) == _articles(plain) == first
    (landing / "2026-11-26" / "099_00000000000000ff.txt").write_text(NEW, encoding="utf-8")
    assert nightly(landing, data_dir)["articles_loaded"] == 1  # a second run, same process
    new = connect(data_dir)
    assert _articles(new) == first + 1
    assert new.execute("select count(*) from v_hashtag_daily where key = 'معرض_جديد'").fetchone()
    # what connect() is for: reconnecting as usual joins the instance that `plain` keeps open,
    # which still reads the file it opened
    again = duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True)
    assert _articles(again) == first
    assert _articles(old) == first  # a connection handed out before keeps its snapshot
    for c in (plain, again, old):
        c.close()
    assert _articles(new) == first + 1
    new.close()


def test_connect_has_every_view_and_macro_and_is_read_only(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    with connect(data_dir) as con:
        for o in sql_catalog():
            con.execute(o.example).fetchall()  # unqualified names resolve in the warehouse
        with pytest.raises(duckdb.Error, match="read-only"):
            con.execute("create table x (a int)")
    with pytest.raises(FileNotFoundError, match="run `akhbar run` first"):
        connect(data_dir.parent / "nothing")


def python_snippets(readme: str) -> list[str]:
    """The README's ```python blocks that read the warehouse (the others import pipeline
    internals or need a lake, and have their own tests)."""
    blocks = re.findall(r"^```python\n(.*?)^```", readme, re.S | re.M)
    return [b for b in blocks if "warehouse" in b or "connect(" in b]


@pytest.mark.integration
def test_readme_python_snippets_run_on_a_seed_warehouse(tmp_path: Path) -> None:
    snippets = python_snippets((ROOT / "README.md").read_text(encoding="utf-8"))
    assert len(snippets) >= 2 and any("flows.connect" in s for s in snippets)
    shutil.copytree(ROOT / "seeds" / "landing", tmp_path / "landing")
    nightly(tmp_path / "landing", tmp_path / "data")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # as from the project root, in a notebook
    for i, code in enumerate(snippets):
        r = subprocess.run(
            [sys.executable, "-c", code],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert r.returncode == 0, f"README python snippet {i}:\n{code}\n{r.stderr[-2000:]}"
        assert r.stdout.strip(), f"snippet {i} printed nothing:\n{code}"
