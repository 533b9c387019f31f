"""Code in an article through a whole run: kept in the stored body, out of hashtags, mentions,
entities and search, counted per article and per run; the share of Arabic letters of each
article; and a lake written before these columns existed, upgraded by the next run."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from deltalake import DeltaTable, Schema
from deltalake.transaction import AddAction, CommitProperties, create_table_with_add_actions

from flows.lake import Lake
from flows.lake_files import LEDGER, PART, PINS_KEY, RUN_KEY
from tests.util import killed_nightly, nightly, query
from transforms import schemas
from transforms.language import arabic_ratio
from transforms.normalize import normalize

DAY = "2026-11-24"
PROSE = "أعلنت أمانة الرياض عن افتتاح حدائق جديدة في شمال المدينة خلال الصيف"
STYLE = (
    "#vote_area2 ul { padding: 0; margin: 0; } .box_vote { background: #f8f8f8; "
    "border: solid 1px #ccc; color: #449EC0; } jQuery(document).ready(function(){ "
    "jQuery('#vote_form2').submit(function() { jQuery('#vote_area2').html('الرياض'); "
    "return false; }); });"
)
CODE_BODY = f"{PROSE}. {STYLE} ما رأيك في الحدائق الجديدة؟ #الرياض @amanah_riyadh"
ENGLISH = "The municipality of Riyadh opened new parks in the north of the city this summer."


@pytest.fixture
def code_landing(tmp_path: Path) -> Path:
    day = tmp_path / "landing" / DAY
    day.mkdir(parents=True)
    (day / "001_aaaaaaaaaaaaaaaa.txt").write_text(f"حدائق الرياض\n\n{CODE_BODY}", encoding="utf-8")
    (day / "002_bbbbbbbbbbbbbbbb.txt").write_text(f"Parks\n\n{ENGLISH}", encoding="utf-8")
    (day / "003_cccccccccccccccc.txt").write_text(f"أخبار\n\n{PROSE} #الصيف", encoding="utf-8")
    return tmp_path / "landing"


def _article(data: Path, title: str) -> dict:
    """An article's columns, those of v_articles through the view."""
    cols = ["body", "code_chars", "arabic_ratio", "n_hashtags", "n_mentions"]
    row = query(data, f"select {', '.join(cols)} from v_articles where title = ?", [title])
    (norm,) = query(data, "select body_norm from articles where title = ?", [title])
    assert len(row) == 1
    return {**dict(zip(cols, row[0], strict=True)), "body_norm": norm[0]}


def test_code_is_kept_out_of_hashtags_and_search(code_landing: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    s = nightly(code_landing, data)
    assert (s["articles_loaded"], s["code_articles"], s["non_arabic_articles"]) == (3, 1, 1)
    art = _article(data, "حدائق الرياض")
    assert art["body"] == normalize(CODE_BODY)  # the stored clean body keeps the code
    assert art["code_chars"] == len(STYLE)
    # the letters of the code are left out; those of the mention's handle count
    without_code = "حدائق الرياض " + CODE_BODY.replace(STYLE, "")
    assert art["arabic_ratio"] == arabic_ratio(without_code) > 0.85
    assert "padding" not in art["body_norm"] and "jquery" not in art["body_norm"]
    assert (art["n_hashtags"], art["n_mentions"]) == (1, 1)
    tags = query(data, "select tag, key, field, start_pos, end_pos from hashtags order by tag")
    assert [t[0] for t in tags] == ["الرياض", "الصيف"]
    for tag, _key, field, start, end in tags:  # offsets still index the stored clean text
        (text,) = query(
            data,
            f"select {field} from articles a join hashtags h using (article_id) where h.tag = ?",
            [tag],
        )[0]
        assert text[start:end] == tag
    assert query(data, "select handle from mentions") == [("amanah_riyadh",)]
    _entities_outside_code(data, art["body"])
    for term in ("padding", "jQuery", "vote_area2", "ccc"):
        got = query(data, "select count(*) from search_articles(?, whole_words := false)", [term])
        assert got == [(0,)], term
    got = query(data, "select title from search_articles('الحدائق')")
    assert got == [("حدائق الرياض",)]
    eng = _article(data, "Parks")
    assert eng["arabic_ratio"] == 0.0 and eng["code_chars"] == 0
    runs = query(data, "select code_articles, non_arabic_articles from v_run_history")
    assert runs == [(1, 1)]


def _entities_outside_code(data: Path, body: str) -> None:
    """The code names الرياض in a string: no mention of the body falls inside the code, and
    the one in the prose before it is found."""
    code_at = body.index(STYLE)
    found = query(
        data,
        "select surface, start_pos, end_pos from entity_mentions e join "
        "articles a using (article_id) where a.title = 'حدائق الرياض' "
        "and e.field = 'body'",
    )
    assert ("الرياض", PROSE.index("الرياض"), PROSE.index("الرياض") + 6) in found
    for surface, start, end in found:
        assert body[start:end] == surface
        assert end <= code_at or start >= code_at + len(STYLE)


def test_entities_refresh_keeps_code_out(code_landing: Path, tmp_path: Path) -> None:
    from flows.entities_refresh import plan_refresh, stage_refresh
    from flows.run import Hooks, execute
    from flows.settings import Settings

    data = tmp_path / "data"
    nightly(code_landing, data)
    before = query(data, "select entity_id, field, start_pos from entity_mentions order by all")
    s = Settings(data / "unused-landing", data, workers=1)
    execute(
        s,
        lambda lake: plan_refresh(lake, None, None),
        {},
        log=lambda _m: None,
        hooks=Hooks(stage=stage_refresh),
    )
    after = query(data, "select entity_id, field, start_pos from entity_mentions order by all")
    assert after == before
    _entities_outside_code(data, normalize(CODE_BODY))


def _downgrade(lake: Path, table: str, drop: list[str], meta: dict[str, str]) -> None:
    """Make `table` as an earlier version wrote it: files and Delta schema without `drop`."""
    uri = str(lake / table)
    acts = pa.table(DeltaTable(uri).get_add_actions(flatten=True))
    files = [Path(uri) / p for p in acts["path"].to_pylist()]
    shutil.rmtree(lake / table / "_delta_log")
    adds = []
    for f in files:
        t = pq.read_table(f)
        pq.write_table(t.drop_columns([c for c in drop if c in t.column_names]), f)
        rel = f.relative_to(uri).as_posix()
        day = rel.split("/", 1)[0].split("=", 1)[1]
        stats = json.dumps({"numRecords": t.num_rows})
        adds.append(AddAction(rel, f.stat().st_size, {"ingest_date": day}, 0, True, stats))
    old = pa.schema([f for f in schemas.TABLES[table] if f.name not in drop])
    create_table_with_add_actions(
        uri,
        Schema.from_arrow(old),
        adds,
        mode="append",
        partition_by=PART,
        commit_properties=CommitProperties(custom_metadata={RUN_KEY: "old", **meta}),
    )


def _old_lake(landing: Path, data: Path) -> None:
    """A run by an earlier version: articles and runs without the new columns, a warehouse
    of the previous schema; then a new day with code in its landing dir."""
    lake = data / "lake"
    nightly(landing, data)
    _downgrade(lake, "articles", ["code_chars", "arabic_ratio"], {})
    pins = {
        t: DeltaTable(str(lake / t)).version()
        for t in schemas.TABLES
        if t != LEDGER and (lake / t / "_delta_log").exists()
    }
    _downgrade(lake, LEDGER, ["code_articles", "non_arabic_articles"], {PINS_KEY: json.dumps(pins)})
    with duckdb.connect(str(data / "warehouse.duckdb")) as con:
        con.execute("update _akhbar_meta set value = '3' where key = 'schema_version'")
    new_day = landing / "2026-11-25"
    new_day.mkdir()
    (new_day / "004_dddddddddddddddd.txt").write_text(f"ستايل\n\n{PROSE} {STYLE}", "utf-8")


def test_a_lake_from_before_the_columns_is_upgraded(code_landing: Path, tmp_path: Path) -> None:
    data = tmp_path / "data"
    lake = data / "lake"
    _old_lake(code_landing, data)

    s = nightly(code_landing, data)
    assert (s["status"], s["articles_loaded"], s["code_articles"]) == ("completed", 1, 1)
    for table, cols in (
        ("articles", {"code_chars", "arabic_ratio"}),
        (LEDGER, {"code_articles", "non_arabic_articles"}),
    ):
        delta = DeltaTable(str(lake / table))
        assert cols <= {f.name for f in delta.schema().fields}, table
    runs = DeltaTable(str(lake / LEDGER)).to_pyarrow_table().sort_by("started_at")
    assert runs["code_articles"].to_pylist() == [None, 1]
    got = query(data, "select ingest_date::varchar, code_chars from articles order by all")
    assert got == [(DAY, None), (DAY, None), (DAY, None), ("2026-11-25", len(STYLE))]
    again = nightly(code_landing, data)  # the pins hold: nothing is restored or re-read
    assert (again["status"], again["articles_loaded"]) == ("completed", 0)
    assert query(data, "select count(*) from runs") == [(3,)]


@pytest.mark.integration
def test_a_run_killed_after_upgrading_the_ledger_leaves_the_lake_as_it_was(
    code_landing: Path, tmp_path: Path
) -> None:
    """Killed after the ledger's columns were added and the first table committed: the next
    run restores that table (the ledger's newest commit restates the old pins) and loads."""
    data = tmp_path / "data"
    _old_lake(code_landing, data)
    killed_nightly(code_landing, data, "table_commit")
    lake = Lake(data / "lake")
    assert {f.name for f in DeltaTable(str(data / "lake" / LEDGER)).schema().fields} >= {
        "code_articles"
    }
    assert lake.read("articles").num_rows == 3  # the killed run's articles are not in
    s = nightly(code_landing, data)
    assert (s["status"], s["articles_loaded"], s["code_articles"]) == ("completed", 1, 1)
    lake = Lake(data / "lake")
    assert lake.latest_versions() == {t: lake.pins[t] for t in lake.latest_versions()}
    assert query(data, "select count(*), sum(code_chars) from articles") == [(4, len(STYLE))]
