"""`.html` articles through the reader registry and a real run: headline and paragraphs in,
scripts, styles and their colour codes out; and extensions without a reader rejected once."""

from __future__ import annotations

from pathlib import Path

from tests.util import nightly, query
from transforms.readers import READERS, SUPPORTED_EXTS, parse_file, unsupported

PAGE = """<!doctype html>
<html lang="ar" dir="rtl"><head>
<meta charset="utf-8">
<title>الرياض تستضيف القمة | موقع الأخبار</title>
<meta property="og:title" content="الرياض تستضيف القمة">
<meta name="author" content="مراسل الرياض">
<link rel="canonical" href="https://example.com/news/1">
<style>.share{color:#ccc;background:#f8f8f8} #vote_area2{display:none}</style>
<script>$('#vote_area2').hide(); var c = "#449EC0";</script>
</head><body>
<nav><a href="/">الرئيسية</a></nav>
<article>
<h1>الرياض تستضيف القمة</h1>
<p>أعلنت <b>الرياض</b> اليوم عن استضافة القمة &amp; المؤتمر. #الرياض</p>
<p>وقال المتحدث إن الوفود تصل غداً.</p>
<script>document.write("#ff0000")</script>
<noscript>فعّل جافاسكربت</noscript>
</article>
</body></html>
"""


def test_html_page_gives_headline_and_paragraphs_without_code() -> None:
    parsed = parse_file("2026-11-25/page.html", PAGE.encode("utf-8"))
    assert parsed.rejects == [] and parsed.records_read == 1
    (art,) = parsed.articles
    assert art.title == "الرياض تستضيف القمة"
    assert art.body == (
        "أعلنت الرياض اليوم عن استضافة القمة & المؤتمر. #الرياض\n\nوقال المتحدث إن الوفود تصل غداً."
    )
    assert (art.url, art.author, art.encoding) == (
        "https://example.com/news/1",
        "مراسل الرياض",
        "utf-8",
    )


def test_html_without_text_is_rejected_and_htm_is_read_too() -> None:
    empty = parse_file("x.html", b"<html><script>var a = '#ccc';</script><p> </p></html>")
    assert [r.reason for r in empty.rejects] == ["no_text"]
    assert parse_file("x.HTM", b"<title>t</title><p>\xd9\x86\xd8\xb5</p>").articles[0].body == "نص"


def test_the_registry_decides_what_is_read() -> None:
    assert {".txt", ".json", ".jsonl", ".html", ".htm"} == set(READERS)
    assert ".zip" in SUPPORTED_EXTS
    assert unsupported("a/b.jsonl") is None and unsupported("a/B.HTML") is None
    docx = unsupported("2026-11-25/notes.docx")
    assert docx is not None and docx.reason == "unsupported_extension"
    assert docx.detail.startswith(".docx is not supported: save the article as .txt")
    png = unsupported("x.png")
    assert png is not None and "convert to one of .txt, .json, .jsonl, .html, .htm" in png.detail
    bare = unsupported("2026-11-25/README")
    assert bare is not None and bare.detail.startswith("files without an extension are not read")


def test_an_html_file_loads_in_a_run_and_its_code_is_not_hashtags(
    landing: Path, data_dir: Path
) -> None:
    (landing / "2026-11-25" / "page.html").write_text(PAGE, encoding="utf-8")
    (landing / "2026-11-25" / "notes.docx").write_bytes(b"PK\x03\x04")
    s = nightly(landing, data_dir)
    assert s["rejected_files"] == [  # (the seeds' own reject first: a cut line of a feed)
        "2026-11-23/feed_2026-11-23.jsonl (malformed_jsonl_line)",
        "2026-11-25/notes.docx (unsupported_extension)",
    ]
    ((title, body),) = query(
        data_dir, "select title, body from articles where source_file = '2026-11-25/page.html'"
    )
    assert title == "الرياض تستضيف القمة" and "#ccc" not in body and "document" not in body
    keys = {
        k for (k,) in query(data_dir, "select key from hashtags where source_file like '%.html'")
    }
    assert keys == {"الرياض"}
    # The reject, with its fix, is in the HTML report's rejects.
    from flows.report import write_report

    page = write_report(data_dir).read_text(encoding="utf-8")
    assert "notes.docx" in page and "unsupported_extension" in page
