"""The compiled path of entity extraction (transforms/_entmatch.c via entity_fast) gives the
same mentions as the pure-Python path, which stays the definition: on hand-written texts and
the seed article always, on the real corpus when ../shared is there. Each compiled helper is
also compared with its Python function at every offset of real text.

CI sets AKHBAR_REQUIRE_FAST=1, so a build that silently lost the extension fails there instead
of passing on the slower path."""

from __future__ import annotations

import os
import random

import pytest

from tests.conftest import shared_path
from tests.test_entities import seed_text
from transforms import entity_fast
from transforms import entity_people as people
from transforms import entity_rules as rules
from transforms.entities import EntityMatcher, MentionColumns, load_gazetteer
from transforms.entity_fold import AUTO, Shift, fold, fold_py
from transforms.normalize import normalize, normalize_batch

needs_ext = pytest.mark.skipif(
    not entity_fast.available(),
    reason="transforms._entmatch is not built (no C compiler at install): pure-Python path only",
)

#: Texts written to reach every rule and branch: clitics, لل, titles and honorifics, given
#: names and units (بن، عبد، أبو), lone surnames and particles, ambiguous names with and
#: without context, keywords and clubs, demonyms and name-or-demonym, a name across a line
#: break, harakat (offsets shift), a NUL, an empty text, a text of punctuation only.
HAND = [
    "قال الرئيس عبد الفتاح السيسي إن مصر وليبيا تعملان معا، وأكد السيسي ذلك.",
    "التقى وزير الخارجية الروسي سيرغي لافروف نظيره السوري وليد المعلم في موسكو، ثم عاد لافروف.",
    "وللأمم المتحدة دور في طرابلس وبنغازي؛ وقال المتحدث باسم الأمم المتحدة ستيفان دوجاريك.",
    "أعلن الشيخ محمد بن راشد آل مكتوم عن مشروع في دبي، وقال محمد بن راشد إن المشروع كبير.",
    "فاز نادي الهلال على النصر، وقال مدرب الهلال إن فريق برشلونة واتحاد طنجة في مدينة الرباط.",
    "صرح السيد برند جوتشولك والدكتور أحمد الطيب بأن العائلة المالكة السعودية والمملكة العربية"
    " السعودية والسعوديين في الرياض.",
    "قال رود فان نيستلروي إن نيستلروي سيعود. أما حفتر فقال خليفة حفتر إن معيتيق والمصري هنا.",
    "ذهب محمد المصري إلى القاهرة\nوالإسكندرية، والأمم\nالمتحدة في صحيفة يديعوت أحرونوت.",
    "قَالَ الرَّئِيسُ الْمِصْرِيُّ إِنَّ مِصْرَ وَرُوسِيَا",  # harakat: offsets map back
    "على علي أن يذهب إلى البنك التجاري والبنك الأسبوع وشركة توتال وحركة حماس.",
    "نص فيه\x00فاصل في وسطه: ليبيا",
    "",
    "، . ! ؟ ...",
    "Barack Obama قال أوباما في واشنطن و نيويورك",
]


@pytest.fixture(scope="module")
def matchers() -> tuple[EntityMatcher, EntityMatcher]:
    gz = load_gazetteer()
    return EntityMatcher(gz, compiled=True), EntityMatcher(gz, compiled=False)


def _hand_texts() -> list[str]:
    return [normalize(t) for t in HAND] + [seed_text()]


def _corpus_texts(limit: int) -> list[str]:
    import json
    import zipfile

    raw: list[str] = []
    for z in sorted(shared_path("corpora", "saudinewsnet").glob("*.zip"))[:2]:
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for art in json.loads(zf.read(name)):
                    raw += [art.get("title") or "", art.get("content") or ""]
    assert raw, "no articles in ../shared/corpora/saudinewsnet"
    return normalize_batch(raw[:limit], "clean")


def test_extension_built_where_required():
    if os.environ.get("AKHBAR_REQUIRE_FAST") != "1":
        pytest.skip("AKHBAR_REQUIRE_FAST is not set (CI sets it)")
    assert entity_fast.available(), "pip install -e . did not build transforms._entmatch"


def _same(matchers: tuple[EntityMatcher, EntityMatcher], texts: list[str]) -> int:
    fast, pure = matchers
    got, want = fast.extract_batch(texts), pure.extract_batch(texts)
    for i, (g, w) in enumerate(zip(got, want, strict=True)):
        assert g == w, f"text {i}: {texts[i][:80]!r}"
        assert all(type(m) is type(n) for m, n in zip(g, w, strict=True))
    assert fast.extract_columns(texts) == MentionColumns.of(want)
    assert pure.extract_columns(texts) == MentionColumns.of(want)
    return sum(len(w) for w in want)


@needs_ext
def test_columns_write_every_surface_as_python_slices_it(matchers):
    """split_columns encodes each surface to UTF-8 itself: texts of every str width (ASCII,
    Latin-1, BMP, astral), with harakat (offsets shifted back over them) and with names found
    by a rule alone (ids made per batch) give the same columns as the Python path."""
    base = [
        "قال الرئيس عبد الفتاح السيسي في القاهرة",
        "وصل وزير الخارجية الغاني كوفي مينساه إلى الرياض",
    ]
    texts = [b + s for b in base for s in ("", " é", " 😀", " \u064e")]
    texts += ["😀 " + base[0], "ascii only", "", "ذهب مُحَمَّد بن سلمان 😀 إلى الرِّياض"]
    assert _same(matchers, texts) >= 20
    c = matchers[0].extract_columns(texts)
    rows, starts, ends = c.row.to_pylist(), c.start.to_pylist(), c.end.to_pylist()
    assert c.surface.to_pylist() == [
        texts[r][s:e] for r, s, e in zip(rows, starts, ends, strict=True)
    ]
    assert "مُحَمَّد بن سلمان" in c.surface.to_pylist()
    assert "x:per:كوفي مينساه" in c.entity_id.to_pylist()
    assert set(c.type.to_pylist()) == {"PER", "LOC"}


@needs_ext
def test_hand_texts_equal_python(matchers):
    texts = _hand_texts()
    assert _same(matchers, texts) > 50
    # one at a time too: offsets inside a batch and alone agree
    for t in texts:
        assert matchers[0].extract(t) == matchers[1].extract(t)


@needs_ext
def test_real_corpus_equals_python(matchers):
    texts = _corpus_texts(6000)
    assert _same(matchers, texts) > 10_000
    # the same texts in another batching (where each text sits in the buffer changes)
    assert _same(matchers, texts[1:700]) > 1000


def _buffer(texts: list[str]) -> bytes:
    return fold("\n" + "\n\x00\n".join(texts) + "\n")[0]


def _helpers_agree(fb: bytes) -> None:
    ext = entity_fast.ext
    assert ext is not None
    for i in range(len(fb) + 1):
        assert ext.prev_word(fb, i) == rules.prev_word_py(fb, i), i
        for limit in (1, 2):
            assert ext.next_words(fb, i, limit) == rules.next_words_py(fb, i, limit), i
        if i < len(fb) and fb[i] not in b" \n\x00":
            assert ext.words_from(fb, i) == rules.words_from_py(fb, i), i


@needs_ext
def test_word_helpers_equal_python_at_every_offset():
    _helpers_agree(_buffer(_hand_texts()))
    # a word longer than prev_word looks back, at a text's start, after a line break
    _helpers_agree(_buffer(["ا" * 60 + " ب", "كلمة\nأخرى هنا", " x  y ", "\n"]))


@needs_ext
def test_word_helpers_equal_python_on_real_text():
    _helpers_agree(_buffer(_corpus_texts(300)))


@needs_ext
def test_overlaps_equal_python():
    rnd = random.Random(14)
    for _ in range(300):
        found = []
        for k in range(rnd.randrange(0, 40)):
            s = rnd.randrange(0, 80)
            found.append((s, s + rnd.randrange(1, 12), k, "PER", "title", b""))
        want = rules.resolve_overlaps(list(found))
        assert rules.resolve_overlaps(list(found), compiled=True) == want
    assert rules.resolve_overlaps([], compiled=True) == []


@needs_ext
def test_bad_arguments_raise_not_crash(matchers):
    ext = entity_fast.ext
    assert ext is not None
    with pytest.raises(TypeError):
        ext.prev_word("text", 1)
    with pytest.raises(IndexError):
        ext.prev_word(b"ab", 5)
    with pytest.raises(AssertionError):
        ext.words_from(b"a b", 1)
    with pytest.raises(TypeError):
        ext.resolve_sorted([(1,)])
    ctx = matchers[0]._sort_ctx
    with pytest.raises(ValueError):  # a pattern or an end outside the tables or the buffer
        ext.sort_matches(b"\n ab\n", [(10**6, 0, 3)], ctx)
    with pytest.raises(ValueError):
        ext.sort_matches(b"\n ab\n", [(0, 0, 5)], ctx)
    with pytest.raises(TypeError):
        ext.sort_matches(b"\n ab\n", [(0, 0, 3)], ())


def test_pure_python_matcher_works_without_the_extension():
    gz = load_gazetteer()
    pure = EntityMatcher(gz, compiled=False)
    assert not pure.compiled
    got = pure.extract(normalize("قال الرئيس عبد الفتاح السيسي في القاهرة"))
    assert [(m.surface, m.type) for m in got] == [("عبد الفتاح السيسي", "PER"), ("القاهرة", "LOC")]


def _people_agree(fb: bytes, matcher: EntityMatcher) -> int:
    from transforms import entity_people as people

    t, ctx, n = matcher.tables, people.person_context(matcher.tables), 0
    for i in range(1, len(fb)):
        if fb[i] not in b" \n\x00" and fb[i - 1] in b" \n\x00":  # each word start
            for alone in (False, True):
                want = people.person_at(fb, t, i, alone)
                assert people.person_at(fb, t, i, alone, ctx) == want, (i, alone)
                n += want is not None
    return n


@needs_ext
def test_person_at_equals_python_at_every_word(matchers):
    assert _people_agree(_buffer(_hand_texts()), matchers[0]) > 10


@needs_ext
def test_person_at_equals_python_on_real_text(matchers):
    assert _people_agree(_buffer(_corpus_texts(400)), matchers[0]) > 100


EXTRA_WORDS = (
    "مدينة محافظة صحيفة حزب نادي فريق اتحاد البنك التجاري المصرف الأهلي حركة شركة"
    " فان دي ابن بن أبو آل عبد الله في من إلى على قال الرئيس الشيخ السيد"
)


def _vocabulary(matcher: EntityMatcher) -> list[str]:
    """Words that reach the rules: names and aliases of every kind (people, ambiguous names,
    demonyms, shared surnames), titles, given names, naming keywords, particles, ordinary and
    function words, as written in the gazetteer."""
    gz, rnd = matcher.gazetteer, random.Random(7)
    names = [a for aliases in gz.aliases.values() for a, _kind in aliases]
    words = (
        rnd.sample(names, 1500)
        + list(gz.titles)
        + rnd.sample(sorted(gz.given_names), 400)
        + sorted(w for ws in gz.ambiguous.values() for w in ws)
        + rnd.sample(sorted(gz.common), 200)
        + EXTRA_WORDS.split(" ")
    )
    return words


def _random_texts(matcher: EntityMatcher, n: int, seed: int) -> list[str]:
    """Texts of words drawn from the vocabulary and of words of the text again (a surname
    alone, a name named twice), with proclitics, لل, harakat, punctuation and line breaks
    between them, and the odd empty text."""
    rnd, vocab = random.Random(seed), _vocabulary(matcher)
    clitics = ["", "", "", "", "و", "ف", "ب", "ل", "ك", "وب", "ول", "لل"]
    seps = [" "] * 12 + ["، ", ". ", "\n", " - ", "؛ ", " (", ") "]
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rnd.randrange(0, 40)):
            w = rnd.choice(vocab)
            if parts and rnd.random() < 0.2:  # a word of the text again: a lone surname
                w = rnd.choice(rnd.choice(parts[::2]).split())
            c = rnd.choice(clitics)
            if c == "لل" and w.startswith("ال"):
                w = "لل" + w[2:]
            elif c != "لل":
                w = c + w
            if rnd.random() < 0.05:
                w = w[:1] + "َ" + w[1:]  # a haraka: offsets shift
            parts += [w, rnd.choice(seps)]
        out.append(normalize("".join(parts)) if rnd.random() > 0.02 else "")
    return out


@needs_ext
def test_random_texts_equal_python(matchers):
    for seed in range(3):
        texts = _random_texts(matchers[0], 400, seed)
        assert _same(matchers, texts) > 2000
        assert _same(matchers, texts[: 1 + seed * 7]) >= 0  # small batches and one text


def _rule_inputs(matcher: EntityMatcher, texts: list[str]) -> tuple:
    """A batch's folded buffer, its bounds and the compiled first pass (as _found makes them)."""
    from transforms.entities import _JOIN, text_bounds

    fb = fold("\n" + _JOIN.join(texts) + "\n")[0]
    t = matcher.tables
    matches = t.automaton.find_matches_as_indexes(fb.translate(entity_fast.AUTO))
    sorted_ = entity_fast.ext.sort_matches(fb, matches, matcher._sort_ctx)
    return fb, t, text_bounds(fb, len(texts)), sorted_


def _each_rule_agrees(matcher: EntityMatcher, texts: list[str]) -> int:
    """Each rule the compiled path runs (context, keyword, title, given-name people, lone
    surnames) gives the same mentions as its Python function, on the same input."""
    fb, t, bounds, (found, pending, titles, givens, keywords) = _rule_inputs(matcher, texts)
    his = [hi for _lo, hi in bounds]
    # one TextMatches per path, each rule run on both from the same state
    lists = (found, pending, titles, givens, [], keywords)
    tms = [
        rules.TextMatches(*map(list, lists), compiled, matcher._people_ctx if compiled else ())
        for compiled in (True, False)
    ]
    steps = [
        lambda tm: rules.accept_pending(fb, t, tm, his),
        lambda tm: rules.keyword_names(fb, t, tm),
        lambda tm: people.title_people(fb, t, tm),
        lambda tm: people.given_people(fb, t, tm),
        lambda tm: people.lone_surnames(fb, t, bounds, tm),
    ]
    changed = []
    for i, step in enumerate(steps):
        before = list(tms[0].found)
        for tm in tms:
            step(tm)
        assert tms[0].found == tms[1].found, f"step {i}"
        assert tms[0].new_people == tms[1].new_people, f"step {i}"
        changed.append(len(set(tms[0].found) - set(before)))
    return changed


@needs_ext
def test_each_rule_equals_python_on_random_texts(matchers):
    changed = _each_rule_agrees(matchers[0], _random_texts(matchers[0], 500, 14))
    assert min(changed) > 10, changed  # every rule found or changed mentions


@needs_ext
def test_each_rule_equals_python_on_real_text(matchers):
    changed = _each_rule_agrees(matchers[0], _corpus_texts(3000))
    assert min(changed) > 10, changed


@needs_ext
def test_rule_bad_arguments_raise_not_crash(matchers):
    ext = entity_fast.ext
    assert ext is not None
    pc = matchers[0]._people_ctx
    fb = b"\n \xc7\xe1\xe3\xcf\xed\xe4\xc9 \xcd\xd3\xe4\n"
    bad = [(0, 10**6, 0, "LOC", "gazetteer", b"")]  # a mention past the buffer's end
    with pytest.raises(ValueError):
        ext.lone_surnames(fb, bad, [(1, len(fb) - 1)], (pc, (b"",), frozenset(), "PER", "s"))
    with pytest.raises(ValueError):  # bounds past the buffer's end
        ext.lone_surnames(fb, [], [(1, 10**6)], (pc, (b"",), frozenset(), "PER", "s"))
    with pytest.raises(TypeError):
        ext.lone_surnames(fb, [], [(1, 2)], (pc, ("not bytes",), frozenset(), "PER", "s"))
    with pytest.raises(ValueError):
        ext.given_people(fb, [(10**6, 10**6 + 1)], (pc, frozenset(), "PER", "given_name"))
    with pytest.raises(ValueError):
        ext.accept_pending(fb, bad, [], [], [len(fb)], ({}, frozenset(), len, "PER", "g", "s", "x"))
    with pytest.raises(TypeError):
        ext.accept_pending(
            fb, [(1, 2)], [], [], [len(fb)], ({}, frozenset(), len, "PER", "g", "s", "x")
        )
    kctx = (pc, frozenset(), frozenset(), frozenset(), frozenset(), "ORG", "keyword")
    with pytest.raises(ValueError):
        ext.keyword_names(fb, [], bad, kctx)
    with pytest.raises(TypeError):
        ext.keyword_names(fb, [(1, 2)], [], kctx)


def _folds_agree(texts: list[str]) -> None:
    for t in texts:
        (fb, shift), (want, want_shift) = fold(t), fold_py(t)
        assert fb == want, t[:80]
        assert shift.marks == want_shift.marks, t[:80]
        # the batch's one pass: the same fold, its automaton bytes, the NULs' offsets
        fb2, auto, byte_marks, str_marks, nuls = entity_fast.ext.fold_auto(t)
        assert fb2 == want and Shift([byte_marks, str_marks]).marks == want_shift.marks, t[:80]
        assert auto == want.translate(AUTO), t[:80]
        assert nuls == [i for i, b in enumerate(want) if b == 0], t[:80]


@needs_ext
def test_fold_equals_python():
    # every code point of the BMP once (rare folds, deleted marks, "?"), then random texts of
    # Arabic, marks, the rare letters, emoji, a lone surrogate, NUL and line breaks
    _folds_agree(["".join(map(chr, range(0xD800))) + "".join(map(chr, range(0xD800, 0x10000)))])
    rnd = random.Random(5)
    pool = [*map(chr, range(0x600, 0x700)), *map(chr, range(0x8C0, 0x900)), *"abc ABC 12\n\x00،."]
    pool += ["\u200c", "\u200d", "\u0640", "\ufe8d", "\U0001f600", "\ud800", "\u2122", "\xa0"]
    texts = ["".join(rnd.choices(pool, k=rnd.randrange(0, 80))) for _ in range(3000)]
    _folds_agree([*texts, "", "\n".join(texts)])


@needs_ext
def test_fold_equals_python_on_real_text():
    texts = _corpus_texts(2000)
    _folds_agree([*texts, "\n\x00\n".join(texts)])
