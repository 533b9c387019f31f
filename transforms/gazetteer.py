"""The gazetteer: entities, their Arabic aliases, and the rule lexicons, from CSV text.

Pure: ``build_gazetteer`` turns ``SourceFile`` objects (a file's name, kind and text) into a
validated ``Gazetteer``; every problem is a ``GazetteerError`` naming the file, the line and
the problem. The one exception to "no I/O in transforms/" is ``read_sources``, which reads the
shipped static data (``seeds/gazetteer/``) and an analyst's optional CSV once per process, the
way a program reads its own package data. File formats: docs/entities.md and
seeds/gazetteer's README (generated ``entities.csv`` + ``aliases.csv``, curated
``entity_id,type,subtype,name_ar,name_en,aliases,nisba,note`` rows, ``titles.csv``,
``given_names.csv``) plus the matcher's own lists (``ambiguous.csv`` and the names mined from
ANERcorp).

``Gazetteer.version`` is the first 12 hex digits of a SHA-256 over the matcher's rule version
and every file used (name and bytes): a changed alias, rule or user file gives a new version.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

#: Bump when a matching rule changes what is found: it is part of the version.
MATCHER_VERSION = "2"

TYPES = ("PER", "LOC", "ORG")
CURATED_COLUMNS = ("entity_id", "type", "subtype", "name_ar", "name_en", "aliases", "nisba", "note")
CURATED_REQUIRED = ("entity_id", "type", "name_ar")
ENTITY_COLUMNS = ("entity_id", "type", "subtype", "name_ar", "name_en", "source")
ALIAS_COLUMNS = ("entity_id", "alias", "kind")
ALIAS_KINDS = ("name", "alias", "nisba", "nisba_plural")
MINED_COLUMNS = ("entity_id", "type", "name_ar", "gold", "other", "source")
AMBIGUOUS_COLUMNS = ("alias", "applies", "reason")
AMBIGUOUS_APPLIES = ("alias", "given", "title", "honorific")

SEEDS_DIR = Path(__file__).resolve().parents[1] / "seeds" / "gazetteer"

_AMBIGUOUS_NOTE = re.compile(r"ambiguous: (\S+) ")
_ARABIC_LETTER = re.compile(r"[\u0620-\u064a\u066e-\u06d3\u06d5\u06fa-\u06ff]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")


class GazetteerError(ValueError):
    """A bad gazetteer file; the message says ``file:line: problem``."""


@dataclass(frozen=True)
class SourceFile:
    """One CSV: ``kind`` is ``entities``, ``aliases``, ``curated``, ``titles``,
    ``given_names``, ``ambiguous``, ``common`` or ``mined``; ``name`` is what errors call
    it."""

    name: str
    kind: str
    text: str


@dataclass(frozen=True)
class EntityRow:
    entity_id: str
    type: str
    subtype: str
    name_ar: str
    name_en: str
    source: str


@dataclass
class Gazetteer:
    entities: dict[str, EntityRow] = field(default_factory=dict)
    #: entity_id -> [(alias, kind)], kind in ALIAS_KINDS (``name`` is name_ar)
    aliases: dict[str, list[tuple[str, str]]] = field(default_factory=dict)
    titles: dict[str, str] = field(default_factory=dict)  # title phrase -> kind
    given_names: dict[str, str] = field(default_factory=dict)  # name -> gender
    #: words the rules treat with care, by what they apply to: ``alias`` (the name counts only
    #: with context), ``given`` (not a given name for the rules), ``title`` (not a title),
    #: ``honorific`` (a title, but not one that any word after it is a name)
    ambiguous: dict[str, set[str]] = field(default_factory=dict)
    common: set[str] = field(default_factory=set)  # ordinary words (never a name on their own)
    version: str = ""

    def add_alias(self, entity_id: str, alias: str, kind: str) -> None:
        lst = self.aliases.setdefault(entity_id, [])
        if (alias, kind) not in lst:
            lst.append((alias, kind))


def _rows(src: SourceFile, columns: Iterable[str]) -> list[tuple[int, dict[str, str]]]:
    """The rows of ``src`` with their line numbers; the header must hold ``columns``."""
    reader = csv.DictReader(io.StringIO(src.text.lstrip("\ufeff"), newline=""))
    header = reader.fieldnames or []
    missing = [c for c in columns if c not in header]
    if missing:
        raise GazetteerError(f"{src.name}:1: missing column(s) {', '.join(missing)}")
    out = []
    line = 1
    for row in reader:
        if None in row or None in row.values():
            raise _fail(src, line + 1, "wrong number of fields")
        out.append((line + 1, {k: v.strip() for k, v in row.items()}))
        line = reader.line_num
    return out


def _fail(src: SourceFile, line: int, problem: str) -> GazetteerError:
    return GazetteerError(f"{src.name}:{line}: {problem}")


def check_arabic(src: SourceFile, line: int, text: str, what: str) -> None:
    if not text:
        raise _fail(src, line, f"empty {what}")
    if not _ARABIC_LETTER.search(text) or _LATIN_LETTER.search(text):
        raise _fail(src, line, f"non-Arabic {what} {text!r}")


def _entity(src: SourceFile, line: int, row: dict[str, str], source: str) -> EntityRow:
    eid, typ = row.get("entity_id", ""), row.get("type", "")
    if not eid:
        raise _fail(src, line, "empty entity_id")
    if typ not in TYPES:
        raise _fail(src, line, f"type {typ!r} is not one of {', '.join(TYPES)}")
    check_arabic(src, line, row.get("name_ar", ""), "name_ar")
    return EntityRow(
        eid, typ, row.get("subtype", ""), row["name_ar"], row.get("name_en", ""), source
    )


def _seen(src: SourceFile, line: int, eid: str, ids: dict[str, int]) -> None:
    if eid in ids:
        raise _fail(src, line, f"duplicate entity_id {eid!r} (first on line {ids[eid]})")
    ids[eid] = line


@dataclass(frozen=True)
class CuratedRow:
    """One validated row of a curated file (the shipped ``curated/*.csv`` or an analyst's)."""

    line: int
    entity: EntityRow
    aliases: tuple[str, ...]
    nisba: tuple[str, ...]  # singular demonyms
    nisba_plural: tuple[str, ...]  # broken plurals
    note: str


def _forms(value: str) -> tuple[str, ...]:
    return tuple(p.strip() for p in value.split("|") if p.strip())


def parse_curated(src: SourceFile, columns: Iterable[str] = CURATED_REQUIRED) -> list[CuratedRow]:
    """The rows of a curated file, validated: the header holds ``columns``, every row has
    as many fields as the header, an id, a known type, an Arabic ``name_ar``, Arabic aliases
    and demonyms, and an id no earlier row has. The one validation of curated rows: the
    matcher and seeds/gazetteer/build.py both call it (the build adds its own checks)."""
    ids: dict[str, int] = {}
    out = []
    for line, row in _rows(src, columns):
        ent = _entity(src, line, row, row.get("source") or "curated")
        _seen(src, line, ent.entity_id, ids)
        aliases = _forms(row.get("aliases", ""))
        singular, _, plural = row.get("nisba", "").partition(";")
        nisba, nisba_plural = _forms(singular), _forms(plural)
        for alias in aliases:
            check_arabic(src, line, alias, "alias")
        for form in (*nisba, *nisba_plural):
            check_arabic(src, line, form, "nisba")
        out.append(CuratedRow(line, ent, aliases, nisba, nisba_plural, row.get("note", "")))
    return out


def add_curated(gz: Gazetteer, src: SourceFile, replace: bool = False) -> None:
    """Curated rows (one an entity, aliases and nisba in ``|``-lists). ``replace``: a row
    replaces a known entity with its aliases (an analyst's file), else it merges into it."""
    for row in parse_curated(src):
        ent = row.entity
        if replace:
            gz.aliases.pop(ent.entity_id, None)
        gz.entities[ent.entity_id] = ent
        gz.add_alias(ent.entity_id, ent.name_ar, "name")
        for alias in row.aliases:
            gz.add_alias(ent.entity_id, alias, "alias")
        for form in row.nisba:
            gz.add_alias(ent.entity_id, form, "nisba")
        for form in row.nisba_plural:
            gz.add_alias(ent.entity_id, form, "nisba_plural")
        _note_ambiguity(gz, ent.entity_id, row.note)


def _note_ambiguity(gz: Gazetteer, entity_id: str, note: str) -> None:
    """A curated note ``ambiguous: X is ...`` (the gazetteer's convention) makes the row's
    one-word name or alias X one that counts only with context."""
    m = _AMBIGUOUS_NOTE.match(note)
    if m is None:
        return
    for alias, kind in gz.aliases.get(entity_id, []):
        if kind in ("name", "alias") and alias == m.group(1):
            gz.ambiguous.setdefault("alias", set()).add(alias)


def add_generated(gz: Gazetteer, ents: SourceFile, aliases: SourceFile | None) -> None:
    """``entities.csv`` (+ ``aliases.csv``): the build script's output."""
    ids: dict[str, int] = {}
    for line, row in _rows(ents, ENTITY_COLUMNS):
        ent = _entity(ents, line, row, row.get("source", ""))
        _seen(ents, line, ent.entity_id, ids)
        gz.entities.setdefault(ent.entity_id, ent)
        gz.add_alias(ent.entity_id, ent.name_ar, "name")
    if aliases is None:
        return
    for line, row in _rows(aliases, ALIAS_COLUMNS):
        eid, alias, kind = row["entity_id"], row["alias"], row["kind"]
        if eid not in gz.entities:
            raise _fail(aliases, line, f"alias of unknown entity_id {eid!r}")
        if kind not in ALIAS_KINDS:
            raise _fail(aliases, line, f"kind {kind!r} is not one of {', '.join(ALIAS_KINDS)}")
        check_arabic(aliases, line, alias, "alias")
        gz.add_alias(eid, alias, kind)


def add_mined(gz: Gazetteer, src: SourceFile) -> None:
    """Names mined from an annotated corpus (``MINED_COLUMNS``): a name already known as an
    alias of another entity is skipped (the curated entity wins)."""
    known = {a for lst in gz.aliases.values() for a, _k in lst}
    ids: dict[str, int] = {}
    for line, row in _rows(src, MINED_COLUMNS):
        ent = _entity(src, line, row, row.get("source") or "mined")
        _seen(src, line, ent.entity_id, ids)
        if ent.name_ar in known or ent.entity_id in gz.entities:
            continue
        gz.entities[ent.entity_id] = ent
        gz.add_alias(ent.entity_id, ent.name_ar, "name")
        if ent.type == "PER" and " " not in ent.name_ar.strip():
            # A one-word person mined from one corpus is often a common word in another
            # (توفيق، غريب): only with context (a title, or a keyword).
            gz.ambiguous.setdefault("alias", set()).add(ent.name_ar)


def add_lexicon(gz: Gazetteer, src: SourceFile) -> None:
    """``titles.csv`` (title,kind), ``given_names.csv`` (name,gender), ``ambiguous.csv``
    (alias,applies,reason; applies defaults to ``alias``) or ``common_words.csv`` (word)."""
    if src.kind == "ambiguous":
        for line, row in _rows(src, ("alias",)):
            check_arabic(src, line, row["alias"], "alias")
            applies = row.get("applies") or "alias"
            if applies not in AMBIGUOUS_APPLIES:
                raise _fail(src, line, f"applies {applies!r} is not one of {AMBIGUOUS_APPLIES}")
            gz.ambiguous.setdefault(applies, set()).add(row["alias"])
        return
    if src.kind == "common":
        for line, row in _rows(src, ("word",)):
            check_arabic(src, line, row["word"], "word")
            gz.common.add(row["word"])
        return
    key, val, target = {
        "titles": ("title", "kind", gz.titles),
        "given_names": ("name", "gender", gz.given_names),
    }[src.kind]
    for line, row in _rows(src, (key,)):
        check_arabic(src, line, row[key], key)
        target[row[key]] = row.get(val, "")


def build_gazetteer(sources: list[SourceFile], user: SourceFile | None = None) -> Gazetteer:
    """The gazetteer from shipped ``sources`` and an analyst's ``user`` file (curated format;
    its rows replace shipped entities with the same id). Raises ``GazetteerError``."""
    gz = Gazetteer()
    by_kind: dict[str, list[SourceFile]] = {}
    for s in sources:
        by_kind.setdefault(s.kind, []).append(s)
    for s in by_kind.get("curated", []):
        add_curated(gz, s)
    for ents in by_kind.get("entities", []):
        add_generated(gz, ents, next(iter(by_kind.get("aliases", [])), None))
    for s in by_kind.get("mined", []):
        add_mined(gz, s)
    for kind in ("titles", "given_names", "ambiguous", "common"):
        for s in by_kind.get(kind, []):
            add_lexicon(gz, s)
    if user is not None:
        add_curated(gz, user, replace=True)
    gz.version = sources_version(sources, user)
    return gz


def sources_version(sources: list[SourceFile], user: SourceFile | None) -> str:
    """The version of the gazetteer these files make (known before building it)."""
    # The analyst's file counts by its content, not by where it lies.
    named = [SourceFile("<entities file>", user.kind, user.text)] if user else []
    return version_of([*sources, *named])


def version_of(sources: Iterable[SourceFile]) -> str:
    h = hashlib.sha256(f"matcher {MATCHER_VERSION}\n".encode())
    for s in sorted(sources, key=lambda s: s.name):
        data = s.text.encode()
        h.update(f"{s.name}\n{len(data)}\n".encode())
        h.update(data)
    return h.hexdigest()[:12]


def _kind_of(path: Path) -> str | None:
    """A shipped file's kind from its name and header (curated files share one header)."""
    fixed = {"entities.csv": "entities", "aliases.csv": "aliases", "titles.csv": "titles"}
    fixed |= {"given_names.csv": "given_names", "ambiguous.csv": "ambiguous"}
    fixed |= {"common_words.csv": "common"}
    if path.name in fixed:
        return fixed[path.name]
    header = path.read_text(encoding="utf-8").lstrip("\ufeff").split("\n", 1)[0]
    cols = [c.strip() for c in header.split(",")]
    if cols[: len(MINED_COLUMNS)] == list(MINED_COLUMNS):
        return "mined"
    if all(c in cols for c in CURATED_REQUIRED):
        return "curated"
    return None


def read_sources(directory: Path = SEEDS_DIR, exclude: Iterable[str] = ()) -> list[SourceFile]:
    """Every gazetteer CSV under ``directory`` (recursively; CSVs with an unknown header are
    not gazetteer files and are skipped). ``exclude``: relative paths to leave out (the
    benchmark leaves out the shipped ANERcorp names to measure with names mined apart)."""
    if not directory.is_dir():
        raise GazetteerError(f"{directory}:0: the gazetteer directory is missing")
    out = []
    skip = set(exclude)
    for path in sorted(directory.rglob("*.csv")):
        rel = path.relative_to(directory).as_posix()
        kind = _kind_of(path)
        if kind and rel not in skip:
            out.append(SourceFile(rel, kind, path.read_text(encoding="utf-8")))
    return out


def read_user_file(path: str | Path) -> SourceFile:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise GazetteerError(f"{p}:0: cannot read the entities file ({e})") from e
    return SourceFile(str(p), "curated", text)
