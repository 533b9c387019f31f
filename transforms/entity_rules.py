"""The rules that turn the automaton's matches in one text into mentions (docs/entities.md).

Everything here works on the folded bytes of ``entity_fold`` (one byte per code point, words
separated by one space; two spaces or a NUL mean punctuation or a text boundary between them)
and on the kinds of ``entity_tables``. A rule returns spans in folded offsets; the caller maps
them back to the clean text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from transforms.entity_fold import AUTO, WORD, fold_words
from transforms.entity_tables import (
    CLITICS,
    K_AMBIG,
    K_GIVEN,
    K_NAME,
    K_NISBA,
    K_SURNAME,
    K_TITLE,
    Tables,
)

GAZETTEER, NISBA, TITLE, SURNAME, GIVEN, CONTEXT = (
    "gazetteer",
    "nisba",
    "title",
    "surname",
    "given_name",
    "context",
)


_words = fold_words


#: Function words: a person's name never runs through them.
STOP = _words(
    "في من إلى على عن مع أن إن لن لم لا ما هذا هذه ذلك تلك الذي التي الذين و أو ثم قد كان"
    " كانت يكون بعد قبل عند حتى منذ خلال بين حول ضد لدى أمس اليوم غدا وقال قال أكد أعلن"
    " وأكد وأعلن أيضا وهو وهي هو هي إنه أنه كما لكن بل إذا إذ حيث كل بعض غير يوم عام"
    " يوم الاثنين الثلاثاء الأربعاء الخميس الجمعة السبت الأحد رئيس وزير"
)
#: Words that may stand between a title and the name it introduces (besides demonyms and
#: the words of a known organisation or place).
TITLE_FILLERS = _words(
    "السابق الأسبق الراحل الحالي الجديد المكلف المستقيل المنتخب الأول الثاني العام المساعد"
    " التنفيذي الفخري الدائم المناوب الأعلى"
)
#: A word before an ambiguous name that says which kind of thing it is.
KEYWORDS = {
    "LOC": _words("مدينة دولة عاصمة محافظة منطقة ولاية بلدة قرية إقليم جزيرة مدينتي"),
    "ORG": _words(
        "نادي فريق قناة صحيفة جريدة مجلة شركة حزب حركة منظمة مجموعة بنك مصرف وكالة"
        " جماعة تنظيم جامعة مؤسسة هيئة اتحاد"
    ),
    "PER": frozenset(),
}
COMPOUND_FIRST = _words("عبد أبو ابو أبي بو")
SON_OF = _words("بن ابن بنت ولد")
MAX_NAME_WORDS = 4


@dataclass(slots=True)
class Found:
    """A mention in folded offsets."""

    start: int
    end: int
    ent: int  # entity index, or -1 for a name found by a rule (no gazetteer entry)
    type: str
    rule: str
    name: bytes = b""  # a rule's person: the folded full name (the entity id is made from it)


@dataclass
class TextMatches:
    """One text's automaton matches, sorted out by kind."""

    found: list[Found] = field(default_factory=list)
    pending: list[Found] = field(default_factory=list)
    titles: list[tuple[int, int]] = field(default_factory=list)
    givens: list[tuple[int, int]] = field(default_factory=list)


def word_at(fb: bytes, start: int) -> int:
    """End of the word starting at ``start``."""
    n = len(fb)
    end = start
    while end < n and WORD[fb[end]]:
        end += 1
    return end


def next_words(fb: bytes, pos: int, limit: int) -> list[tuple[int, int]]:
    """Up to ``limit`` words after ``pos`` (a word's end), stopping at punctuation."""
    out: list[tuple[int, int]] = []
    n = len(fb)
    while len(out) < limit and pos + 1 < n and fb[pos] == 0x20 and WORD[fb[pos + 1]]:
        end = word_at(fb, pos + 1)
        out.append((pos + 1, end))
        pos = end
    return out


def prev_word(fb: bytes, start: int) -> bytes:
    """The word before the one at ``start`` (empty after punctuation or a text start)."""
    if start < 2 or fb[start - 1] != 0x20 or not WORD[fb[start - 2]]:
        return b""
    return fb[fb.rfind(b" ", 0, start - 1) + 1 : start - 1]


def strip_clitic(w: bytes) -> list[bytes]:
    return [w[len(c) :] for c in CLITICS if w.startswith(c) and len(w) - len(c) >= 3]


def sort_matches(fb: bytes, t: Tables, matches: list[tuple[int, int, int]]) -> TextMatches:
    """First pass: each match to its kind; a match that ends inside a word is retried with
    its shorter prefixes that end at a word end (or dropped)."""
    tm = TextMatches()
    n = len(fb)
    info, types = t.info, t.types
    for p, s, e in matches:
        if e < n and WORD[fb[e]]:
            p, e = shorter(fb, t, s, e)
            if p < 0:
                continue
        nl = fb.find(b"\n", s + 1, e)
        if nl > 0:  # a name does not run across a line break
            p, e = shorter(fb, t, s, nl + 1)
            if p < 0:
                continue
        skip, kind, ent = info[p]
        fs = s + skip
        if kind == K_NAME:
            tm.found.append(Found(fs, e, ent, types[ent], GAZETTEER))
        elif kind == K_NISBA:
            if not (skip == 1 and prev_word(fb, fs) in t.given):  # محمد المصري: a surname
                tm.found.append(Found(fs, e, ent, types[ent], NISBA))
        elif kind == K_SURNAME:
            tm.found.append(Found(fs, e, ent, types[ent], SURNAME))
        elif kind == K_TITLE:
            tm.titles.append((fs, e))
        elif kind == K_GIVEN:
            tm.givens.append((fs, e))
        else:
            tm.pending.append(Found(fs, e, ent, types[ent], CONTEXT))
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


def accept_pending(fb: bytes, t: Tables, tm: TextMatches) -> None:
    """Ambiguous names count with context: the same entity named unambiguously in the text,
    a title just before (people), or a keyword just before (نادي الهلال، مدينة جمال)."""
    named = {f.ent for f in tm.found if f.rule in (GAZETTEER, SURNAME)}
    title_ends = {e for _s, e in tm.titles}
    for f in tm.pending:
        ok = f.ent in named
        if not ok and f.type == "PER":
            ok = f.start - 1 in title_ends
        if not ok:
            prev = prev_word(fb, f.start)
            keys = KEYWORDS[f.type]
            ok = prev in keys or any(w in keys for w in strip_clitic(prev))
        if ok:
            tm.found.append(f)


def person_after(fb: bytes, t: Tables, pos: int, modifiers: int) -> tuple[int, int] | None:
    """A person's name starting within ``modifiers`` words after ``pos``: a given name (or
    عبد/أبو + a word), more given names (father, grandfather), then one family name."""
    ws = next_words(fb, pos, modifiers + MAX_NAME_WORDS + 1)
    i = 0
    while i < len(ws) and fb[ws[i][0] : ws[i][1]] not in t.given:
        w = fb[ws[i][0] : ws[i][1]]
        if i >= modifiers or w in STOP or w in COMPOUND_FIRST:
            return None
        i += 1
    if i == len(ws):
        return None
    j = i + 1
    while j < len(ws) and j - i < MAX_NAME_WORDS:
        w = fb[ws[j][0] : ws[j][1]]
        if w in STOP or w in t.title_words or w in KEYWORDS["ORG"]:
            break
        prior = fb[ws[j - 1][0] : ws[j - 1][1]]
        j += 1
        if not (w in t.given or prior in COMPOUND_FIRST or prior in SON_OF or w in SON_OF):
            break
    if j == i + 1 and fb[ws[i][0] : ws[i][1]] in COMPOUND_FIRST:
        return None
    return ws[i][0], ws[j - 1][1]


def title_people(fb: bytes, t: Tables, tm: TextMatches) -> None:
    """``title``: a title, up to three demonyms/fillers/known names, then a person's name."""
    starts = {f.start: f for f in tm.found}
    for _s, e in tm.titles:
        pos, skipped = e, 0
        while skipped < 3:  # step over demonyms, fillers and known organisations/places
            ws = next_words(fb, pos, 1)
            if not ws:
                break
            f = starts.get(ws[0][0])
            w = fb[ws[0][0] : ws[0][1]]
            if f is not None and f.type == "PER":
                break
            if f is not None:
                pos = f.end
            elif w.translate(AUTO) in t.nisba_words or w in TITLE_FILLERS:
                pos = ws[0][1]
            else:
                break
            skipped += 1
        span = person_after(fb, t, pos, 1)
        if span is not None and span[0] not in starts:
            tm.found.append(Found(span[0], span[1], -1, "PER", TITLE, fb[span[0] : span[1]]))


def given_people(fb: bytes, t: Tables, tm: TextMatches) -> None:
    """``given_name``: an unambiguous given name followed by a family name."""
    for s, _e in tm.givens:
        span = person_after(fb, t, s - 1, 0)
        if span is not None and span[1] > _e:
            tm.found.append(Found(span[0], span[1], -1, "PER", GIVEN, fb[span[0] : span[1]]))


def lone_surnames(fb: bytes, lo: int, hi: int, tm: TextMatches) -> None:
    """``surname``: the last word of a person found by a rule, alone elsewhere in the text."""
    names = {}
    for f in tm.found:
        if f.type == "PER" and f.ent < 0:
            last = fb[fb.rfind(b" ", f.start, f.end) + 1 : f.end]
            if len(last) >= 4 and last not in STOP:
                names.setdefault(last, f)
    taken = {(f.start, f.end) for f in tm.found}
    for last, f in names.items():
        pos = fb.find(last, lo, hi)
        while pos >= 0:
            end = pos + len(last)
            ws = fb.rfind(b" ", lo, pos) + 1
            if (end >= hi or not WORD[fb[end]]) and fb[ws:pos] in CLITICS:
                if (pos, end) not in taken and not f.start <= pos < f.end:
                    tm.found.append(Found(pos, end, -1, "PER", SURNAME, f.name))
            pos = fb.find(last, end, hi)


def resolve_overlaps(found: list[Found]) -> list[Found]:
    """Overlapping mentions: the longer wins (then the earlier); sorted by start."""
    found.sort(key=_start)
    end = -1
    for f in found:
        if f.start < end:
            break
        end = f.end
    else:
        return found  # the usual case: no overlap at all
    kept: list[Found] = []
    for f in sorted(found, key=lambda f: (f.start - f.end, f.start)):
        if all(f.end <= k.start or f.start >= k.end for k in kept):
            kept.append(f)
    kept.sort(key=_start)
    return kept


def _start(f: Found) -> int:
    return f.start
