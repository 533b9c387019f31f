"""Code scraped into article text (transforms/code_text.py) and the share of Arabic letters
(transforms/language.py): snippets that are code, Arabic prose with braces that is not, and
the real corpus."""

from __future__ import annotations

import html
import json
import random
import unicodedata
import zipfile

import pyarrow as pa
import pytest

from tests.conftest import shared_path
from transforms import language
from transforms.code_text import code_spans, mask, mask_batch
from transforms.language import NON_ARABIC_BELOW, arabic_ratio, letter_counts
from transforms.normalize import normalize

PROSE = "قال المتحدث الرسمي إن الاجتماع ناقش عدة ملفات"
CSS = (
    "#vote_area2 ul { padding: 0; margin: 0; } .box_vote { zbackground: #FFFFFF; "
    "zborder:solid 1px #ccc; padding:18px; } .box_vote h4 { color: #7b7a7a; margin:0; }"
)
JQUERY = (
    "jQuery.noConflict(); jQuery(document).ready(function(){ jQuery('#vote_form2').submit("
    "function() { jQuery('#vote_area2').html('انتظر لحظات…'); return false; }); });"
)
JS_FUNCTION = "function showPoll(id) { var el = document.getElementById(id); el.hidden = false; }"
JSON_BLOB = '{"id": 1870, "votes": [1254, 1451], "colors": ["#449EC0", "#E5983C"]}'


def _code(text: str) -> list[str]:
    return [text[s:e] for s, e in code_spans(text)]


@pytest.mark.parametrize(
    "code",
    [
        CSS,
        JQUERY,
        JS_FUNCTION,
        JSON_BLOB,
        CSS + " " + JQUERY,
        "var plot1 = jQuery.jqplot('pie1', data);",
        "$('#vote_area2').html(data);",
        '<script type="text/javascript">var a = 1; if (a) { run(); }</script>',
        "<style>.x{color:red}</style>",
    ],
)
def test_code_between_arabic_sentences_is_one_span(code: str) -> None:
    text = f"{PROSE}؟ {code} {PROSE}."
    assert _code(text) == [code]


@pytest.mark.parametrize(
    "text",
    [
        "قال تعالى: {وَكُلُوا وَاشْرَبُوا وَلَا تُسْرِفُوا إِنَّهُ لَا يُحِبُّ الْمُسْرِفِينَ}.",
        "{إنا لله وإنا إليه راجعون}.",
        "* خدمة {واشنطن بوست} خاص بـ{الشرق الأوسط}",
        "* خدمة: {New York Times}",
        "وقال {الوضع: مستقر; والحكومة: تعمل} في بيان",
        "الأمين العام قال { واعبدوا الله ولا تشركوا به شيئا } كما قال",
        "ثم قال: {كلفنا من قبل مجلس الأمن بإصدار تقرير عن الوضع حول",  # unmatched
        "{note: the figures are estimates}",
        "زيارة #الرياض و#جدة و#ابها اليوم #add #bad #cafe",
        "سعر السهم ارتفع بنسبة 5%; وقال المحلل إن var الأسواق",
        "رابط: http://example.com/a?b=1&c=2; للمزيد",
    ],
)
def test_prose_with_braces_and_tags_is_not_code(text: str) -> None:
    assert code_spans(text) == []


def test_hex_colours_where_a_hashtag_would_be() -> None:
    text = "اللون #f8f8f8 و #449EC0 و #ccc و #FFF ثم #الرياض و #add و #123 و &#fff"
    assert _code(text) == ["#f8f8f8", "#449EC0", "#ccc", "#FFF"]
    # outside a block, only the colours are code (next to each other, one span)
    assert _code(f"{PROSE} seriesColors:['#449EC0', '#E5983C'] {PROSE}") == ["#449EC0', '#E5983C"]


def test_mask_keeps_offsets_and_mask_batch_counts() -> None:
    text = f"{PROSE} {CSS} #الرياض"
    spans = code_spans(text)
    masked = mask(text, spans)
    assert len(masked) == len(text) and masked.strip().startswith(PROSE)
    assert masked.endswith("#الرياض") and "#ccc" not in masked
    got = mask_batch([text, PROSE, None, ""])
    assert got.texts == [masked, PROSE, None, ""]
    assert got.code_chars == [len(CSS), 0, 0, 0] and got.changed == [0]


def _saudinewsnet() -> list[dict]:
    out = []
    for z in sorted(shared_path("corpora", "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                out.extend(json.loads(zf.read(name)))
    return out


def test_real_corpus_flags_only_the_poll_scripts() -> None:
    """SaudiNewsNet: the code is the poll widget (styles + jQuery) of 8 alriyadh pages; each is
    one span, starting at its first style rule and ending after its script, and the Arabic
    around it (the article, the poll's question and answers) stays."""
    flagged = {}
    for a in _saudinewsnet():
        body = normalize(html.unescape(a.get("content") or ""))
        if spans := code_spans(body):
            flagged[a["url"]] = (body, spans)
    assert len(flagged) == 8 and all("alriyadh.com" in u for u in flagged)
    for body, spans in flagged.values():
        [(s, e)] = spans
        code = body[s:e]
        assert code.startswith("#vote_area2 ul {") and code.endswith("}); });")
        assert "jQuery(document).ready" in code and "#ccc" in code
        before, after = body[:s], body[e:]
        assert len(before.split()) > 20 and "؟" in after  # the article; the poll's question


def test_arabic_ratio_of_english_arabic_and_mixed() -> None:
    english = "The minister said the new budget focuses on education and health."
    assert arabic_ratio(english) == 0.0 < NON_ARABIC_BELOW
    assert arabic_ratio(PROSE) == 1.0
    assert arabic_ratio("مُحَمَّد ١٢٣، 2015") == 1.0  # harakat, digits, commas: not letters
    assert arabic_ratio("ab عرب") == 0.6  # 3 of 5 letters
    assert arabic_ratio("Ελλάδα Россия") == 0.0  # other letters of the two-byte range
    assert arabic_ratio("123 !?") is None and arabic_ratio("") is None


def _reference(text: str) -> tuple[int, int]:
    ar = other = 0
    for c in text:
        cp = ord(c)
        if cp >= 0x800 or cp == 0x640 or not unicodedata.category(c).startswith("L"):
            continue
        if 0x600 <= cp <= 0x6FF or 0x750 <= cp <= 0x77F:
            ar += 1
        else:
            other += 1
    return ar, other


def test_letter_counts_equal_a_per_character_count(monkeypatch: pytest.MonkeyPatch) -> None:
    """Over random texts mixing scripts, with chunks small enough that rows cross them and
    one row is longer than a chunk, sliced arrays and nulls."""
    monkeypatch.setattr(language, "_CHUNK", 64)
    rng = random.Random(16)
    alphabet = "abcXYZ éßΩжא ـًعربيةٱ٠،؟ۀ中😀\n{};#"
    texts: list[str | None] = [
        "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 40))) for _ in range(300)
    ]
    texts[5], texts[17] = None, "ع" * 200
    arr = pa.array(texts, pa.string()).slice(3)
    ar, other = letter_counts(arr)
    want = [_reference(t or "") for t in texts[3:]]
    assert list(zip(ar.tolist(), other.tolist(), strict=True)) == want
