"""The rules that find people in no list (docs/entities.md, "People"): ``title`` (a title or
role, then a name), ``given_name`` (a given name, then a family name) and ``surname`` (the
family name of a person found so, alone later in the same text).

A name is a run of words after its anchor: a given name (or عبد/أبو + a word), more given
names or بن/آل + a word (father, grandfather, family), then one family name that is not an
ordinary word (``Tables.common``: words that are rarely part of a person's name in ANERcorp),
a function word, a title or an organisation keyword.
"""

from __future__ import annotations

from bisect import bisect_left

from transforms import entity_fast
from transforms.entity_fold import AUTO, WORD, fold_phrase, fold_words
from transforms.entity_rules import (
    CLITICS,
    END,
    GIVEN,
    KEYWORDS,
    NAME,
    PARTICLES,
    START,
    STOP,
    SURNAME,
    TITLE,
    TYPE,
    Found,
    TextMatches,
    name_word,
    next_words,
    prev_word,
    words_from,
)
from transforms.entity_tables import Tables

#: Words that may stand between a title and the name it introduces (besides demonyms and
#: the words of a known organisation or place).
TITLE_FILLERS = fold_words(
    "السابق الأسبق الراحل الحالي الجديد المكلف المستقيل المنتخب الأول الثاني العام المساعد"
    " التنفيذي الفخري الدائم المناوب الأعلى ركن الركن طيار الطيار"
)
COMPOUND_FIRST = fold_words("عبد أبو ابو أبي بو")
SON_OF = fold_words("بن ابن بنت ولد آل")
MAX_UNITS = 4
ALLAH = fold_phrase("الله")
#: A word that starts with a proclitic and the article is no family name (بالدمام، للسفير).
CLITIC_ARTICLES = fold_words("بال وال فال كال")
LAM_LAM = fold_phrase("لل")
#: Places are named after people: after these, a given name starts a place's name.
AFTER_PLACE_WORD = fold_words("محافظة مدينة حي شارع مسجد جامع مستشفى مدرسة جامعة ميناء مطار")
MAX_STRONG_WORDS = 3  # after an honorific, a name of words in no list


def person_context(t: Tables) -> tuple:
    """What the compiled ``person_at`` (``entity_fast``) looks words up in: these very sets."""
    return (
        STOP, t.common, t.title_words, KEYWORDS["ORG"], t.given, SON_OF, COMPOUND_FIRST,
        ALLAH, CLITIC_ARTICLES, LAM_LAM, MAX_UNITS,
    )  # fmt: skip


def person_at(
    fb: bytes, t: Tables, start: int, alone: bool, ctx: tuple = ()
) -> tuple[int, int] | None:
    """A person's name starting at the word at ``start`` (module docstring). ``alone``: a
    given name alone counts (after a title). A unit is a word, or بن/آل/عبد/أبو + a word.
    ``ctx``: ``person_context(t)`` to run the compiled function."""
    if ctx and entity_fast.ext is not None:
        return entity_fast.ext.person_at(fb, start, alone, ctx)
    words, ends = words_from(fb, start)
    j = 1
    if words[0] in COMPOUND_FIRST:  # عبد الله، أبو بكر (الله: only here)
        if len(words) < 2 or not (words[1] == ALLAH or name_word(words[1], t)):
            return None
        j = 2
    elif words[0] not in t.given:
        return None
    unit, units = j, 1
    while j < len(words) and units < MAX_UNITS:
        w = words[j]
        if (w in SON_OF or w in COMPOUND_FIRST) and j + 1 < len(words):
            if not ((words[j + 1] == ALLAH and w in COMPOUND_FIRST) or name_word(words[j + 1], t)):
                break
            j += 2
        elif w in t.given and w not in t.common:
            j += 1
        else:
            break
        units += 1
    # the family name; after a father's name, only a family-like word (ال + word, a name)
    family = j < len(words) and units < MAX_UNITS and family_word(words[j], t)
    if family and (j == unit or words[j][:2] == b"\xc7\xe1" or words[j] in t.given):
        j += 1
    if j == unit and not alone:
        return None
    return start, ends[j - 1]


def family_word(w: bytes, t: Tables) -> bool:
    """A family name: a name word that is not و + a word (وتهيأت، وبركة: "and ..."), a
    preposition + article (بالدمام), or a connector (بن، آل، أبو) left without its word."""
    if (w[:1] == b"\xe6" and len(w) > 3) or w[:3] in CLITIC_ARTICLES or w[:2] == LAM_LAM:
        return False
    return name_word(w, t) and w not in SON_OF and w not in COMPOUND_FIRST


def unlisted_name(fb: bytes, t: Tables, start: int) -> tuple[int, int] | None:
    """After an honorific (السيد، الدكتور، الشيخ): up to three words that can be a name."""
    words, ends = words_from(fb, start)
    n = 0
    while n < len(words) and n < MAX_STRONG_WORDS and family_word(words[n], t):
        n += 1
    return (start, ends[n - 1]) if n else None


def title_people(fb: bytes, t: Tables, tm: TextMatches) -> None:
    """``title``: a title, up to three demonyms/fillers/known places or organisations and at
    most one other word, then a person's name."""
    if tm.people and entity_fast.ext is not None:
        ctx = (tm.people, t.nisba_words, TITLE_FILLERS, MAX_STRONG_WORDS, "PER", TITLE)
        new = entity_fast.ext.title_people(fb, tm.titles, tm.found, ctx)
        tm.found.extend(new)
        tm.new_people.extend(new)
        return
    starts = {f[START]: f for f in tm.found}
    for _s, e, strong in tm.titles:
        pos, unknown, span = e, 0, None
        for _ in range(4):
            ws = next_words(fb, pos, 1)
            if not ws:
                break
            f = starts.get(ws[0][0])
            w = fb[ws[0][0] : ws[0][1]]
            span = None
            if w in t.given or w in COMPOUND_FIRST:
                span = person_at(fb, t, ws[0][0], unknown == 0, tm.people)
            if f is not None and f[TYPE] == "PER":  # a listed person: the longer name wins
                span = span if span is not None and span[1] > f[END] else None
                break
            if span is None and strong and unknown == 0 and f is None:
                span = unlisted_name(fb, t, ws[0][0])
            if span is not None:
                break
            if f is not None:
                pos = f[END]
            elif w.translate(AUTO) in t.nisba_words or w in TITLE_FILLERS:
                pos = ws[0][1]
            elif unknown == 0 and w not in STOP:
                pos, unknown = ws[0][1], 1
            else:
                break
        if span is not None and (span[0] not in starts or starts[span[0]][END] < span[1]):
            tm.found.append((span[0], span[1], -1, "PER", TITLE, fb[span[0] : span[1]]))
            tm.new_people.append(tm.found[-1])


def given_people(fb: bytes, t: Tables, tm: TextMatches) -> None:
    """``given_name``: an unambiguous given name followed by a family name."""
    if tm.people and entity_fast.ext is not None:
        new = entity_fast.ext.given_people(
            fb, tm.givens, (tm.people, AFTER_PLACE_WORD, "PER", GIVEN)
        )
        tm.found.extend(new)
        tm.new_people.extend(new)
        return
    last = -1
    for s, _e in tm.givens:
        if s < last or prev_word(fb, s) in AFTER_PLACE_WORD:
            continue  # a father's name inside the person just found; محافظة صلاح الدين
        span = person_at(fb, t, s, False, tm.people)
        if span is not None:
            last = span[1]
            tm.found.append((span[0], span[1], -1, "PER", GIVEN, fb[span[0] : span[1]]))
            tm.new_people.append(tm.found[-1])


def lone_surnames(fb: bytes, t: Tables, bounds: list[tuple[int, int]], tm: TextMatches) -> None:
    """``surname``: the last word of a person found by a rule, alone elsewhere in its text."""
    if tm.people and entity_fast.ext is not None:
        ctx = (tm.people, CLITICS, PARTICLES, "PER", SURNAME)
        tm.found.extend(entity_fast.ext.lone_surnames(fb, tm.new_people, bounds, ctx))
        return
    his = [hi for _lo, hi in bounds]
    names: dict[tuple[int, bytes], Found] = {}
    for f in tm.new_people:
        space = fb.rfind(b" ", f[START], f[END])
        if space >= 0:  # more than one word
            last = fb[space + 1 : f[END]]
            if len(last) >= 4 and name_word(last, t) and last not in t.given:
                names.setdefault((bisect_left(his, f[START]), last), f)  # (text_of)
    # (a lone surname where a mention already is: resolve_overlaps keeps the earlier one)
    for (i, last), f in names.items():
        lo, hi = bounds[i]
        pos = fb.find(last, lo, hi)
        while pos >= 0:
            end = pos + len(last)
            # the word starts after a space or a line break, or at the text's start
            ws = max(fb.rfind(b" ", lo, pos), fb.rfind(b"\n", lo, pos), lo - 1) + 1
            whole = (end >= hi or not WORD[fb[end]]) and fb[ws:pos] in CLITICS
            if whole and not f[START] <= pos < f[END]:
                prev = prev_word(fb, pos) if ws == pos else b""
                start = pos - len(prev) - 1 if prev in PARTICLES else pos
                tm.found.append((start, end, -1, "PER", SURNAME, f[NAME]))
            pos = fb.find(last, end, hi)
