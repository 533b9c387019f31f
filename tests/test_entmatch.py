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
from transforms import entity_rules as rules
from transforms.entities import EntityMatcher, MentionColumns, load_gazetteer
from transforms.entity_fold import fold
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
