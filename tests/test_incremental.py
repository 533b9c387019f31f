"""Incremental runs and backfills on day folders: the normalizer-version rule, and the whole
sequence on three real SaudiNewsNet days when ../shared is present."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest

import transforms.batch
from tests.conftest import shared_path
from tests.util import backfill, checksums, nightly, query

D24, D25, D26 = dt.date(2026, 11, 24), dt.date(2026, 11, 25), dt.date(2026, 11, 26)


def test_backfill_after_normalizer_change_rederives_only_its_dates(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    nightly(landing, data_dir)
    (old,) = query(data_dir, "select distinct normalizer_version from articles")[0]
    monkeypatch.setattr(transforms.batch, "NORMALIZER_VERSION", old + "+next")
    backfill(landing, data_dir, D25, D25)
    versions = dict(
        query(
            data_dir, "select ingest_date, any_value(normalizer_version) from articles group by 1"
        )
    )
    assert versions[D25] == old + "+next"
    assert versions[D24] == versions[D26] == old


def _day_folder(src: Path, landing: Path) -> None:
    day = landing / src.stem
    day.mkdir(parents=True)
    shutil.copy2(src, day / src.name)


def test_saudinewsnet_three_days_sequence(tmp_path: Path) -> None:
    corpus = shared_path("corpora", "saudinewsnet")
    zips = sorted(corpus.glob("*.zip"))[:3]
    d1, d2, d3 = (dt.date.fromisoformat(z.stem) for z in zips)
    landing, data = tmp_path / "landing", tmp_path / "data"
    for z in zips[:2]:
        _day_folder(z, landing)

    first = nightly(landing, data, d2)
    assert first["dates"] == [d1.isoformat(), d2.isoformat()]
    assert first["articles_loaded"] > 1000
    assert first["records_read"] == (
        first["articles_loaded"] + first["records_rejected"] + first["duplicates"]
    )

    noop = nightly(landing, data, d2)
    assert (noop["files_unchanged"], noop["articles_loaded"], noop["records_read"]) == (2, 0, 0)

    _day_folder(zips[2], landing)  # a new day arrives
    third = nightly(landing, data, d3)
    assert third["dates"] == [d3.isoformat()] and third["files_new"] == 1
    full = checksums(data)

    # A backfill of the middle day: same content, neighbours untouched.
    lake = data / "lake" / "articles"
    neighbours = {p: p.read_bytes() for d in (d1, d3) for p in lake.glob(f"ingest_date={d}/*")}
    again = backfill(landing, data, d2, d2)
    assert again["dates"] == [d2.isoformat()]
    assert {p: p.read_bytes() for p in neighbours} == neighbours
    assert checksums(data) == full

    # The same three days loaded in one go from scratch give the same warehouse.
    fresh = tmp_path / "fresh"
    nightly(landing, fresh, d3)
    assert checksums(fresh) == full


def test_changed_file_that_drops_loaded_content_brings_its_duplicate_back(
    landing: Path, data_dir: Path
) -> None:
    """B holds a duplicate of an article loaded from A. When A changes and drops it, the
    nightly run re-reads B too (unchanged on disk), so the content is not lost."""
    a = landing / "2026-11-24" / "100_00000000000000a1.txt"
    b = landing / "2026-11-25" / "copy_of_a.txt"
    text = "خبر مكرر\n\nنص الخبر نفسه في ملفين مع #وسم_مكرر"
    a.write_text(text, encoding="utf-8")
    b.write_text(text, encoding="utf-8")
    first = nightly(landing, data_dir)
    assert first["duplicates"] == 1
    (held,) = query(data_dir, "select source_file from duplicates")
    assert held == ("2026-11-25/copy_of_a.txt",)

    a.write_text("خبر آخر\n\nنص مختلف تماما", encoding="utf-8")
    s = nightly(landing, data_dir)
    assert (s["files_changed"], s["files_reread"], s["duplicates"]) == (1, 1, 0)
    assert s["files_seen"] == (
        s["files_loaded"] + s["files_rejected"] + s["files_unchanged"] + s["files_skipped"]
    )
    rows = query(data_dir, "select source_file from articles where title = 'خبر مكرر'")
    assert rows == [("2026-11-25/copy_of_a.txt",)]
    assert query(data_dir, "select count(*) from duplicates") == [(0,)]
    assert query(data_dir, "select count(*) from hashtags where tag = 'وسم_مكرر'") == [(1,)]

    again = nightly(landing, data_dir)  # and nothing is re-read when nothing changed
    assert (again["files_reread"], again["files_unchanged"]) == (0, s["files_seen"])
