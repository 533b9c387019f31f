"""People, places and organisations through the pipeline: staged like hashtags, the gazetteer
stored per version, `akhbar entities refresh` replacing exactly its dates' mentions, an
analyst's CSV merged over the shipped gazetteer, and a bad CSV stopping a run before it starts."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.entities_refresh import plan_refresh, stage_refresh
from flows.run import Hooks, execute
from flows.settings import Settings
from tests.util import checksums, nightly, query
from transforms.entities import gazetteer_version
from transforms.gazetteer import GazetteerError

SEED = "2026-11-24/000_d0de07fd3e4728fb.txt"
RUN_PER_DAY = "select ingest_date, any_value(run_id) from entity_mentions group by 1"
CURATED_HEADER = "entity_id,type,subtype,name_ar,name_en,aliases,nisba,note\n"
# A made-up person: no shipped gazetteer has him, so only the analyst's file can find him.
INVENTED = "per:zaid-almukhtalaq,PER,politician,زيد المختلق,Zaid Almukhtalaq,,,test entity\n"


def refresh(data: Path, start: dt.date | None = None, end: dt.date | None = None) -> dict:
    s = Settings(data / "unused-landing", data, workers=1)
    return execute(
        s,
        lambda lake: plan_refresh(lake, start, end),
        {"start": start, "end": end},
        hooks=Hooks(stage=stage_refresh),
        log=lambda _m: None,
    ).summary()


def _with_invented(landing: Path) -> None:
    """An article on 2026-11-26 naming the made-up person."""
    (landing / "2026-11-26" / "900_aaaaaaaaaaaaaaaa.txt").write_text(
        "تصريح جديد\n\nقال زيد المختلق في مؤتمر صحفي إن الاجتماع المقبل سيعقد في القاهرة.",
        encoding="utf-8",
    )


def test_mentions_are_loaded_with_spans_into_the_clean_text(landing: Path, data_dir: Path) -> None:
    s = nightly(landing, data_dir)
    n = query(data_dir, "select count(*) from entity_mentions")[0][0]
    assert n > 0 and s["entity_mentions"] == n
    bad = query(
        data_dir,
        "select count(*) from entity_mentions m join articles a using (article_id, ingest_date) "
        "where substr(CASE m.field WHEN 'title' THEN a.title ELSE a.body END, "
        "m.start_pos + 1, m.end_pos - m.start_pos) <> m.surface",
    )[0][0]
    assert bad == 0
    seed = dict(
        query(
            data_dir,
            "select m.entity_id, m.type from entity_mentions m join articles a "
            "using (article_id, ingest_date) where a.source_file = ? and m.rule <> 'nisba'",
            [SEED],
        )
    )
    assert {seed.get(k) for k in ("LY", "RU", "EG", "SY")} == {"LOC"}
    assert seed.get("org:united-nations") == "ORG"
    assert seed.get("per:khalifa-haftar") == "PER"
    nisba = query(
        data_dir,
        "select distinct m.entity_id from entity_mentions m join articles a "
        "using (article_id, ingest_date) where a.source_file = ? and m.rule = 'nisba'",
        [SEED],
    )
    assert ("RU",) in nisba and ("EG",) in nisba


def test_the_gazetteer_in_use_is_stored_once_per_version(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    version = gazetteer_version()
    assert query(data_dir, "select distinct gazetteer_version from entity_mentions") == [(version,)]
    assert query(data_dir, "select distinct gazetteer_version from entities") == [(version,)]
    n_entities = query(data_dir, "select count(*) from entities")[0][0]
    assert n_entities > 1000
    # the aliases carry their search key: what entity_ids() compares ar_norm(term) with
    assert query(data_dir, "select entity_id from entity_ids('أميركا')") == [("US",)]
    # a second run with the same gazetteer adds no second copy
    (landing / "2026-11-27").mkdir()
    (landing / "2026-11-27" / "x.txt").write_text("خبر\n\nزار الوفد موسكو.", encoding="utf-8")
    nightly(landing, data_dir)
    assert query(data_dir, "select count(*) from entities")[0][0] == n_entities


def test_an_analysts_csv_in_the_data_dir_is_merged(landing: Path, data_dir: Path) -> None:
    _with_invented(landing)
    nightly(landing, data_dir)
    assert query(data_dir, "from articles_mentioning('زيد المختلق')") == []
    data_dir.joinpath("entities.csv").write_text(CURATED_HEADER + INVENTED, encoding="utf-8")
    before = checksums(data_dir)
    s = refresh(data_dir)
    assert s["flow"] == "entities" and s["status"] == "completed"
    rows = query(data_dir, "select title, surfaces from articles_mentioning('زيد المختلق')")
    assert rows == [("تصريح جديد", ["زيد المختلق"])]
    after = checksums(data_dir)
    for table in ("articles", "hashtags", "mentions", "rejects", "file_manifest"):
        assert after[table] == before[table], table  # a refresh touches mentions only
    versions = query(data_dir, "select count(distinct gazetteer_version) from entities")[0][0]
    assert versions == 2
    ran = query(data_dir, "select flow, entity_mentions from runs order by started_at desc")[0]
    assert ran[0] == "entities" and ran[1] == after["entity_mentions"][0]


def test_refresh_replaces_exactly_its_dates(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    runs = dict(
        query(data_dir, "select ingest_date, any_value(run_id) from entity_mentions group by 1")
    )
    day = dt.date(2026, 11, 25)
    s = refresh(data_dir, day, day)
    assert s["dates"] == [day.isoformat()]
    now = dict(
        query(data_dir, "select ingest_date, any_value(run_id) from entity_mentions group by 1")
    )
    assert now[day] == s["run_id"]
    assert {d: r for d, r in now.items() if d != day} == {d: r for d, r in runs.items() if d != day}


def test_refresh_of_dates_the_lake_lacks_does_nothing(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    before = checksums(data_dir)
    s = refresh(data_dir, dt.date(2030, 1, 1), dt.date(2030, 1, 2))
    assert s["status"] == "nothing_to_do"
    assert checksums(data_dir) == before


def test_duplicates_do_not_double_mentions(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    before = query(data_dir, "select count(*) from entity_mentions")[0][0]
    (landing / "2026-11-27").mkdir()
    shutil.copy(landing / SEED, landing / "2026-11-27" / "copy_of_seed.txt")
    s = nightly(landing, data_dir)
    assert s["duplicates"] == 1 and s["entity_mentions"] == 0
    assert query(data_dir, "select count(*) from entity_mentions")[0][0] == before


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("entity_id,type,name_en\nx,PER,X\n", "missing column"),
        (CURATED_HEADER + INVENTED + INVENTED, "duplicate"),
        (CURATED_HEADER + "per:empty,PER,politician,,Nobody,,,\n", "empty"),
        (CURATED_HEADER + "per:latin,PER,politician,زيد,Zaid,Zaid Latin,,\n", "Arabic"),
    ],
)
def test_a_bad_csv_stops_the_run_before_it_starts(
    landing: Path, data_dir: Path, tmp_path: Path, text: str, problem: str
) -> None:
    bad = tmp_path / "mine.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(GazetteerError) as e:
        execute(
            Settings(landing, data_dir, entities=bad),
            lambda lake: pytest.fail("planned despite a bad entities file"),
            {},
            log=lambda _m: None,
        )
    assert "mine.csv" in str(e.value) and problem.lower() in str(e.value).lower()
    assert not (data_dir / "lake").exists()
    res = CliRunner().invoke(
        main, ["run", "--landing", str(landing), "--data", str(data_dir), "--entities", str(bad)]
    )
    assert res.exit_code != 0 and "mine.csv:" in res.output and "Traceback" not in res.output


def test_a_lake_from_before_entities_is_upgraded_by_a_refresh(
    landing: Path, data_dir: Path
) -> None:
    """A lake written before entities existed (so by the journal: entities came before Delta):
    no entity tables, runs without the column, a warehouse of the previous schema. The next run
    converts the lake and rebuilds the warehouse; a refresh fills in the mentions of the old
    dates."""
    nightly(landing, data_dir)
    want = checksums(data_dir)
    lake = data_dir / "lake"
    for t in ("entity_mentions", "entities", "entity_aliases"):
        shutil.rmtree(lake / t)
    for log in lake.glob("*/_delta_log"):  # the journal's layout (see test_lake's migration)
        shutil.rmtree(log)
    (lake / "_state.json").write_text('{"version": 1, "run_id": "old"}')
    for f in (lake / "runs").rglob("*.parquet"):
        pq.write_table(pq.read_table(f).drop_columns(["entity_mentions"]), f)
    with_old_schema = "update _akhbar_meta set value = '2' where key = 'schema_version'"
    import duckdb

    with duckdb.connect(str(data_dir / "warehouse.duckdb")) as con:
        con.execute(with_old_schema)
    nightly(landing, data_dir)  # nothing new to read; publishes a full rebuild
    assert query(data_dir, "select count(*) from entity_mentions")[0][0] == 0
    refresh(data_dir)
    assert checksums(data_dir) == want
