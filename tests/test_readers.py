"""Readers: bytes in, records or rejects out, never an exception."""

from __future__ import annotations

import io
import json
import zipfile

from hypothesis import given, settings
from hypothesis import strategies as st

from transforms.readers import REASONS, decode, parse_file

ARTICLE = "عنوان الخبر\n\nنص الخبر الأول.\n\nفقرة ثانية."


def test_txt_headline_blank_body_and_id_from_name() -> None:
    p = parse_file("2026-11-24/007_0123456789abcdef.txt", ARTICLE.encode())
    assert p.rejects == [] and p.records_read == 1
    (a,) = p.articles
    assert a.title == "عنوان الخبر"
    assert a.body == "نص الخبر الأول.\n\nفقرة ثانية."
    assert a.article_id == "0123456789abcdef"
    assert a.encoding == "utf-8"


def test_txt_without_id_in_name_gets_none_for_content_hash_later() -> None:
    (a,) = parse_file("news.txt", ARTICLE.encode()).articles
    assert a.article_id is None


def test_bom_and_crlf() -> None:
    data = b"\xef\xbb\xbf" + ARTICLE.replace("\n", "\r\n").encode()
    (a,) = parse_file("x.txt", data).articles
    assert a.title == "عنوان الخبر" and "\r" not in a.body
    assert a.encoding == "utf-8-bom"


def test_utf16_with_bom() -> None:
    for enc, bom in (("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff")):
        (a,) = parse_file("x.txt", bom + ARTICLE.encode(enc)).articles
        assert a.title == "عنوان الخبر"
        assert a.encoding == enc


def test_windows_1256_is_detected() -> None:
    text = ARTICLE + " " + "وقالت الوزارة في بيان إن الاجتماع ناقش خطط التنمية الاقتصادية." * 3
    decoded = decode(text.encode("cp1256"))
    assert decoded is not None
    assert decoded[0] == text
    assert decoded[1] == "cp1256"


def test_html_entities_decoded_once() -> None:
    data = json.dumps([{"title": "&quot;رؤية&quot; &amp;amp;", "content": "نص"}]).encode()
    (a,) = parse_file("a.json", data).articles
    assert a.title == '"رؤية" &amp;'


def test_json_array_saudinewsnet_shape() -> None:
    recs = [
        {
            "source": "wire",
            "url": "https://example.com/1",
            "date_extracted": "2026-11-25 08:00:00",
            "title": "عنوان",
            "author": "محرر",
            "content": "نص",
        },
        {"source": "wire", "title": "", "content": ""},
        "not an object",
    ]
    p = parse_file("d/a.json", json.dumps(recs, ensure_ascii=False).encode())
    assert p.records_read == 3
    assert [a.record for a in p.articles] == [0]
    a = p.articles[0]
    assert (a.source, a.url, a.author, a.published_at) == (
        "wire",
        "https://example.com/1",
        "محرر",
        "2026-11-25 08:00:00",
    )
    assert sorted(r.reason for r in p.rejects) == ["bad_record", "no_text"]
    assert all(r.reason in REASONS for r in p.rejects)


def test_malformed_json_rejects_the_file() -> None:
    p = parse_file("a.json", b'[{"title": "x", ')
    assert p.articles == [] and p.records_read == 1
    assert p.rejects[0].reason == "malformed_json" and p.rejects[0].record is None


def test_jsonl_bad_line_rejected_others_load() -> None:
    lines = [json.dumps({"title": "أ", "content": "ب"}), "{broken", "", json.dumps({"title": "ج"})]
    p = parse_file("a.jsonl", "\n".join(lines).encode())
    assert p.records_read == 3
    assert [a.title for a in p.articles] == ["أ", "ج"]
    (r,) = p.rejects
    assert (r.reason, r.record) == ("malformed_jsonl_line", 1)


def test_file_level_rejects() -> None:
    cases = {
        b"": "empty",
        b"  \n\t \n": "empty",
        b"abc\x00def": "binary",
        "عنوان فقط\n\n   \n".encode(): "no_body",
    }
    for data, reason in cases.items():
        p = parse_file("x.txt", data)
        assert p.articles == [] and p.records_read == 1, data
        assert [r.reason for r in p.rejects] == [reason], data


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_zip_members_parsed_in_name_order_and_unsafe_paths_rejected() -> None:
    data = _zip(
        {
            "b.json": json.dumps([{"title": "ب", "content": "نص"}]).encode(),
            "a/001_00000000000000aa.txt": ARTICLE.encode(),
            "../evil.txt": ARTICLE.encode(),
            "/abs.txt": ARTICLE.encode(),
            "notes.md": b"ignored",
        }
    )
    p = parse_file("2026-11-24/day.zip", data)
    assert [(a.member, a.title) for a in p.articles] == [
        ("a/001_00000000000000aa.txt", "عنوان الخبر"),
        ("b.json", "ب"),
    ]
    assert p.articles[0].article_id == "00000000000000aa"
    assert sorted(r.member for r in p.rejects if r.reason == "zip_unsafe_path") == [
        "../evil.txt",
        "/abs.txt",
    ]
    assert p.records_read == 4


def test_corrupt_zip() -> None:
    p = parse_file("x.zip", b"PK\x03\x04 not really a zip")
    assert [r.reason for r in p.rejects] == ["zip_corrupt"]
    assert p.records_read == 1


def test_json_lone_surrogate_escape_rejects_the_record_only() -> None:
    data = b'[{"title": "t", "content": "bad \\ud800 text"}, {"title": "ok", "content": "fine"}]'
    p = parse_file("a.json", data)
    assert [a.title for a in p.articles] == ["ok"]
    (r,) = p.rejects
    assert (r.reason, r.record) == ("invalid_unicode", 0)
    assert "body" in r.detail


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(["title", "content", "source", "url", "author", "id"]),
            st.text(alphabet=st.characters(blacklist_categories=())),  # surrogates included
        ),
        max_size=4,
    )
)
def test_any_json_strings_load_or_reject_and_reach_arrow(records: list[dict]) -> None:
    """Whatever strings a JSON file holds (lone surrogates included), each record is loaded
    or rejected, and what loads converts to Arrow (a surrogate there would crash the run)."""
    import datetime as dt

    from transforms.batch import transform

    data = json.dumps(records).encode()  # ensure_ascii: surrogates become \\udxxx escapes
    p = parse_file("x.json", data)
    assert p.records_read == len(p.articles) + len(p.rejects) == len(records)
    tr = transform(p.articles, dt.date(2026, 1, 1), "run")
    assert tr.articles.num_rows + tr.rejects.num_rows + tr.duplicates == len(p.articles)


def test_jsonl_line_with_raw_line_separator_loads() -> None:
    rec = {"title": "عنوان\u2028ثان", "content": "نص\u2029فقرة\x85"}
    data = (json.dumps(rec, ensure_ascii=False) + "\r\n" + json.dumps(rec) + "\n").encode()
    p = parse_file("a.jsonl", data)
    assert p.rejects == [] and p.records_read == 2
    assert [a.title for a in p.articles] == ["عنوان\u2028ثان"] * 2
