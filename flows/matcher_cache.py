"""The entity matcher's tables kept on disk between processes, so that the worker fork server
loads them instead of building them before a run's first batch (transforms.entity_cache).

One file per build input, ``matcher-<key>.pickle`` in the user's cache directory
(``$AKHBAR_CACHE_DIR``, else ``$XDG_CACHE_HOME/akhbar``, else ``~/.cache/akhbar``), not in a
data dir: the fork server outlives a run and starts before it knows one, and the key names
everything the tables are built from (the gazetteer's files, the analyst's file, the code),
so any process may share the file. ``AKHBAR_CACHE_DIR=off`` turns it off. Written to a
temporary name and renamed (a reader sees a whole file or none); of the other keys' files
the newest few are kept. A file that cannot be read is rebuilt over; a cache that cannot be
written is skipped: the cache is never needed for a run to succeed.
"""

from __future__ import annotations

import importlib.metadata
import os
import sys
import tempfile
from contextlib import suppress
from pathlib import Path

from transforms import entities, entity_cache, entity_fold, entity_tables
from transforms import gazetteer as gazetteer_files
from transforms.entities import EntityMatcher
from transforms.gazetteer import Gazetteer

PREFIX = "matcher-"
KEEP = 4  # files kept in the cache directory, the newest
# The modules whose code decides what the tables hold.
_CODE = (entity_cache, entity_fold, entity_tables, gazetteer_files)


def cache_dir() -> Path | None:
    explicit = os.environ.get("AKHBAR_CACHE_DIR")
    if explicit == "off":
        return None
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "akhbar"


def _code() -> list[bytes]:
    parts = [Path(m.__file__ or "").read_bytes() for m in _CODE]
    parts.append(importlib.metadata.version("ahocorasick-rs").encode())
    parts.append(sys.version.encode())
    return parts


def cache_path(entities_file: str | Path | None, directory: Path) -> Path:
    """The file of this build input (raises GazetteerError as loading the gazetteer does)."""
    user = gazetteer_files.read_user_file(entities_file) if entities_file else None
    key = entity_cache.cache_key(gazetteer_files.read_sources(), user, _code())
    return directory / f"{PREFIX}{key}.pickle"


def warm(entities_file: str | Path | None = None) -> EntityMatcher:
    """The process's matcher for ``entities_file``: the one it has, else from the cache when
    that holds this input, else built (and written there)."""
    directory = cache_dir()
    if directory is None or entities.installed(entities_file):
        return entities.warm(entities_file)
    path = cache_path(entities_file, directory)
    with suppress(OSError, ValueError), open(path, "rb") as f:
        gz, tables = entity_cache.load(f)
        m = EntityMatcher(gz, tables=tables)
        entities.install(m, entities_file)
        return m
    m = entities.warm(entities_file)
    with suppress(OSError):
        _write(path, entity_cache.dumps(m.gazetteer, m.tables))
    return m


def gazetteer(entities_file: str | Path | None = None) -> Gazetteer:
    """The gazetteer of ``entities_file`` (validated: GazetteerError names the file, line and
    problem), read from the cache when it holds this input (only a valid one is written)."""
    directory = cache_dir()
    if directory is not None:
        with suppress(OSError, ValueError), open(cache_path(entities_file, directory), "rb") as f:
            return entity_cache.load_gazetteer(f)
    return entities.load_gazetteer(entities_file)


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    finally:
        with suppress(FileNotFoundError):
            os.unlink(tmp)
    # Other keys' files: the newest few stay (worktrees or checkouts of different versions
    # that share the cache directory would otherwise remove each other's).
    files = sorted(path.parent.glob(f"{PREFIX}*.pickle"), key=_mtime, reverse=True)
    for old in files[KEEP:]:
        if old != path:
            with suppress(OSError):
                old.unlink()


def _mtime(p: Path) -> float:
    try:
        return p.stat().st_mtime
    except OSError:
        return 0.0
