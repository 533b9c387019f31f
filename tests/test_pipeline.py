"""The run end to end without Prefect (execute() is what the flows call): counts add up,
runs are incremental and idempotent, backfills replace exactly their dates."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from pathlib import Path

import pytest

from tests.util import backfill, checksums, nightly, query

D24, D25, D26 = dt.date(2026, 11, 24), dt.date(2026, 11, 25), dt.date(2026, 11, 26)


def _funnel_adds_up(s: dict) -> None:
    assert s["files_seen"] == (
        s["files_loaded"] + s["files_rejected"] + s["files_unchanged"] + s["files_skipped"]
    ), s
    assert s["records_read"] == s["articles_loaded"] + s["records_rejected"] + s["duplicates"], s


def test_first_run_loads_every_seed_article(landing: Path, data_dir: Path) -> None:
    s = nightly(landing, data_dir)
    _funnel_adds_up(s)
    n_txt = len(list(landing.rglob("*.txt")))
    assert s["articles_loaded"] >= n_txt
    assert s["status"] == "completed" and s["files_new"] == s["files_loaded"]
    (n,) = query(data_dir, "select count(*) from articles")[0]
    assert n == s["articles_loaded"]
    # Every row carries the run that loaded it and the normalizer that shaped it.
    (bad,) = query(
        data_dir,
        "select count(*) from articles where run_id <> ? or normalizer_version is null",
        [s["run_id"]],
    )[0]
    assert bad == 0
    # The lake holds the same rows as the warehouse (the lake is the record).
    lake_rows = query(
        data_dir,
        "select count(*) from read_parquet(?)",
        [str(data_dir / "lake/articles/ingest_date=*/*.parquet")],
    )[0][0]
    assert lake_rows == n


def test_second_run_with_nothing_new_changes_no_data(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    before = checksums(data_dir)
    lake_files = sorted(p.name for p in (data_dir / "lake/articles").rglob("*.parquet"))
    s = nightly(landing, data_dir)
    _funnel_adds_up(s)
    assert (s["files_new"], s["files_changed"], s["articles_loaded"]) == (0, 0, 0)
    assert s["files_unchanged"] > 0
    assert checksums(data_dir) == before
    assert sorted(p.name for p in (data_dir / "lake/articles").rglob("*.parquet")) == lake_files
    runs = query(data_dir, "select status, articles_loaded from runs order by started_at")
    assert runs[-1] == ("completed", 0) and len(runs) == 2


def test_changed_file_replaces_its_own_rows(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    f = next((landing / "2026-11-25").glob("*.txt"))
    f.write_text("عنوان جديد\n\nنص جديد تماما مع #وسم_جديد", encoding="utf-8")
    s = nightly(landing, data_dir)
    assert (s["files_changed"], s["files_new"], s["articles_loaded"]) == (1, 0, 1)
    rel = f.relative_to(landing).as_posix()
    assert query(data_dir, "select title from articles where source_file = ?", [rel]) == [
        ("عنوان جديد",)
    ]
    assert query(data_dir, "select tag from hashtags where source_file = ?", [rel]) == [
        ("وسم_جديد",)
    ]


def test_new_day_and_catch_up_oldest_first(landing: Path, data_dir: Path, tmp_path: Path) -> None:
    later = tmp_path / "later"
    later.mkdir()
    shutil.move(landing / "2026-11-25", later / "2026-11-25")
    shutil.move(landing / "2026-11-26", later / "2026-11-26")
    first = nightly(landing, data_dir)
    # Two nights were missed; both folders arrive; the next run takes both, oldest first.
    shutil.move(later / "2026-11-25", landing / "2026-11-25")
    shutil.move(later / "2026-11-26", landing / "2026-11-26")
    s = nightly(landing, data_dir)
    _funnel_adds_up(s)
    assert s["dates"] == ["2026-11-25", "2026-11-26"]
    assert s["files_unchanged"] == first["files_loaded"] + first["files_rejected"]
    days = query(data_dir, "select distinct ingest_date from articles order by 1")
    assert {D24, D25, D26} <= {d for (d,) in days}


def test_backfill_replaces_exactly_its_dates(landing: Path, data_dir: Path) -> None:
    nightly(landing, data_dir)
    lake = data_dir / "lake"

    def snapshot(day: dt.date) -> dict[str, bytes]:
        return {
            str(p.relative_to(lake)): p.read_bytes()
            for p in lake.rglob(f"ingest_date={day.isoformat()}/*.parquet")
        }

    neighbours = {d: snapshot(d) for d in (D24, D26)}
    before = checksums(data_dir)
    s = backfill(landing, data_dir, D25, D25)
    _funnel_adds_up(s)
    assert s["dates"] == ["2026-11-25"] and s["articles_loaded"] > 0
    assert {d: snapshot(d) for d in (D24, D26)} == neighbours  # byte for byte
    assert checksums(data_dir) == before  # same content, new run ids on 2026-11-25 only
    run_ids = query(data_dir, "select distinct run_id from articles where ingest_date = ?", [D25])
    assert run_ids == [(s["run_id"],)]
    again = backfill(landing, data_dir, D25, D25)
    assert again["articles_loaded"] == s["articles_loaded"]
    assert checksums(data_dir) == before


def test_backfill_of_a_day_without_landing_folder_changes_nothing(
    landing: Path, data_dir: Path
) -> None:
    nightly(landing, data_dir)
    before = checksums(data_dir)
    s = backfill(landing, data_dir, dt.date(2026, 1, 1), dt.date(2026, 1, 2))
    assert s["status"] == "nothing_to_do"
    assert s["missing_dates"] == ["2026-01-01", "2026-01-02"]
    assert checksums(data_dir) == before


def test_duplicates_are_counted_not_loaded(landing: Path, data_dir: Path) -> None:
    src = landing / "2026-11-24" / "000_d0de07fd3e4728fb.txt"
    (landing / "2026-11-26" / "copy_of_seed.txt").write_bytes(src.read_bytes())
    s = nightly(landing, data_dir)
    _funnel_adds_up(s)
    assert s["duplicates"] >= 1
    rows = query(
        data_dir,
        "select source_file from articles where content_hash = "
        "(select content_hash from articles where article_id = 'd0de07fd3e4728fb')",
    )
    assert rows == [("2026-11-24/000_d0de07fd3e4728fb.txt",)]  # the earliest copy is canonical


def test_bad_files_are_rejected_with_reasons_and_quarantined(landing: Path, data_dir: Path) -> None:
    day = landing / "2026-11-26"
    (day / "empty.txt").write_bytes(b"")
    (day / "headline_only.txt").write_text("عنوان بلا نص\n", encoding="utf-8")
    (day / "broken.json").write_text('[{"title": ', encoding="utf-8")
    (day / "notes.docx").write_bytes(b"PK")
    s = nightly(landing, data_dir)
    _funnel_adds_up(s)
    reasons = dict(query(data_dir, "select source_file, reason from rejects"))
    assert reasons["2026-11-26/empty.txt"] == "empty"
    assert reasons["2026-11-26/headline_only.txt"] == "no_body"
    assert reasons["2026-11-26/broken.json"] == "malformed_json"
    # No reader for .docx: rejected unread, with the fix, in `rejects` (not skipped).
    assert reasons["2026-11-26/notes.docx"] == "unsupported_extension"
    assert s["skipped_files"] == []
    ((detail,),) = query(
        data_dir, "select detail from rejects where source_file = '2026-11-26/notes.docx'"
    )
    assert detail.startswith(".docx is not supported: save the article as .txt")
    qdir = data_dir / "quarantine" / "2026-11-26" / s["run_id"]
    assert any(p.name.endswith("broken.json") for p in qdir.iterdir())
    assert len(list(qdir.glob("*.reason.json"))) == 4
    assert not any(p.name.endswith("notes.docx") for p in qdir.iterdir())  # never read
    # Once: the next night it is an unchanged file, not a new reject.
    again = nightly(landing, data_dir)
    assert again["files_new"] == again["files_rejected"] == 0
    assert query(
        data_dir, "select count(*) from rejects where reason = 'unsupported_extension'"
    ) == [(1,)]


def test_failed_run_is_recorded_and_leaves_previous_state(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nightly(landing, data_dir)
    before = checksums(data_dir)
    (landing / "2026-11-26" / "999_00000000000000ff.txt").write_text(
        "عنوان\n\nنص", encoding="utf-8"
    )
    import flows.stage

    def boom(*_a, **_k):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(flows.stage, "_manifest_rows", boom)
    with pytest.raises(RuntimeError, match="disk on fire"):
        nightly(landing, data_dir)
    assert checksums(data_dir) == before
    status, error = query(data_dir, "select status, error from runs order by started_at")[-1]
    assert status == "failed" and "disk on fire" in error
    monkeypatch.undo()
    s = nightly(landing, data_dir)  # the file is still new: nothing was lost
    assert s["files_new"] == 1 and s["articles_loaded"] == 1


def test_second_writer_fails_fast_with_holder(landing: Path, data_dir: Path) -> None:
    from flows.lock import RunLocked, data_lock

    with data_lock(data_dir), pytest.raises(RunLocked, match=rf"pid {os.getpid()}"):
        nightly(landing, data_dir)


def test_publish_failure_after_commit_is_said_and_repaired_by_next_run(
    landing: Path, data_dir: Path
) -> None:
    from flows.plan import plan_nightly
    from flows.run import Hooks, PublishFailed, execute
    from flows.settings import Settings

    s = Settings(landing, data_dir)

    def broken_publish(*_a, **_k) -> str:
        raise OSError("disk full")

    with pytest.raises(PublishFailed, match=r"the data is in the lake.*OSError: disk full"):
        execute(
            s,
            lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)),
            {},
            hooks=Hooks(publish_fn=broken_publish),
            log=lambda _m: None,
        )
    assert not (data_dir / "warehouse.duckdb").exists()
    nxt = nightly(landing, data_dir)
    assert nxt["files_new"] == 0 and nxt["publish"] == "full"  # loaded by the failed run
    runs = query(data_dir, "select status, error from runs order by started_at")
    assert runs[0][0] == "failed" and "the data is in the lake" in runs[0][1]
    assert runs[1] == ("completed", None)
    (n,) = query(data_dir, "select count(*) from articles")[0]
    assert n > 20


def test_file_name_with_undecodable_bytes_is_skipped_not_fatal(
    landing: Path, data_dir: Path
) -> None:
    day = os.fsencode(landing / "2026-11-26")
    with open(day + b"/bad\xffname.txt", "wb") as f:
        f.write("عنوان\n\nنص".encode())
    s = nightly(landing, data_dir)
    _funnel_adds_up(s)
    assert "2026-11-26/bad\\udcffname.txt (name_not_utf8: rename the file)" in s["skipped_files"]
    assert s["articles_loaded"] > 20


def test_failed_background_lake_write_fails_the_run_and_commits_nothing(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Staged files are written by the transaction's writer thread: an error there must still
    fail the run before its commit point, and leave neither staged files nor a new version."""
    import flows.lake_tx as lake_mod

    real = lake_mod.write_parquet
    calls = []

    def failing(data, path, fs):
        calls.append(path)
        if len(calls) == 2:
            raise OSError(28, "No space left on device (simulated)")
        return real(data, path, fs)

    monkeypatch.setattr(lake_mod, "write_parquet", failing)
    with pytest.raises(OSError, match="No space left"):
        nightly(landing, data_dir)
    assert len(calls) >= 2
    lake = data_dir / "lake"
    left = [p for p in lake.rglob("*.parquet") if p.relative_to(lake).parts[0] != "runs"]
    assert not left, "a failed run left partition files (only its `runs` row belongs there)"
    from flows.lake import Lake

    assert Lake(lake).dates("articles") == [], "a failed run's articles are visible"
    monkeypatch.setattr(lake_mod, "write_parquet", real)
    again = nightly(landing, data_dir)
    assert again["articles_loaded"] > 0
    runs = query(data_dir, "select status from runs order by started_at")
    assert [r[0] for r in runs] == ["failed", "completed"]


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
