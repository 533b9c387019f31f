"""The real Prefect flow on the shipped seeds, then the real warehouse through the CLI."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from flows.cli import main
from tests.conftest import ROOT, SEED_ARTICLE

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def seeded(prefect_harness: None, tmp_path_factory: pytest.TempPathFactory) -> dict:
    from flows.nightly import nightly

    data = tmp_path_factory.mktemp("flow") / "data"
    summary = nightly(
        landing=str(ROOT / "seeds" / "landing"), data=str(data), date=dt.date(2026, 11, 27)
    )
    return {"data": data, "summary": summary}


def _cli(*args: str) -> str:
    res = CliRunner().invoke(main, list(args), catch_exceptions=False)
    assert res.exit_code == 0, res.output
    return res.output


def test_flow_run_id_is_the_prefect_flow_run(seeded: dict) -> None:
    s = seeded["summary"]
    assert s["status"] == "completed" and s["articles_loaded"] > 20
    with duckdb.connect(str(seeded["data"] / "warehouse.duckdb"), read_only=True) as con:
        ((flow, status, loaded),) = con.execute(
            "select flow, status, articles_loaded from runs where run_id = ?", [s["run_id"]]
        ).fetchall()
    assert (flow, status, loaded) == ("nightly", "completed", s["articles_loaded"])


def test_seed_article_hashtags_through_the_cli(seeded: dict) -> None:
    out = _cli(
        "query",
        "select tag, rule from hashtags where article_id = 'd0de07fd3e4728fb' order by start_pos",
        "--data",
        str(seeded["data"]),
        "--format",
        "json",
    )
    got = [(r["tag"], r["rule"]) for r in json.loads(out)]
    assert sorted(got) == sorted(
        [
            ("أحمد_معيتيق", "standard"),
            ("الوفاق", "standard"),
            ("روسيا", "displaced"),
            ("حفتر", "standard"),
            ("مصر", "standard"),
        ]
    )


def test_query_answers_the_readme_question(seeded: dict) -> None:
    out = _cli(
        "query",
        "select key, count(*) from hashtags group by 1 order by 2 desc",
        "--data",
        str(seeded["data"]),
        "--format",
        "csv",
    )
    rows = list(csv.reader(out.splitlines()))
    assert rows[0] == ["key", "count_star()"]
    keys = {r[0] for r in rows[1:]}
    assert {"حفتر", "مصر", "الوفاق"} <= keys


def test_views_answer(seeded: dict) -> None:
    with duckdb.connect(str(seeded["data"] / "warehouse.duckdb"), read_only=True) as con:
        for view in (
            "v_hashtag_daily",
            "v_top_hashtags",
            "v_top_mentions",
            "v_articles",
            "v_run_history",
        ):
            (n,) = con.execute(f"select count(*) from {view}").fetchone()
            assert n > 0, view
        # The seed article's five tags each appear in it once, on its day.
        rows = con.execute(
            "select key, occurrences from v_hashtag_daily where day = DATE '2026-11-24' "
            "and key in ('حفتر', 'مصر')"
        ).fetchall()
        assert dict(rows).keys() == {"حفتر", "مصر"}


def test_warehouse_matches_hand_written_expected_entities(seeded: dict) -> None:
    """seeds/expected_entities.csv was written by hand from the seed texts, not by the code."""
    expected_file = ROOT / "seeds" / "expected_entities.csv"
    with open(expected_file, encoding="utf-8", newline="") as f:
        expected = sorted(
            (r["file"], r["field"], r["kind"], r["text"], r["rule"]) for r in csv.DictReader(f)
        )
    with duckdb.connect(str(seeded["data"] / "warehouse.duckdb"), read_only=True) as con:
        got = con.execute(
            "select source_file, field, 'hashtag' as kind, tag, rule from hashtags "
            "union all select source_file, field, 'mention', handle, rule from mentions"
        ).fetchall()
    assert sorted(got) == expected


def test_query_errors_are_clear(seeded: dict, tmp_path: Path) -> None:
    res = CliRunner().invoke(main, ["query", "select 1", "--data", str(tmp_path)])
    assert res.exit_code != 0 and "run `akhbar run` first" in res.output
    res = CliRunner().invoke(
        main, ["query", "select nope from articles", "--data", str(seeded["data"])]
    )
    assert res.exit_code != 0
    assert "nope" in res.output and "in: select nope from articles" in res.output


@pytest.mark.parametrize("cmd", [[], ["run"], ["backfill"], ["query"]])
def test_every_command_has_help(cmd: list[str]) -> None:
    res = CliRunner().invoke(main, [*cmd, "--help"])
    assert res.exit_code == 0 and "Usage:" in res.output


def test_seed_article_is_the_users_example() -> None:
    assert (ROOT / "seeds" / "landing" / "2026-11-24" / SEED_ARTICLE).exists()


def test_run_publishes_its_funnel_as_a_table_artifact(seeded: dict) -> None:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey

    with get_client(sync_client=True) as client:
        arts = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["nightly-funnel"]))
        )
    mine = [a for a in arts if str(a.flow_run_id) == seeded["summary"]["run_id"]]
    assert len(mine) == 1 and mine[0].type == "table"
    data = mine[0].data
    rows = json.loads(data) if isinstance(data, str) else data
    counts = {r["step"]: r["count"] for r in rows}
    assert counts["articles_loaded"] == seeded["summary"]["articles_loaded"]
    assert counts["files_seen"] == seeded["summary"]["files_seen"]


def test_entities_refresh_flow_through_the_cli(seeded: dict, tmp_path: Path) -> None:
    """`akhbar entities refresh` is a Prefect flow like the others, recorded in `runs`."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(seeded["data"], data)
    out = _cli(
        "entities", "refresh", "--data", str(data), "--start", "2026-11-24", "--end", "2026-11-24"
    )
    assert "akhbar entities: completed" in out and "people/places/organisations" in out
    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        flows = [r[0] for r in con.execute("select flow from runs order by started_at").fetchall()]
        refreshed = con.execute(
            "select count(distinct run_id) from entity_mentions where ingest_date = '2026-11-24'"
        ).fetchone()[0]
    assert flows[-1] == "entities" and refreshed == 1
