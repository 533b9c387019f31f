"""The entity matcher's tables kept on disk (flows.matcher_cache, transforms.entity_cache): a
matcher loaded from the cache is the matcher a build makes, and the cache follows its input."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path

import pytest

from flows import matcher_cache
from tests.conftest import SEED_ARTICLE, SEEDS
from transforms import entities
from transforms.entities import EntityMatcher
from transforms.entity_tables import Tables
from transforms.normalize import normalize

USER_CSV = "entity_id,type,subtype,name_ar,name_en,aliases\nq:test,PER,,زيد المختبري,,\n"


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A fresh cache directory, and the process's matchers put back afterwards."""
    monkeypatch.setenv("AKHBAR_CACHE_DIR", str(tmp_path / "cache"))
    kept = dict(entities._matchers)
    entities._matchers.clear()
    yield tmp_path / "cache"
    entities._matchers.clear()
    entities._matchers.update(kept)


def texts() -> list[str]:
    raw = next(SEEDS.rglob(SEED_ARTICLE)).read_text(encoding="utf-8")
    return [normalize(raw, "clean"), "قال الرئيس زيد المختبري في الرياض"]


def same_tables(a: Tables, b: Tables) -> None:
    for f in fields(Tables):
        if f.name not in ("automaton", "build_seconds"):
            assert getattr(a, f.name) == getattr(b, f.name), f.name


def fresh(entities_file: Path | None = None) -> EntityMatcher:
    entities._matchers.clear()
    return matcher_cache.warm(entities_file)


def test_loaded_equals_built(cache: Path) -> None:
    built = fresh()
    files = list(cache.glob("matcher-*.pickle"))
    assert len(files) == 1
    loaded = fresh()
    assert entities.matcher() is loaded and loaded is not built
    same_tables(built.tables, loaded.tables)
    assert loaded.gazetteer == built.gazetteer
    assert loaded.extract_batch(texts()) == built.extract_batch(texts())
    assert any(m.entity_id == "LY" for m in loaded.extract(texts()[0]))


def test_user_file_is_its_own_key(cache: Path, tmp_path: Path) -> None:
    user = tmp_path / "entities.csv"
    user.write_text(USER_CSV, encoding="utf-8")
    shipped = matcher_cache.cache_path(None, cache)
    with_user = matcher_cache.cache_path(user, cache)
    assert shipped != with_user
    m = fresh(user)
    assert [x.surface for x in m.extract(texts()[1]) if x.entity_id == "q:test"] == ["زيد المختبري"]
    assert with_user.exists()
    user.write_text(USER_CSV.replace("زيد", "عمرو"), encoding="utf-8")
    assert matcher_cache.cache_path(user, cache) != with_user
    m2 = fresh(user)
    assert not any(x.entity_id == "q:test" for x in m2.extract(texts()[1]))


def test_unreadable_cache_is_rebuilt(cache: Path) -> None:
    path = matcher_cache.cache_path(None, cache)
    cache.mkdir(parents=True)
    path.write_bytes(b"not a pickle")
    m = fresh()
    assert path.read_bytes() != b"not a pickle"
    same_tables(m.tables, fresh().tables)


def test_cache_off(monkeypatch: pytest.MonkeyPatch, cache: Path) -> None:
    monkeypatch.setenv("AKHBAR_CACHE_DIR", "off")
    assert matcher_cache.cache_dir() is None
    assert fresh().tables.patterns > 0
    assert not cache.exists()


def test_gazetteer_from_cache(cache: Path, tmp_path: Path) -> None:
    """The run's own process reads the gazetteer from the cache; a bad file is never cached,
    so it still fails with its line."""
    built = entities.load_gazetteer()
    assert matcher_cache.gazetteer() == built  # no cache yet: loaded
    fresh()
    assert matcher_cache.cache_path(None, cache).exists()
    assert matcher_cache.gazetteer() == built  # from the cache
    bad = tmp_path / "bad.csv"
    bad.write_text(USER_CSV + "q:test,PER,,زيد,,\n", encoding="utf-8")
    with pytest.raises(entities.GazetteerError, match=r"bad\.csv:3"):
        matcher_cache.gazetteer(bad)


def test_newest_files_kept(cache: Path) -> None:
    cache.mkdir(parents=True)
    for i in range(matcher_cache.KEEP + 2):
        old = cache / f"matcher-old{i}.pickle"
        old.write_bytes(b"x")
        os.utime(old, (1000 + i, 1000 + i))
    fresh()
    left = sorted(p.name for p in cache.glob("matcher-*.pickle"))
    assert len(left) == matcher_cache.KEEP
    assert matcher_cache.cache_path(None, cache).name in left
    assert "matcher-old0.pickle" not in left and "matcher-old5.pickle" in left
