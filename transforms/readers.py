"""Parse landing files from bytes: `.txt` (seed format), `.json`, `.jsonl`, `.html` and `.zip`
of those, each through its reader in READERS (by extension); any other extension is rejected
unread (`unsupported`), with what to do in the detail.

Pure: the caller reads the bytes; nothing here touches the file system. Every input ends as
records or as rejects with a reason code, never as an exception.
"""

from __future__ import annotations

import html
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace

from charset_normalizer import from_bytes

# Reason codes, stored in rejects.reason. Documented in the README's failure-mode table.
REASONS = {
    "empty": "file or record is empty or whitespace only",
    "binary": "content holds NUL bytes: not a text file",
    "undecodable": "no text encoding decodes the bytes",
    "too_large": "file is over the size limit",
    "no_body": ".txt article has a headline but no body",
    "malformed_json": "the .json file is not valid JSON or not an array/object of articles",
    "malformed_jsonl_line": "one .jsonl line is not a JSON object",
    "no_text": "record has neither title nor body text",
    "bad_record": "record is not a JSON object",
    "zip_corrupt": "the .zip archive cannot be read",
    "zip_unsafe_path": "a .zip member has an absolute or '..' path",
    "unreadable": "the file cannot be read (permissions or I/O error)",
    "invalid_unicode": "a JSON string holds a lone surrogate escape (\\ud800-\\udfff unpaired)",
    "symlink_outside": "a symlink points outside the landing dir",
    "unsupported_extension": "no reader for the file's extension: rejected unread, once",
}

_ID_FROM_NAME = re.compile(r"^\d{3,}_([0-9a-fA-F]{8,64})\.txt$")
_BOMS = (
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16-le"),
    (b"\xfe\xff", "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class RawArticle:
    source_file: str
    member: str | None
    record: int
    title: str
    body: str
    article_id: str | None = None  # from an NNN_<hex>.txt name, else derived from content
    source: str | None = None
    url: str | None = None
    author: str | None = None
    published_at: str | None = None
    encoding: str | None = None


@dataclass(frozen=True, slots=True)
class Reject:
    source_file: str
    member: str | None
    record: int | None
    reason: str
    detail: str
    # The offending input itself (a file's or zip member's bytes, a JSON record, a JSONL line),
    # for the quarantine copy. Not a column of `rejects`: it can be megabytes, and the
    # quarantine file is where an operator opens it.
    raw: bytes | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class Parsed:
    articles: list[RawArticle]
    rejects: list[Reject]
    records_read: int  # records seen, loaded or rejected; a file-level reject counts one


def decode(data: bytes) -> tuple[str, str] | None:
    """Return (text, encoding) or None. BOMs first, then strict UTF-8, then a detector: the
    detector is slow and sometimes wrong on short texts, so it is the last resort."""
    for bom, enc in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(enc).removeprefix("\ufeff"), enc.replace("-sig", "-bom")
            except UnicodeDecodeError:
                return None
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    best = from_bytes(data, cp_isolation=["cp1256", "utf_16", "iso8859_6", "cp1252"]).best()
    if best is None:
        return None
    return str(best), best.encoding


def _file_reject(
    source: str, member: str | None, reason: str, detail: str, raw: bytes | None = None
) -> Parsed:
    return Parsed([], [Reject(source, member, None, reason, detail, raw)], 1)


_SURROGATE = re.compile("[\ud800-\udfff]")
# Text decoded strictly holds no surrogates: only a JSON escape can make one. A document
# without such an escape skips the per-field check (a valid pair also matches: checked, fine).
_SURROGATE_ESCAPE = re.compile(r"\\u[dD][89a-fA-F]")


def _dump(obj: object) -> bytes:
    try:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8", "surrogatepass")
    except (TypeError, ValueError, RecursionError):
        return repr(obj).encode("utf-8", "surrogatepass")


def _text_of(value: object) -> str:
    if value is None:
        return ""
    return html.unescape(value if isinstance(value, str) else str(value))


def _opt(value: object) -> str | None:
    if value is None:
        return None
    s = str(value).strip()
    return s or None


def parse_txt(
    source: str, member: str | None, name: str, text: str, enc: str, raw: bytes | None = None
) -> Parsed:
    """Headline line, blank line, body. A body that does not follow a blank line is accepted
    (the first line is still the headline): real feeds are not that tidy."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    title = lines[0].strip()
    body = "\n".join(lines[1:]).strip()
    if not body:
        detail = "headline only; expected 'headline, blank line, body'"
        return Parsed([], [Reject(source, member, None, "no_body", detail, raw)], 1)
    m = _ID_FROM_NAME.match(name)
    art = RawArticle(
        source,
        member,
        0,
        html.unescape(title),
        html.unescape(body),
        article_id=m.group(1).lower() if m else None,
        encoding=enc,
    )
    return Parsed([art], [], 1)


def _from_obj(
    source: str,
    member: str | None,
    i: int,
    obj: object,
    enc: str,
    check_surrogates: bool = True,
) -> RawArticle | Reject:
    if not isinstance(obj, dict):
        detail = f"record {i} is {type(obj).__name__}"
        return Reject(source, member, i, "bad_record", detail, _dump(obj))
    title = _text_of(obj.get("title")).strip()
    body = _text_of(obj.get("content", obj.get("body"))).strip()
    if not title and not body:
        detail = f"record {i} has no title and no content"
        return Reject(source, member, i, "no_text", detail, _dump(obj))
    art = RawArticle(
        source,
        member,
        i,
        title,
        body,
        # No id from the record: feeds reuse ids (per file, per split), and the contract is
        # "from the NNN_<hex> file name, else a content hash".
        source=_opt(obj.get("source")),
        url=_opt(obj.get("url")),
        author=_opt(obj.get("author")),
        published_at=_opt(obj.get("date_extracted") or obj.get("published_at")),
        encoding=enc,
    )
    if not check_surrogates:
        return art
    # JSON may escape half a surrogate pair ("\ud800"): a str no UTF-8 (so no Parquet) can hold.
    fields = ("title", "body", "article_id", "source", "url", "author", "published_at")
    bad = [
        f
        for f in fields
        if (v := getattr(art, f)) and not v.isascii() and _SURROGATE.search(v) is not None
    ]
    if bad:
        detail = f"record {i}: unpaired surrogate escape in {', '.join(bad)}"
        return Reject(source, member, i, "invalid_unicode", detail, _dump(obj))
    return art


def parse_json(
    source: str, member: str | None, text: str, enc: str, raw: bytes | None = None
) -> Parsed:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as e:
        return _file_reject(source, member, "malformed_json", str(e)[:300], raw)
    if isinstance(doc, dict):
        doc = doc.get("articles", [doc]) if "title" not in doc else [doc]
    if not isinstance(doc, list):
        detail = "expected an array of articles"
        return _file_reject(source, member, "malformed_json", detail, raw)
    out = Parsed([], [], len(doc))
    check = _SURROGATE_ESCAPE.search(text) is not None
    for i, obj in enumerate(doc):
        rec = _from_obj(source, member, i, obj, enc, check_surrogates=check)
        (out.articles if isinstance(rec, RawArticle) else out.rejects).append(rec)
    return out


def parse_jsonl(source: str, member: str | None, text: str, enc: str) -> Parsed:
    out = Parsed([], [], 0)
    check = _SURROGATE_ESCAPE.search(text) is not None
    # Lines end at '\n' only: str.splitlines() would also split at U+2028/U+2029/U+0085,
    # which JSON allows raw inside strings (and json.dumps(ensure_ascii=False) writes).
    for i, line in enumerate(text.split("\n")):
        line = line.removesuffix("\r")
        if not line.strip():
            continue
        out.records_read += 1
        try:
            obj = json.loads(line)
        except (json.JSONDecodeError, RecursionError) as e:
            detail = f"line {i + 1}: {str(e)[:200]}"
            raw = line.encode("utf-8", "surrogatepass")
            out.rejects.append(Reject(source, member, i, "malformed_jsonl_line", detail, raw))
            continue
        rec = _from_obj(source, member, i, obj, enc, check_surrogates=check)
        if isinstance(rec, Reject):  # quarantine the line as it was, not a re-dump
            rec = replace(rec, raw=line.encode("utf-8", "surrogatepass"))
        (out.articles if isinstance(rec, RawArticle) else out.rejects).append(rec)
    return out


def parse_html(
    source: str, member: str | None, name: str, text: str, enc: str, raw: bytes | None = None
) -> Parsed:
    """A saved news page: headline and paragraphs, scripts and styles dropped
    (transforms/html_reader.py)."""
    from transforms.html_reader import parse_html_text  # selectolax only where pages are read

    page = parse_html_text(text)
    if not page.title and not page.body:
        detail = "the page has no headline and no text once scripts and styles are dropped"
        return _file_reject(source, member, "no_text", detail, raw)
    art = RawArticle(
        source,
        member,
        0,
        page.title,
        page.body,
        url=page.url,
        author=page.author,
        published_at=page.published_at,
        encoding=enc,
    )
    return Parsed([art], [], 1)


# The reader of each article extension: (source, member, name, text, encoding, raw bytes).
Reader = Callable[[str, "str | None", str, str, str, bytes], Parsed]
READERS: dict[str, Reader] = {
    ".txt": lambda s, m, n, t, e, raw: parse_txt(s, m, n.rsplit("/", 1)[-1], t, e, raw),
    ".json": lambda s, m, n, t, e, raw: parse_json(s, m, t, e, raw),
    ".jsonl": lambda s, m, n, t, e, raw: parse_jsonl(s, m, t, e),
    ".html": parse_html,
    ".htm": parse_html,
}
ARTICLE_EXTS = tuple(READERS)
SUPPORTED_EXTS = (*ARTICLE_EXTS, ".zip")
# Documents people save news in that have no reader: say how to export them.
_DOCUMENT_EXTS = (".docx", ".doc", ".odt", ".rtf", ".pdf", ".pages")


def extension(name: str) -> str:
    """`.ext` of a file name, lower-case; '' when it has none."""
    base = name.rsplit("/", 1)[-1]
    return "." + base.rsplit(".", 1)[1].lower() if "." in base.lstrip(".") else ""


def unsupported(source: str) -> Reject | None:
    """The reject of a landing file no reader takes (None when one does), with the fix."""
    ext = extension(source)
    if ext in SUPPORTED_EXTS:
        return None
    formats = ", ".join(ARTICLE_EXTS)
    if ext in _DOCUMENT_EXTS:
        fix = (
            f"{ext} is not supported: save the article as .txt (headline line, blank line, "
            f"body) or .html and put that in the landing zone"
        )
    else:
        what = f"{ext} files are" if ext else "files without an extension are"
        fix = f"{what} not read: convert to one of {formats} (or a .zip of those)"
    return Reject(source, None, None, "unsupported_extension", fix)


def parse_document(source: str, member: str | None, name: str, data: bytes) -> Parsed:
    """One article file (not a zip) from its bytes."""
    if not data.strip():
        return _file_reject(source, member, "empty", "no content", data)
    if b"\x00" in data and not data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return _file_reject(source, member, "binary", "NUL bytes found", data)
    decoded = decode(data)
    if decoded is None:
        detail = "not UTF-8/UTF-16 or a known legacy"
        return _file_reject(source, member, "undecodable", detail, data)
    text, enc = decoded
    if not text.strip():
        return _file_reject(source, member, "empty", "whitespace only", data)
    reader = READERS.get(extension(name), READERS[".json"])
    return reader(source, member, name, text, enc, data)


def _unsafe(name: str) -> bool:
    parts = name.replace("\\", "/").split("/")
    return name.startswith(("/", "\\")) or ".." in parts or (len(name) > 1 and name[1] == ":")


def iter_zip(
    source: str, data: bytes, max_member_bytes: int | None = None
) -> Iterator[tuple[str, bytes] | Reject]:
    """Members of a zip as (name, bytes), in name order; never extracted to disk. A member
    whose declared size is over `max_member_bytes` is rejected unread (zipfile never inflates
    past the declared size, so this also bounds a zip bomb)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            infos = sorted((i for i in zf.infolist() if not i.is_dir()), key=lambda i: i.filename)
            for info in infos:
                name = info.filename
                if not name.lower().endswith(ARTICLE_EXTS) and not _unsafe(name):
                    continue
                if max_member_bytes is not None and info.file_size > max_member_bytes:
                    detail = f"member of {info.file_size} bytes is over {max_member_bytes}"
                    yield Reject(source, name, None, "too_large", detail)
                    continue
                try:
                    # In memory only; an unsafe member is read for the quarantine copy and is
                    # never written under its own name.
                    member = zf.read(info)
                except Exception as e:  # bad CRC, unsupported method, truncated data, …
                    detail = f"{type(e).__name__}: {e}"[:300]
                    yield Reject(source, name, None, "zip_corrupt", detail)
                    continue
                if _unsafe(name):
                    yield Reject(source, name, None, "zip_unsafe_path", name, member)
                else:
                    yield name, member
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, ValueError) as e:
        yield Reject(source, None, None, "zip_corrupt", str(e)[:300], data)
    except Exception as e:  # zipfile raises a zoo of errors on hostile input
        detail = f"{type(e).__name__}: {e}"[:300]
        yield Reject(source, None, None, "zip_corrupt", detail, data)


def parse_file(source: str, data: bytes, max_member_bytes: int | None = None) -> Parsed:
    """Any supported landing file from its bytes. `source` is its landing-relative path.
    `max_member_bytes` limits the inflated size of each zip member."""
    if not source.lower().endswith(".zip"):
        return parse_document(source, None, source, data)
    out = Parsed([], [], 0)
    for item in iter_zip(source, data, max_member_bytes):
        if isinstance(item, Reject):
            out.rejects.append(item)
            out.records_read += 1
            continue
        name, member_data = item
        part = parse_document(source, name, name, member_data)
        out.articles.extend(part.articles)
        out.rejects.extend(part.rejects)
        out.records_read += part.records_read
    return out
