"""Regression tests for bugs found in review: each one lost data or counted wrong on input a
real landing zone can hold."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest

import flows.batches
import flows.lake
from tests.util import checksums, nightly, query
from transforms.readers import parse_file


def test_jsonl_line_with_raw_line_separator_loads() -> None:
    rec = {"title": "عنوان\u2028ثان", "content": "نص\u2029فقرة\x85"}
    data = (json.dumps(rec, ensure_ascii=False) + "\r\n" + json.dumps(rec) + "\n").encode()
    p = parse_file("a.jsonl", data)
    assert p.rejects == [] and p.records_read == 2
    assert [a.title for a in p.articles] == ["عنوان\u2028ثان"] * 2


def test_records_sharing_a_json_id_keep_their_own_entities(landing: Path, data_dir: Path) -> None:
    """Feeds reuse ids (per file, per split): ids from records are not article ids."""
    day = landing / "2026-11-26"
    (day / "train.jsonl").write_text(
        json.dumps({"id": 1, "title": "خبر أ", "content": "نص #الرياض"}, ensure_ascii=False),
        encoding="utf-8",
    )
    (day / "test.jsonl").write_text(
        json.dumps({"id": 1, "title": "خبر ب", "content": "نص بلا وسوم"}, ensure_ascii=False),
        encoding="utf-8",
    )
    nightly(landing, data_dir)
    rows = query(
        data_dir,
        "select title from articles_with_hashtag('الرياض') where title like 'خبر _'",
    )
    assert rows == [("خبر أ",)]
    ids = query(data_dir, "select count(distinct article_id), count(*) from articles")[0]
    assert ids[0] == ids[1]


def test_kept_article_keeps_entities_when_a_duplicate_of_it_is_dropped(
    landing: Path, data_dir: Path
) -> None:
    day = landing / "2026-11-26"
    old = {"title": "قديم", "content": "نص قديم #قديم"}
    (day / "a.json").write_text(json.dumps([old], ensure_ascii=False), encoding="utf-8")
    nightly(landing, data_dir)
    new = {"title": "تصحيح", "content": "نص جديد #جديد #تصحيح"}
    (landing / "2026-11-27").mkdir()
    (landing / "2026-11-27" / "b.json").write_text(
        json.dumps([old, new], ensure_ascii=False), encoding="utf-8"
    )
    s = nightly(landing, data_dir)
    assert (s["duplicates"], s["articles_loaded"], s["hashtags"]) == (1, 1, 2)
    tags = query(data_dir, "select tag from hashtags where source_file = '2026-11-27/b.json'")
    assert sorted(tags) == [("تصحيح",), ("جديد",)]


def test_unreadable_file_is_retried_on_the_next_night(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = landing / "2026-11-26" / "900_00000000000000e1.txt"
    target.write_text("عنوان\n\nنص يقرأ في المرة الثانية", encoding="utf-8")
    real = flows.batches.read_bytes

    def flaky(f, max_bytes):
        if f.path.endswith("900_00000000000000e1.txt"):
            raise PermissionError(13, "Permission denied")
        return real(f, max_bytes)

    monkeypatch.setattr(flows.batches, "read_bytes", flaky)
    first = nightly(landing, data_dir)
    assert first["files_rejected"] == 1
    monkeypatch.undo()  # permissions fixed: same size, same mtime
    s = nightly(landing, data_dir)
    assert (s["files_changed"], s["articles_loaded"]) == (1, 1)
    assert query(data_dir, "select count(*) from rejects where reason = 'unreadable'") == [(0,)]


def test_io_error_while_applying_the_lake_commit_rolls_forward(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    nightly(landing, data_dir)
    (landing / "2026-11-26" / "901_00000000000000e2.txt").write_text(
        "عنوان جديد\n\nنص جديد", encoding="utf-8"
    )
    real = flows.lake.write_json_atomic
    calls = {"n": 0}

    def full_disk_once(path: Path, obj: object) -> None:
        if path.name == "_state.json" and calls["n"] == 0:
            calls["n"] += 1
            raise OSError(28, "No space left on device")
        real(path, obj)

    monkeypatch.setattr(flows.lake, "write_json_atomic", full_disk_once)
    with pytest.raises(OSError, match="No space"):
        nightly(landing, data_dir)
    monkeypatch.undo()
    status, error = query(data_dir, "select status, error from runs order by started_at")[-1]
    assert status == "failed" and "the data is in the lake" in error
    # The warehouse matches the lake: the committed run was rolled forward and published.
    n_wh = query(data_dir, "select count(*) from articles")[0][0]
    n_lake = query(
        data_dir,
        "select count(*) from read_parquet(?)",
        [str(data_dir / "lake/articles/ingest_date=*/*.parquet")],
    )[0][0]
    assert n_wh == n_lake
    assert not list((data_dir / "lake" / "_journal").glob("*.json"))
    s = nightly(landing, data_dir)
    assert s["files_new"] == 0
    fresh = tmp_path / "fresh"
    nightly(landing, fresh)
    assert checksums(fresh) == checksums(data_dir)


def test_journal_naming_a_missing_staged_file_stops_before_deleting(tmp_path: Path) -> None:
    lake = tmp_path / "lake"
    part = lake / "articles" / "ingest_date=2026-11-24"
    part.mkdir(parents=True)
    (part / "part-old.parquet").write_bytes(b"old")
    journal = {
        "run_id": "r",
        "version": 1,
        "ops": [
            {
                "dir": str(part.relative_to(lake)),
                "tmp": ".part-r.parquet.tmp",
                "final": "part-r.parquet",
                "delete": ["part-old.parquet"],
            }
        ],
    }
    with pytest.raises(RuntimeError, match="is missing"):
        flows.lake._apply(lake, journal)
    assert (part / "part-old.parquet").exists()


def test_symlink_to_an_ancestor_is_walked_once(landing: Path, data_dir: Path) -> None:
    os.symlink(".", landing / "2026-11-24" / "latest")
    s = nightly(landing, data_dir)
    assert "2026-11-24/latest (unreadable: symlink loop)" in s["skipped_files"]
    n_txt = sum(1 for _ in landing.glob("*/*.txt")) + sum(1 for _ in landing.glob("*.txt"))
    assert s["duplicates"] == 0 and s["articles_loaded"] >= n_txt


def test_too_large_file_is_retried_only_once_the_limit_allows_it(
    landing: Path, data_dir: Path
) -> None:
    from flows.plan import plan_nightly
    from flows.run import execute
    from flows.settings import Settings

    big = landing / "2026-11-26" / "902_00000000000000e3.txt"
    big.write_text("عنوان\n\n" + "نص " * 400_000, encoding="utf-8")  # ~2.4 MB

    def run(max_mb: int) -> dict:
        s = Settings(landing, data_dir, max_file_bytes=max_mb * 1024 * 1024)
        return execute(
            s,
            lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)),
            {},
            log=lambda _m: None,
        ).summary()

    assert run(1)["files_rejected"] == 1
    assert run(1)["files_changed"] == 0  # still too large: not retried
    s = run(5)  # the limit was raised: the same file loads
    assert (s["files_changed"], s["articles_loaded"]) == (1, 1)


def test_same_file_name_id_on_two_days_keeps_article_ids_unique(
    landing: Path, data_dir: Path
) -> None:
    """The id comes from the NNN_<hex> name; a second file of that name with other content
    gets its content hash, so every view counting distinct articles counts both."""
    name = "950_00000000000000f1.txt"
    (landing / "2026-11-24" / name).write_text("عنوان أ\n\nنص أ #وسم #آخر", encoding="utf-8")
    (landing / "2026-11-25" / name).write_text("عنوان ب\n\nنص ب #وسم #آخر", encoding="utf-8")
    nightly(landing, data_dir)
    ids = query(data_dir, "select article_id from articles where source_file like '%950_%'")
    assert len(ids) == 2 and len(set(ids)) == 2
    assert ("00000000000000f1",) in ids  # the first in (date, path) order keeps the name id
    assert query(data_dir, "select articles from v_top_hashtags where key = 'وسم'") == [(2,)]
    # Re-running changes nothing, and the ids are stable.
    again = nightly(landing, data_dir)
    assert again["articles_loaded"] == 0
    assert sorted(
        query(data_dir, "select article_id from articles where source_file like '%950_%'")
    ) == sorted(ids)


def _load_one_body(tmp_path: Path, body: str) -> Path:
    """A data dir holding one article with `body`, loaded by a nightly run."""
    landing, data = tmp_path / "landing", tmp_path / "data"
    (landing / "2026-11-01").mkdir(parents=True)
    (landing / "2026-11-01" / "a.txt").write_text(f"عنوان\n\n{body}", encoding="utf-8")
    nightly(landing, data)
    return data


def test_search_snippet_starts_at_the_word_despite_harakat(tmp_path: Path) -> None:
    body = "كَتَبَ المُعَلِّمُ في المَدْرَسَةِ اليوم درسا"
    data = _load_one_body(tmp_path, body)
    for term, word in (("المدرسه", "المَدْرَسَةِ"), ("المعلم", "المُعَلِّمُ"), ("اليوم", "اليوم")):
        (pos,) = query(data, "select match_pos from search_articles(?)", [term])[0]
        assert body[pos - 1 :].startswith(word), (term, pos)  # match_pos is 1-based


def test_report_on_a_warehouse_with_only_rejects_lists_them(tmp_path: Path) -> None:
    from flows.report import write_report

    landing, data = tmp_path / "landing", tmp_path / "data"
    (landing / "2026-11-05").mkdir(parents=True)
    (landing / "2026-11-05" / "bad.json").write_text("{not json", encoding="utf-8")
    nightly(landing, data)
    html = write_report(data).read_text(encoding="utf-8")
    assert "malformed_json" in html and "nothing rejected" not in html


def test_query_json_csv_and_output_count(landing: Path, data_dir: Path, tmp_path: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    nightly(landing, data_dir)
    run = CliRunner().invoke
    res = run(
        main, ["query", "select 'nan'::double x, 1 y", "--data", str(data_dir), "--format", "json"]
    )
    assert res.exit_code == 0 and json.loads(res.output) == [{"x": None, "y": 1}]
    res = run(main, ["query", "select ['أ', 'ب'] l", "--data", str(data_dir), "--format", "csv"])
    assert res.output.splitlines()[1] == '"[""أ"", ""ب""]"'
    out = tmp_path / "t.txt"
    res = run(
        main,
        [
            "query",
            "select * from range(5)",
            "--data",
            str(data_dir),
            "--limit",
            "2",
            "-o",
            str(out),
        ],
    )
    assert res.exit_code == 0 and "wrote 2 rows" in res.output


def test_search_snippet_position_after_dotted_capital_i(tmp_path: Path) -> None:
    body = "زار İstanbul وفد ثم ذهب إلى المدرسة صباحا"
    data = _load_one_body(tmp_path, body)
    (pos,) = query(data, "select match_pos from search_articles('المدرسه')")[0]
    assert body[pos - 1 :].startswith("المدرسة")


def test_query_statement_without_result_prints_nothing(landing: Path, data_dir: Path) -> None:
    from click.testing import CliRunner

    from flows.cli import main

    nightly(landing, data_dir)
    res = CliRunner().invoke(main, ["query", "SET threads = 1", "--data", str(data_dir)])
    assert res.exit_code == 0 and res.output == ""
