"""The matcher's tables, built once per process from a ``Gazetteer``: every alias, demonym
inflection, title and given name as folded byte patterns with their proclitic variants, and one
leftmost-longest Aho-Corasick automaton over them (``ahocorasick_rs``).

A pattern is ``b" " + clitics + form``: the leading space anchors it at a word start (the
folded text has a space before every word), and the clitics are spelled out, so the automaton
finds ``وللأمم المتحدة`` and ``بالرياض`` directly and the span starts after them. The ``لل``
contraction (ل + ال) is spelled ``لل`` + the form without its alef; the span then starts after
the proclitic ل, on the article's ل (docs/entities.md, "Span").
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import ahocorasick_rs

from transforms.entity_fold import fold_phrase, fold_words
from transforms.gazetteer import Gazetteer

# Pattern kinds, in order of preference when one pattern could mean several things.
K_NAME, K_SURNAME, K_AMBIG, K_NISBA, K_GIVEN, K_TITLE, K_KEYWORD, K_DUAL, K_SHARED = range(9)
#: The entity field of a title pattern: an honorific (a name follows) or a role.
STRONG, PLAIN = -2, -1
KIND_NAMES = (
    "name", "surname", "ambiguous", "nisba", "given", "title", "keyword", "dual", "shared",
)  # fmt: skip
#: Words before a name that say what it names: ``مدينة X`` is a place, ``صحيفة X`` an
#: organisation (ANERcorp tags X alone). The entity field of a keyword pattern is its type's
#: index in ``KEYWORD_TYPES``, negated and offset past the title markers.
NAMING_KEYWORDS = {
    "LOC": "مدينة محافظة ولاية إقليم بلدة قرية مخيم جزيرة نهر",
    "ORG": "نادي فريق قناة صحيفة جريدة مجلة وكالة حزب",
    # Words that make a club's name with the city after them (اتحاد طنجة، دينامو كييف)
    "CLUB": "اتحاد أولمبيك أولمبي دينامو ستيوا سبورتنغ سبورتينغ أتلتيكو إنتر بايرن حسنية"
    " نهضة مولودية شباب",
    # A bank's name is the word and its adjective (البنك التجاري، المصرف المركزي)
    "HEAD": "البنك المصرف",
}
KEYWORD_TYPES = ("LOC", "ORG", "CLUB", "HEAD")
#: A place's alias that starts with one of these (إقليم دارفور، محافظة ديالى) is not matched
#: whole: the keyword rule or the bare name finds the place without it, as news tagging does.
PLACE_KEYWORDS = frozenset(fold_phrase(w) for w in [*NAMING_KEYWORDS["LOC"].split(), "منطقة"])
#: An organisation's alias that starts with one of these (حركة حماس، شركة توتال، صحيفة
#: نيويورك تايمز) is matched without it: the name is the rest, as news tagging has it.
ORG_KEYWORDS = frozenset(
    fold_phrase(w)
    for w in ["شركة", "حركة", "صحيفة", "جريدة", "مجلة", "نادي", "وكالة", "قناة", "جماعة"]
)  # not تنظيم: news tagging keeps it (تنظيم القاعدة, as حزب الله)
#: Short names (4 letters or fewer) take only these proclitics: كلود is no ك + لود.
SHORT_CLITICS = tuple(c.encode("cp1256") for c in ("", "و", "ب", "ل", "وب", "ول"))

_AR = "cp1256"
AL = "ال".encode(_AR)
YEH, TEH_MARBUTA = "ي".encode(_AR), "ه".encode(_AR)  # folded: ة is ه
#: Proclitics a name can carry: conjunctions, prepositions and their pairs.
CLITICS = tuple(
    c.encode(_AR) for c in ("", "و", "ف", "ب", "ل", "ك", "وب", "ول", "وك", "فب", "فل", "فك")
)
#: Endings of a demonym, singular masculine given (روسي): ة ون ين ات and the dual's تين/ان.
NISBA_ENDINGS = tuple(e.encode(_AR) for e in ("", "ه", "ون", "ين", "ات", "تين", "ان"))
TYPE_RANK = {"LOC": 0, "ORG": 1, "PER": 2}
SUBTYPE_RANK = {"country": 0, "territory": 1, "region": 2, "city": 3}
MIN_FORM = 3  # folded bytes: shorter aliases would match inside ordinary words


@dataclass
class Tables:
    automaton: ahocorasick_rs.BytesAhoCorasick
    #: per pattern: (bytes from the match start to the span start, kind, entity index,
    #: whether it has more than one word, whether the person's name ends in ي and not ى)
    info: list[tuple[int, int, int, bool, bool]]
    #: pattern bytes -> pattern index (to retry shorter prefixes of a match)
    index: dict[bytes, int]
    ids: list[str]  # entity index -> entity_id
    types: list[str]  # entity index -> PER/LOC/ORG
    given: frozenset[bytes]  # given names as the rules see words (``fold_words``)
    nisba_words: frozenset[bytes]  # demonym forms without clitics, as the automaton sees them
    title_words: frozenset[bytes]  # one-word titles (``fold_words``)
    common: frozenset[bytes]  # ordinary words (``fold_words``)
    shared: dict[bytes, tuple[int, ...]]  # a surname two people share -> their indexes
    patterns: int = 0
    build_seconds: float = 0.0
    stats: dict[str, int] = field(default_factory=dict)


def clitic_variants(form: bytes) -> list[tuple[bytes, int]]:
    """(pattern, span offset) for ``form`` with each proclitic (``لل`` for ل + ال)."""
    out = []
    for c in CLITICS if len(form) > 4 else SHORT_CLITICS:
        word = c + form[1:] if c.endswith(b"\xe1") and form.startswith(AL) else c + form
        out.append((b" " + word, 1 + len(c)))
    return out


def nisba_forms(sing: str, plural: bool) -> list[bytes]:
    base = fold_phrase(sing)
    if base.startswith(AL):
        base = base[2:]
    forms = [base] if plural else [base + e for e in NISBA_ENDINGS]
    return [f for b in forms for f in (b, AL + b)]


def _alias_kind(ent_type: str, form: bytes, kind: str, sets: dict) -> int:
    if kind in ("nisba", "nisba_plural"):
        return K_NISBA
    if form in sets["ambiguous"]:
        return K_AMBIG
    if form in sets["shared"]:
        return K_SHARED
    if ent_type == "PER" and b" " not in form:
        return K_SURNAME
    return K_NAME


def _rank(gz: Gazetteer, ids: list[str], cand: tuple[int, int, int, bool]) -> tuple:
    skip, kind, ent, _yeh = cand
    if ent < 0:
        return (skip, kind, 9, 9, "")
    row = gz.entities[ids[ent]]
    src = 0 if row.source == "curated" else 1
    return (skip, kind, TYPE_RANK[row.type], SUBTYPE_RANK.get(row.subtype, 5), src, row.entity_id)


def _word_sets(gz: Gazetteer, ids: list[str]) -> dict:
    """The folded word sets the patterns depend on."""
    ambiguous = {fold_phrase(a) for a in gz.ambiguous.get("alias", ())}
    given = {fold_phrase(g) for g in gz.given_names}
    common = {fold_phrase(w) for w in gz.common}
    per_surnames: dict[bytes, set[str]] = {}
    for eid, lst in gz.aliases.items():
        if gz.entities[eid].type == "PER":
            for alias, _k in lst:
                f = fold_phrase(alias)
                if b" " not in f:
                    per_surnames.setdefault(f, set()).add(eid)
    # A lone surname that is also a given name or an ordinary word needs context; one that two
    # people share is the one the text names in full, else a person of that name (x:per:).
    ambiguous |= {f for f in per_surnames if f in given or f in common}
    index = {eid: i for i, eid in enumerate(ids)}
    shared = {
        f: tuple(sorted(index[e] for e in eids))
        for f, eids in per_surnames.items()
        if len(eids) > 1 and f not in ambiguous
    }
    not_given = {fold_phrase(a) for a in gz.ambiguous.get("given", ())}
    # One-word given names only: عبد الله is عبد + a word for the rules (COMPOUND_FIRST).
    words = [g for g in gz.given_names if " " not in g.strip() and fold_phrase(g) not in not_given]
    return {
        "ambiguous": ambiguous,
        "shared": shared,
        "common": common,
        "not_given": not_given,
        "given": fold_words(" ".join(words)),
    }


def _alias_form(typ: str, form: bytes, common: set[bytes]) -> bytes | None:
    """The form an alias is matched as: a place alias that starts with a place keyword is
    not matched, an organisation's keyword is cut (حركة حماس -> حماس)."""
    first, _, rest = form.partition(b" ")
    if typ == "LOC" and first in PLACE_KEYWORDS:
        return None
    if typ == "ORG" and first in ORG_KEYWORDS:
        if descriptive(rest):
            return form  # وكالة الأمن القومي: the rest alone is a phrase, not a name
        return None if len(rest) < 4 or rest in common else rest
    return form if len(form) >= MIN_FORM else None


def descriptive(phrase: bytes) -> bool:
    """A definite noun and definite adjectives in ي/ية (الأمن القومي، الأنباء القطرية،
    المقاومة الإسلامية): ordinary words that describe, not a name; without its keyword such
    an organisation's name is a common phrase."""
    words = phrase.split(b" ")
    return (
        len(words) >= 2
        and all(w.startswith(AL) for w in words)
        and all(w.endswith((YEH, YEH + TEH_MARBUTA)) for w in words[1:])
    )


def _entity_patterns(gz: Gazetteer, ids: list[str], types: list[str], sets: dict) -> dict:
    """Every entity pattern with every meaning it could have."""
    cands: dict[bytes, list] = {}
    for ent, eid in enumerate(ids):
        for alias, kind in gz.aliases.get(eid, []):
            if kind in ("nisba", "nisba_plural"):
                forms = nisba_forms(alias, kind == "nisba_plural")
            else:
                forms = [fold_phrase(alias)]
            for raw in forms:
                form = _alias_form(types[ent], raw, sets["common"])
                if form is None:
                    continue
                k = _alias_kind(types[ent], form, kind, sets)
                if (k == K_AMBIG and b" " in form) or (k == K_NISBA and form in sets["ambiguous"]):
                    continue  # a long name that is mostly not one: its words may still be
                yeh = alias.endswith("ي") and kind in ("name", "alias")  # not written ى
                for pat, skip in clitic_variants(form):
                    cands.setdefault(pat, []).append((skip, k, ent, yeh))
    return cands


def _collect(gz: Gazetteer) -> tuple[dict[bytes, list], list[str], list[str], dict]:
    """Every pattern (entities, titles, keywords, given names) with its meanings."""
    ids = sorted(gz.entities)
    types = [gz.entities[i].type for i in ids]
    sets = _word_sets(gz, ids)
    cands = _entity_patterns(gz, ids, types, sets)
    for form, strong in titles(gz, cands).items():
        for pat, skip in clitic_variants(form):
            cands.setdefault(pat, []).append((skip, K_TITLE, STRONG if strong else PLAIN, False))
    for i, typ in enumerate(KEYWORD_TYPES):
        for w in NAMING_KEYWORDS[typ].split():
            for pat, skip in clitic_variants(fold_phrase(w)):
                cands.setdefault(pat, []).append((skip, K_KEYWORD, keyword_code(i), False))
    for w in gz.given_names:
        form = fold_phrase(w)
        if len(form) >= MIN_FORM and form not in sets["not_given"] and form not in sets["common"]:
            for pat, skip in clitic_variants(form):
                cands.setdefault(pat, []).append((skip, K_GIVEN, -1, w.endswith("ي")))
    return cands, ids, types, sets


def keyword_code(i: int) -> int:
    return -3 - i


def keyword_type(code: int) -> str:
    return KEYWORD_TYPES[-3 - code]


def titles(gz: Gazetteer, names: dict[bytes, list]) -> dict[bytes, bool]:
    """Title phrases -> strong (an honorific, kind ``title``: السيد، الدكتور، الشيخ), cut
    before a known name they end with: الأمين العام للأمم المتحدة is the title الأمين العام
    and the organisation, which must still be found."""
    out: dict[bytes, bool] = {}
    dropped = {fold_phrase(a) for a in gz.ambiguous.get("title", ())}
    weak = {fold_phrase(a) for a in gz.ambiguous.get("honorific", ())}
    for title, kind in gz.titles.items():
        if fold_phrase(title) in dropped:
            continue
        if fold_phrase(title) in weak:
            kind = "role"
        words = fold_phrase(title).split()
        for k in range(1, len(words)):
            if b" " + b" ".join(words[k:]) in names:
                words = words[:k]
                break
        form = b" ".join(words)
        if len(form) >= MIN_FORM:
            out[form] = out.get(form, False) or kind == "title"
    return out


def make_automaton(patterns: list[bytes]) -> ahocorasick_rs.BytesAhoCorasick:
    """The automaton over ``patterns``: a match's pattern index is its index in the list."""
    return ahocorasick_rs.BytesAhoCorasick(
        patterns, matchkind=ahocorasick_rs.MatchKind.LeftmostLongest
    )


def build_tables(gz: Gazetteer) -> Tables:
    t0 = time.perf_counter()
    cands, ids, types, sets = _collect(gz)
    patterns = sorted(cands)
    info: list[tuple[int, int, int, bool, bool]] = []
    ambiguous_types = 0
    for p in patterns:
        options = sorted(cands[p], key=lambda c: _rank(gz, ids, c))
        best = options[0]
        if best[1] == K_NAME and any(
            o[1] == K_NAME and o[0] == best[0] and types[o[2]] != types[best[2]] for o in options
        ):
            best = (best[0], K_AMBIG, *best[2:])  # one name, two types: context decides
            ambiguous_types += 1
        elif best[1] == K_NAME and any(o[1] == K_NISBA and o[0] == best[0] for o in options):
            best = (best[0], K_DUAL, *best[2:])  # السعودية: the country or "Saudi" (feminine)
        skip, kind, ent, yeh = best
        info.append((skip, kind, ent, b" " in p[1:], yeh))
    automaton = make_automaton(patterns)
    nisba = {p[i[0] :] for p, i in zip(patterns, info, strict=True) if i[1] == K_NISBA}
    return Tables(
        automaton=automaton,
        info=info,
        index={p: i for i, p in enumerate(patterns)},
        ids=ids,
        types=types,
        given=frozenset(sets["given"]),
        nisba_words=frozenset(nisba),
        # a title's first word (وزير، الناطق، رئيس) is never part of a person's name
        title_words=fold_words(" ".join(t.split()[0] for t in gz.titles if t.strip())),
        common=fold_words(" ".join(gz.common)),
        shared=sets["shared"],
        patterns=len(patterns),
        build_seconds=time.perf_counter() - t0,
        stats={"entities": len(ids), "patterns": len(patterns), "two_types": ambiguous_types},
    )
