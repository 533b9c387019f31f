"""A built matcher as bytes, so that a process can load it instead of building it.

Building the matcher's tables (every alias with its proclitics, ranked) takes most of a second
of CPU, and the worker fork server does it before the first batch of a run can start. What a
build takes in is known before building: the gazetteer's files, the analyst's file and the code
that turns them into tables. ``cache_key`` names that input, ``dumps`` writes the gazetteer and
the tables but the automaton (it cannot be pickled: ``load`` rebuilds it from the patterns, in
the same order, so pattern indexes are the same). Pure: the files are read and written by
``flows.matcher_cache``.
"""

from __future__ import annotations

import hashlib
import pickle
from collections.abc import Iterable
from dataclasses import fields
from typing import Any, BinaryIO

from transforms.entity_tables import Tables, make_automaton
from transforms.gazetteer import Gazetteer, SourceFile, sources_version

#: Bump when what ``dumps`` writes changes shape (the code's bytes are in the key as well).
FORMAT = 1


def cache_key(sources: list[SourceFile], user: SourceFile | None, code: Iterable[bytes]) -> str:
    """The gazetteer version of these files plus a hash of ``code`` (the sources of the modules
    that build the tables, the automaton package's version): a new key for any change."""
    h = hashlib.sha256(f"matcher cache {FORMAT}\n{sources_version(sources, user)}\n".encode())
    for part in code:
        h.update(f"{len(part)}\n".encode())
        h.update(part)
    return h.hexdigest()[:24]


def dumps(gz: Gazetteer, tables: Tables) -> bytes:
    """Two pickles, one after the other: the gazetteer first, so that a process that needs
    only the gazetteer (the run's own) reads only it."""
    state = {f.name: getattr(tables, f.name) for f in fields(Tables) if f.name != "automaton"}
    head = pickle.dumps((FORMAT, gz), protocol=pickle.HIGHEST_PROTOCOL)
    return head + pickle.dumps(state, protocol=pickle.HIGHEST_PROTOCOL)


def _unpickle(f: BinaryIO) -> Any:
    try:
        return pickle.load(f)
    except Exception as e:  # a truncated or foreign file: the caller builds instead
        raise ValueError(f"not a matcher cache ({e.__class__.__name__})") from e


def load_gazetteer(f: BinaryIO) -> Gazetteer:
    """The gazetteer ``dumps`` wrote (``f`` is left at the tables); ValueError when ``f`` does
    not hold one."""
    head = _unpickle(f)
    if not (isinstance(head, tuple) and head[0] == FORMAT and isinstance(head[1], Gazetteer)):
        raise ValueError("not a matcher cache of this format")
    return head[1]


def load(f: BinaryIO) -> tuple[Gazetteer, Tables]:
    """The gazetteer and tables ``dumps`` wrote; ValueError when ``f`` does not hold them."""
    gz = load_gazetteer(f)
    state = _unpickle(f)
    if not isinstance(state, dict):
        raise ValueError("not a matcher cache of this format")
    return gz, Tables(automaton=make_automaton(list(state["index"])), **state)
