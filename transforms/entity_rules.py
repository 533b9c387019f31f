"""The rules that turn the automaton's matches into mentions (docs/entities.md, "Rules").

Everything here works on the folded bytes of ``entity_fold`` for a whole batch (one byte per
code point; word bytes, spaces, line breaks and the NUL between texts; two spaces mean
punctuation between two words) and on the kinds of ``entity_tables``. The rules that look at
a whole text (context, lone surnames) group by text. A rule returns spans in folded offsets;
``entities`` maps them back to each text.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import operator
import re
from dataclasses import dataclass, field

from transforms import entity_fast
from transforms.entity_fold import AUTO, WORD, fold_words
from transforms.entity_tables import (
    CLITICS,
    K_DUAL,
    K_GIVEN,
    K_KEYWORD,
    K_NAME,
    K_NISBA,
    K_SHARED,
    K_SURNAME,
    K_TITLE,
    NAMING_KEYWORDS,
    STRONG,
    Tables,
    keyword_type,
)

SHARED = "shared"  # a pending surname two listed people share (never a rule of a mention)
GAZETTEER, NISBA, TITLE, SURNAME, GIVEN, CONTEXT, KEYWORD = (
    "gazetteer",
    "nisba",
    "title",
    "surname",
    "given_name",
    "context",
    "keyword",
)


_words = fold_words


#: Function words: a person's name never runs through them.
STOP = _words(
    "في من إلى على عن مع أن إن لن لم لا ما هذا هذه ذلك تلك الذي التي الذين و أو ثم قد كان"
    " كانت يكون بعد قبل عند حتى منذ خلال بين حول ضد لدى أمس اليوم غدا وقال قال أكد أعلن"
    " وأكد وأعلن أيضا وهو وهي هو هي إنه أنه كما لكن بل إذا إذ حيث كل بعض غير يوم عام"
    " يوم الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد رئيس وزير سموه معاليه"
    " سعادته فخامته جلالته سماحته الله"
)
#: A word before an ambiguous name that says which kind of thing it is; before a word that
#: is no ordinary word, the same keywords make a new place or organisation (rule ``keyword``).
KEYWORDS = {
    "LOC": _words(NAMING_KEYWORDS["LOC"] + " دولة عاصمة منطقة مدينتي"),
    "ORG": _words(
        NAMING_KEYWORDS["ORG"] + " شركة حركة منظمة مجموعة بنك مصرف جماعة تنظيم جامعة مؤسسة اتحاد"
    ),
    "PER": frozenset(),
}
#: Clubs are named after cities: after these, a place is the club (ANERcorp tags it ORG).
CLUB_KEYWORDS = _words("نادي فريق")


_START_KEY = operator.itemgetter(0)
#: A mention in folded offsets, as a plain tuple (the hot path makes tens of thousands a
#: second): (start, end, entity index or -1 for a name found by a rule, type, rule, the
#: rule's new name as folded words or b"").
Found = tuple[int, int, int, str, str, bytes]
START, END, ENT, TYPE, RULE, NAME = range(6)


@dataclass
class TextMatches:
    """One text's automaton matches, sorted out by kind."""

    found: list[Found] = field(default_factory=list)
    pending: list[Found] = field(default_factory=list)
    titles: list[tuple[int, int, bool]] = field(default_factory=list)  # start, end, strong
    givens: list[tuple[int, int]] = field(default_factory=list)
    new_people: list[Found] = field(default_factory=list)  # people found by a rule
    keywords: list[tuple[int, int, str]] = field(default_factory=list)  # start, end, type
    compiled: bool = False  # the rules may use the compiled loops (``entity_fast``)
    people: tuple = ()  # entity_people.person_context when compiled


# The folded bytes hold word bytes, spaces, line breaks and the text separator only.
_WORD_RE = re.compile(rb"[^ \n\x00]*")
_NEXT_RE = re.compile(rb" ([^ \n\x00]+)")


_W = rb"([^ \n\x00]+)"
MAX_WORD = 40  # bytes: a longer "word" is no name and no keyword
_RUN_RE = re.compile(_W + (rb"(?: " + _W) * 5 + rb")?" * 5)


def words_from(fb: bytes, start: int) -> tuple[list[bytes], list[int]]:
    """The (up to six) words from ``start`` to the next punctuation, and their ends."""
    m = _RUN_RE.match(fb, start)
    assert m is not None
    words = [w for w in m.groups() if w is not None]
    return words, [m.end(i) for i in range(1, len(words) + 1)]


def word_at(fb: bytes, start: int) -> int:
    """End of the word starting at ``start``."""
    return _WORD_RE.match(fb, start).end()  # type: ignore[union-attr]


def next_words(fb: bytes, pos: int, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` words after ``pos`` (a word's end), stopping at punctuation."""
    out: list[tuple[int, int]] = []
    m = _NEXT_RE.match(fb, pos)
    while m is not None:
        out.append(m.span(1))
        if len(out) == limit:
            break
        m = _NEXT_RE.match(fb, m.end())
    return out


def prev_word(fb: bytes, start: int) -> bytes:
    """The word before the one at ``start`` (empty after punctuation or a text start)."""
    if start < 2 or fb[start - 1] != 0x20 or not WORD[fb[start - 2]]:
        return b""
    lo = max(0, start - 1 - MAX_WORD)
    i = fb.rfind(b" ", lo, start - 1)
    if i < 0 and lo > 0:
        return b""  # longer than any name or keyword
    w = fb[i + 1 : start - 1]
    if b"\n" in w or b"\x00" in w:  # the word starts after a line break or a text boundary
        w = w[max(w.rfind(b"\n"), w.rfind(b"\x00")) + 1 :]
    return w


#: Particles of a family name that go before it (فان نيستلروي، دي ميستورا).
PARTICLES = _words("فان دي دا دو لا ابن بن أبو ابو آل")
CLITIC_LETTERS = frozenset(c[:1] for c in CLITICS if c)


def strip_clitic(w: bytes) -> list[bytes]:
    return [w[len(c) :] for c in CLITICS if w.startswith(c) and len(w) - len(c) >= 3]


def sort_matches(fb: bytes, t: Tables, matches: list[tuple[int, int, int]]) -> TextMatches:
    """First pass: each match (pattern, start of its leading space, end) to its kind. A match
    that ends inside a word or runs across a line break is retried with its shorter prefixes
    that end at a word end (or dropped)."""
    tm = TextMatches()
    info, types, word = t.info, t.types, WORD
    found = tm.found.append
    for p, s, e in matches:  # (the buffer ends with a line break: fb[e] always exists)
        skip, kind, ent, multi, yeh = info[p]
        if word[fb[e]]:  # the word goes on: a shorter name (of more than one word) may fit
            if not multi:
                continue
            p, e = shorter(fb, t, s, e)
            if p < 0:
                continue
            skip, kind, ent, multi, yeh = info[p]
        if multi:
            nl = fb.find(b"\n", s + 1, e)
            if nl > 0:  # a name does not run across a line break
                p, e = shorter(fb, t, s, nl + 1)
                if p < 0:
                    continue
                skip, kind, ent, multi, yeh = info[p]
        fs = s + skip
        if yeh and fb[e - 1] == 0xEC:
            continue  # the name is written with ي: على is no علي
        if kind == K_NAME:
            found((fs, e, ent, types[ent], GAZETTEER, b""))
        elif kind == K_NISBA:
            if not (skip == 1 and prev_word(fb, fs) in t.given):  # محمد المصري: a surname
                tm.found.append((fs, e, ent, types[ent], NISBA, b""))
        elif kind == K_SURNAME:  # with its particle: فان نيستلروي
            prev = prev_word(fb, fs) if skip == 1 else b""
            fs = fs - len(prev) - 1 if prev in PARTICLES else fs
            tm.found.append((fs, e, ent, types[ent], SURNAME, b""))
        elif kind == K_TITLE:
            tm.titles.append((fs, e, ent == STRONG))
        elif kind == K_GIVEN:
            if skip == 1 or fb[s + 1 : e] not in t.common:  # وجود is no و + جود
                tm.givens.append((fs, e))
        elif kind == K_KEYWORD:
            tm.keywords.append((fs, e, keyword_type(ent)))
        elif kind == K_DUAL:  # after a definite noun (العائلة المالكة السعودية): an adjective
            prev = prev_word(fb, fs) if skip == 1 else b""
            rule = NISBA if prev[:2] == b"\xc7\xe1" and prev not in STOP else GAZETTEER
            tm.found.append((fs, e, ent, types[ent], rule, b""))
        elif kind == K_SHARED:
            tm.pending.append((fs, e, ent, types[ent], SHARED, b""))
        else:
            tm.pending.append((fs, e, ent, types[ent], CONTEXT, b""))
    return tm


def shorter(fb: bytes, t: Tables, s: int, e: int) -> tuple[int, int]:
    """The longest pattern that is a prefix of ``fb[s:e]`` and ends at a word end."""
    cut = fb.rfind(b" ", s + 1, e)
    while cut > s:
        p = t.index.get(fb[s:cut].translate(AUTO), -1)
        if p >= 0:
            return p, cut
        cut = fb.rfind(b" ", s + 1, cut)
    return -1, -1


def text_of(his: list[int], pos: int) -> int:
    """Index of the text holding folded offset ``pos`` (``his``: the texts' ends)."""
    return bisect.bisect_left(his, pos)


def accept_pending(fb: bytes, t: Tables, tm: TextMatches, his: list[int]) -> None:
    """Ambiguous names count with context: a title just before (people), a keyword just
    before (نادي الهلال، مدينة جمال), or the same entity named in the same text, unambiguously
    or with such context (then نادي الهلال ... فاز الهلال)."""
    if tm.compiled and entity_fast.ext is not None:
        ctx = (t.shared, PARTICLES, keyword_before, "PER", GAZETTEER, SURNAME, SHARED)
        tm.found.extend(
            entity_fast.ext.accept_pending(fb, tm.pending, tm.found, tm.titles, his, ctx)
        )
        return
    where = bisect.bisect_left  # text_of, without a Python call per mention
    ents = {f[ENT] for f in tm.pending}
    ents |= {c for f in tm.pending if f[RULE] is SHARED for c in shared_by(fb, t, f)}
    named = {
        (where(his, f[START]), f[ENT])
        for f in tm.found
        if f[ENT] in ents and f[RULE] in (GAZETTEER, SURNAME)
    }
    title_ends = {e for _s, e, _strong in tm.titles}
    rest = []
    for f in tm.pending:
        if f[RULE] is SHARED:
            tm.found.append(_shared(fb, t, f, where(his, f[START]), named))
            continue
        ok = f[TYPE] == "PER" and f[START] - 1 in title_ends
        prev = prev_word(fb, f[START])
        if f[TYPE] == "PER" and prev in PARTICLES:  # فان نيستلروي: the name with its particle
            f = (f[START] - len(prev) - 1, *f[1:])
            ok = True
        if ok or keyword_before(f[TYPE], prev):
            tm.found.append(f)
            named.add((where(his, f[START]), f[ENT]))
        else:
            rest.append(f)
    tm.found.extend(f for f in rest if (where(his, f[START]), f[ENT]) in named)


@functools.lru_cache(maxsize=1 << 16)  # a few thousand words come before names, again and again
def keyword_before(typ: str, prev: bytes) -> bool:
    """Is ``prev`` (the word before a name) a keyword of ``typ``, with or without a clitic?"""
    keys = KEYWORDS[typ]
    return prev in keys or (
        prev[:1] in CLITIC_LETTERS and any(w in keys for w in strip_clitic(prev))
    )


def shared_by(fb: bytes, t: Tables, f: Found) -> tuple[int, ...]:
    return t.shared.get(fb[f[START] : f[END]].translate(AUTO), (f[ENT],))


def _shared(fb: bytes, t: Tables, f: Found, text: int, named: set) -> Found:
    """A surname two listed people share: the one the text names in full, else a person of
    that name in no list."""
    for ent in shared_by(fb, t, f):
        if (text, ent) in named:
            return (f[START], f[END], ent, "PER", SURNAME, b"")
    return (f[START], f[END], -1, "PER", SURNAME, fb[f[START] : f[END]])


def name_word(w: bytes, t: Tables) -> bool:
    """Can ``w`` be (part of) a name in no list? Not a function word, an ordinary word, a
    title word or an organisation keyword, nor و + a given name (``ورجاء``: and Raja')."""
    if w in STOP or w in t.common or w in t.title_words or w in KEYWORDS["ORG"]:
        return False
    if w[:1] == b"\xe6":  # و + a given name, a title: the next item of a list
        return not (w[1:] in t.given or w[1:] in t.title_words or w[1:] in STOP)
    return True


def keyword_names(fb: bytes, t: Tables, tm: TextMatches) -> None:
    """``keyword``: the word after a naming keyword (مدينة، صحيفة ...) is a place or an
    organisation when it is no ordinary word; a place after نادي/فريق is the club."""
    if tm.people and entity_fast.ext is not None:  # (changes tm.found in place, as below)
        ctx = (tm.people, t.nisba_words, NOT_NAMED, CLUB_KEYWORDS, PARTY, "ORG", KEYWORD)
        entity_fast.ext.keyword_names(fb, tm.keywords, tm.found, ctx)
        return
    starts = {f[START]: i for i, f in enumerate(tm.found)}
    for s, e, typ in tm.keywords:
        ws = next_words(fb, e, 2)
        if not ws:
            continue
        i = starts.get(ws[0][0], -1)
        if i >= 0:
            f = tm.found[i]
            if f[TYPE] == "LOC" and typ == "CLUB":  # اتحاد طنجة: the club, with its word
                tm.found[i] = (s, f[END], -1, "ORG", KEYWORD, fb[s : f[END]])
            elif f[TYPE] == "LOC" and fb[s:e] in CLUB_KEYWORDS:  # فريق برشلونة
                end = _club_adjective(fb, t, f[END])
                name = fb[f[START] : end] if end > f[END] else f[NAME]
                tm.found[i] = (f[START], end, f[ENT] if end == f[END] else -1, "ORG", KEYWORD, name)
            continue
        w = fb[ws[0][0] : ws[0][1]]
        if typ == "HEAD":
            if w[:2] == b"\xc7\xe1" and w[-1:] == b"\xed":  # البنك التجاري: ال + an adjective in ي
                tm.found.append((s, ws[0][1], -1, "ORG", KEYWORD, fb[s : ws[0][1]]))
            continue
        if typ == "CLUB" or not _new_name_word(w, t):
            continue
        if typ == "LOC" and w[-1:] == b"\xe5" and w[:2] != b"\xc7\xe1":
            continue  # مدينة خامسة، قرية تراثية: an indefinite adjective, not a name
        end = ws[0][1]
        if typ == "ORG" and len(ws) > 1 and _new_name_word(fb[ws[1][0] : ws[1][1]], t):
            end = ws[1][1]  # صحيفة يديعوت أحرونوت
        start = s if fb[s:e] in PARTY else ws[0][0]  # حزب كاديما: the party's name has حزب
        tm.found.append((start, end, -1, typ, KEYWORD, fb[start:end]))


#: A party's name keeps its keyword (حزب الاستقلال, حزب كاديما), unlike a newspaper's.
PARTY = _words("حزب")


def _club_adjective(fb: bytes, t: Tables, end: int) -> int:
    """A club named by its city and the city's adjective (المغرب التطواني، المغرب الفاسي):
    the end of a definite word in ي right after ``end`` that is no country's demonym."""
    ws = next_words(fb, end, 1)
    if ws and ws[0][0] == end + 1:
        w = fb[ws[0][0] : ws[0][1]]
        if w[:2] == b"\xc7\xe1" and w[-1:] == b"\xed" and w.translate(AUTO) not in t.nisba_words:
            return ws[0][1]
    return end


NOT_NAMED = _words("آل بن ابن أبو عبد")


def _new_name_word(w: bytes, t: Tables) -> bool:
    """A word a keyword can name: no ordinary word, given name or demonym, and not a
    preposition + article (قناة للتفاوض)."""
    if w[:2] in (b"\xe1\xe1", b"\xc8\xc7") or w in t.given or w in NOT_NAMED:
        return False
    return name_word(w, t) and w.translate(AUTO) not in t.nisba_words


def resolve_overlaps(found: list[Found], compiled: bool = False) -> list[Found]:
    """Overlapping mentions: the longer wins (then the one a rule made first); sorted by start.
    Only the clusters (runs of spans that overlap each other) are looked at one by one."""
    found.sort(key=_START_KEY)  # stable: of two equal spans, the rule that ran first wins
    if compiled and entity_fast.ext is not None:
        return entity_fast.ext.resolve_sorted(found)
    reach = list(itertools.accumulate([f[END] for f in found], max))
    clash = [i for i in range(1, len(found)) if found[i][START] < reach[i - 1]]
    if not clash:
        return found  # the usual case
    out: list[Found] = []
    done = 0
    for i in clash:
        if i < done:
            continue
        first = i - 1
        while first > done and found[first][START] < reach[first - 1]:
            first -= 1
        last = i + 1
        while last < len(found) and found[last][START] < reach[last - 1]:
            last += 1
        out.extend(found[done:first])
        out.extend(_pick(found[first:last]))
        done = last
    out.extend(found[done:])
    return out


def _pick(cluster: list[Found]) -> list[Found]:
    kept: list[Found] = []
    for f in sorted(cluster, key=lambda f: (f[START] - f[END], f[START])):
        if all(f[END] <= k[START] or f[START] >= k[END] for k in kept):
            kept.append(f)
    kept.sort(key=_START_KEY)
    return kept


# The word helpers, compiled when the extension is built (the Python ones stay the definition:
# tests/test_entmatch.py compares them at every offset of real text).
prev_word_py, words_from_py, next_words_py = prev_word, words_from, next_words
if entity_fast.ext is not None:
    prev_word = entity_fast.ext.prev_word  # type: ignore[assignment]
    words_from = entity_fast.ext.words_from  # type: ignore[assignment]
    next_words = entity_fast.ext.next_words  # type: ignore[assignment]
