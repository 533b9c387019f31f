"""`akhbar report`, `akhbar views` and `akhbar query`'s formats on the hand-built fixture; the
report is also opened in a real headless browser (Debian's chromium) when it is installed."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.report_data import report_data
from flows.report_html import render_html
from flows.sql_objects import sql_catalog
from tests.analyst_fixture import build_landing
from tests.util import nightly


@pytest.fixture(scope="module")
def data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("report")
    nightly(build_landing(root), root / "data")
    return root / "data"


@pytest.fixture(scope="module")
def report(data: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("out") / "report.html"
    cli("report", "--data", str(data), "--days", "10", "--output", str(out))
    return out


def cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_report_is_one_self_contained_rtl_file(report: Path) -> None:
    doc = report.read_text(encoding="utf-8")
    assert doc.startswith('<!DOCTYPE html><html lang="ar" dir="rtl">')
    for needle in ("<script src", "<link", "<img", "http://", "https://", "@import", "url("):
        assert needle not in doc, needle  # nothing to fetch: works offline
    # top hashtags with their display spelling, trending, mentions, sources, runs, rejects
    for text in ("#الرياض", "#جدة", "#مطر", "@SPAgov", "okaz", "spa", "completed", "empty.txt"):
        assert text in doc, text
    # two charts (the legend keys are small svgs too): hashtags (three tagged series) and
    # entities, each with its own group ids
    assert doc.count('role="img"') == 2 and 'id="series-2"' in doc and 'id="series-3"' not in doc
    assert 'id="entity-0"' in doc and 'data-series="entity-0"' in doc
    # the people, places and organisations section: the fixture names الرياض and جدة
    assert "(top places)" in doc and "الرياض" in doc.split("(top places)", 1)[1]
    assert "1.176" in doc and "2.8" in doc  # trending lift values (see test_analyst_sql)


def test_report_counts_articles_not_in_arabic_and_with_code(tmp_path: Path) -> None:
    landing = build_landing(tmp_path)
    day = sorted(p for p in landing.iterdir() if p.is_dir())[-1]
    (day / "901_en.txt").write_text("An English story\n\nThe minister met the press today.")
    (day / "902_css.txt").write_text(
        "خبر مع أسلوب\n\nافتتح المعرض اليوم. .poll{color:#ccc;padding:4px;margin:0 auto;}"
    )
    nightly(landing, tmp_path / "data")
    out = tmp_path / "report.html"
    cli("report", "--data", str(tmp_path / "data"), "--days", "30", "--output", str(out))
    with duckdb.connect(str(tmp_path / "data" / "warehouse.duckdb"), read_only=True) as con:
        want = con.execute(
            "select count(*) filter (where arabic_ratio < 0.5), count(*) filter (where "
            "code_chars > 0) from articles"
        ).fetchone()
    assert want[0] >= 1 and want[1] >= 1
    doc = out.read_text(encoding="utf-8")
    assert f"of which {want[0]} not Arabic" in doc and f"and {want[1]} with code" in doc


def test_report_escapes_everything(data: Path) -> None:
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        d = report_data(con, 30)
    evil = "<img src=x onerror=alert(1)>&"
    d["top_tags"][0]["display"] = evil
    d["series"][0]["display"] = evil
    d["sources"][0] = evil
    d["runs"][0]["error"] = evil
    doc = render_html(d)
    assert evil not in doc and "<img" not in doc
    assert doc.count(html_escaped := "&lt;img src=x onerror=alert(1)&gt;&amp;") >= 4, html_escaped


def test_report_empty_warehouse_and_missing(tmp_path: Path) -> None:
    (tmp_path / "landing").mkdir()
    nightly(tmp_path / "landing", tmp_path / "data")
    out = cli("report", "--data", str(tmp_path / "data"))
    assert "report.html" in out and "no articles" in (tmp_path / "data/report.html").read_text()
    res = CliRunner().invoke(main, ["report", "--data", str(tmp_path / "nothing")])
    assert res.exit_code != 0 and "run `akhbar run` first" in res.output


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)
def test_report_in_a_real_browser(report: Path, tmp_path: Path) -> None:
    url = report.resolve().as_uri()
    dom = subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'p1'}",
            "--enable-logging=stderr",
            "--v=0",
            "--dump-dom",
            url,
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    # the page's script ran to its end, and the browser's DOM holds the Arabic text
    assert 'data-ready="1"' in dom.stdout
    assert "#الرياض" in dom.stdout and "#جدة" in dom.stdout
    errors = [
        line
        for line in dom.stderr.splitlines()
        if "Uncaught" in line or ("CONSOLE" in line and "report.html" in line)
    ]
    assert not errors, errors
    shot = tmp_path / "shot.png"
    subprocess.run(
        [
            CHROMIUM,
            *FLAGS,
            f"--user-data-dir={tmp_path / 'p2'}",
            f"--screenshot={shot}",
            "--window-size=1200,2000",
            url,
        ],
        capture_output=True,
        timeout=120,
        check=True,
    )
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000  # a blank page is ~10 kB


def test_views_lists_every_sql_object(data: Path, tmp_path: Path) -> None:
    names = {o.name for o in sql_catalog()}
    assert {"v_trending_hashtags", "v_hashtag_cooccurrence", "search_articles"} <= names
    out = cli("views", "--data", str(tmp_path))  # no warehouse there: from sql/ only
    assert "no warehouse" in out
    assert "  search_articles(term)" in out and "Arabic-aware" in out
    out = cli("views", "--data", str(data), "--examples")
    for name in names | {"ar_norm"}:
        assert f"+ {name}" in out, name  # all present in the warehouse
    assert "e.g. select day, articles from hashtag_timeline('#الرّياض');" in out


def test_report_queries_are_files_not_warehouse_objects(data: Path) -> None:
    from flows.report_data import REPORT_SQL, report_sql
    from flows.sql_objects import installed_objects

    files = sorted(REPORT_SQL.glob("*.sql"))
    assert files
    for p in files:  # one query a file, its header first
        assert p.read_text(encoding="utf-8").startswith(f"-- {p.stem}: "), p
    names = {p.stem for p in files}
    assert not names & {o.name for o in sql_catalog()}  # `akhbar views` does not list them
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        assert not names & installed_objects(con)  # and no run installs them
        report_data(con, 30)
    assert report_sql.cache_info().currsize == len(files)  # the report reads every one


def test_query_formats_and_output(data: Path, tmp_path: Path) -> None:
    sql = "select rank, display, articles from v_top_hashtags"
    out = cli("query", sql, "--data", str(data), "--format", "json")
    assert json.loads(out)[0] == {"rank": 1, "display": "الرياض", "articles": 15}
    cli("query", sql, "--data", str(data), "--format", "parquet", "-o", str(tmp_path / "t.pq"))
    t = pq.read_table(tmp_path / "t.pq")
    assert t.column("display").to_pylist() == ["الرياض", "جدة", "مطر"]
    cli("query", sql, "--data", str(data), "--format", "csv", "--output", str(tmp_path / "t.csv"))
    assert (tmp_path / "t.csv").read_text(encoding="utf-8").splitlines() == [
        "rank,display,articles",
        "1,الرياض,15",
        "2,جدة,3",
        "3,مطر,3",
    ]
    cli("query", sql, "--data", str(data), "--output", str(tmp_path / "t.txt"))
    table = (tmp_path / "t.txt").read_text(encoding="utf-8")
    assert "\u2068" not in table and "الرياض" in table and "(3 rows)" in table
    res = CliRunner().invoke(main, ["query", sql, "--data", str(data), "--format", "parquet"])
    assert res.exit_code != 0 and "--output" in res.output
    res = CliRunner().invoke(main, ["query", "select * from v_nope", "--data", str(data)])
    assert (
        res.exit_code != 0 and "v_nope" in res.output and "in: select * from v_nope" in res.output
    )


def test_report_on_a_warehouse_with_only_rejects_lists_them(tmp_path: Path) -> None:
    from flows.report import write_report

    landing, data = tmp_path / "landing", tmp_path / "data"
    (landing / "2026-11-05").mkdir(parents=True)
    (landing / "2026-11-05" / "bad.json").write_text("{not json", encoding="utf-8")
    nightly(landing, data)
    html = write_report(data).read_text(encoding="utf-8")
    assert "malformed_json" in html and "nothing rejected" not in html
