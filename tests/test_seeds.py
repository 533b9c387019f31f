"""Checks on the shipped sample input in seeds/ (stdlib only, no project imports).

The seeds are the default input of `make run`, and seeds/expected_entities.csv is the
hand-computed answer that extraction tests compare the pipeline against. These tests keep the
two from drifting apart: every expected entity must be findable in its article, with the sign
and the context its rule needs, and every `#`/`@` in an article must be either an expected
entity or one of the documented non-tags (digits-only `#2026`, a URL fragment, an e-mail
address, a lone `#` between spaces).
"""

from __future__ import annotations

import csv
import json
import re
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

SEEDS = Path(__file__).resolve().parent.parent / "seeds"
LANDING = SEEDS / "landing"
EXPECTED = SEEDS / "expected_entities.csv"

NAME_RE = re.compile(r"^\d{3}_[0-9a-f]{16}\.txt$")
DATE_DIR_RE = re.compile(r"^(?:date=)?\d{4}-\d{2}-\d{2}$")
JSON_KEYS = {"source", "url", "date_extracted", "title", "author", "content"}
BOM = "\ufeff"

# What the clean step (docs/normalization.md) deletes that can sit inside or next to an entity.
DELETED = {0x0640, 0x200E, 0x200F, 0x061C, *range(0x202A, 0x202F), *range(0x2066, 0x206A)}
BIDI = "\u200e\u200f\u061c\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
ARABIC_LETTER = "[\u0621-\u063a\u0641-\u064a\u0671-\u06d3]"
PROCLITICS = "وفبلك"


def txt_files() -> list[Path]:
    return sorted(LANDING.rglob("*.txt"))


def json_files() -> list[Path]:
    return sorted(LANDING.rglob("*.json"))


def read_raw(path: Path) -> str:
    return path.read_bytes().decode("utf-8")


def split_txt(raw: str) -> tuple[str, str, str]:
    """(headline, separator line, body) after stripping an optional BOM and CRLF."""
    text = raw.removeprefix(BOM).replace("\r\n", "\n")
    headline, _, rest = text.partition("\n")
    sep, _, body = rest.partition("\n")
    return headline, sep, body


def fields_of(path: Path) -> dict[str, str]:
    if path.suffix == ".json":
        records = json.loads(path.read_text(encoding="utf-8"))
        return {
            "title": "\n".join(r["title"] for r in records),
            "body": "\n".join(r["content"] for r in records),
        }
    headline, _, body = split_txt(read_raw(path))
    return {"title": headline, "body": body}


def strip_deleted(text: str) -> str:
    """Delete tatweel and bidi controls the way clean does: one standing right before a sign
    becomes a space (so `و<LRM>#tag` stays a standard tag, never `و#tag`)."""
    out = []
    for i, ch in enumerate(text):
        if ord(ch) in DELETED:
            nxt = text[i + 1] if i + 1 < len(text) else ""
            if nxt in "#＃@＠" and out and not out[-1].isspace():
                out.append(" ")
            continue
        out.append(ch)
    return "".join(out)


def is_tag_char(ch: str) -> bool:
    if not ch:
        return False
    cat = unicodedata.category(ch)
    return cat[0] in "LM" or cat == "Nd" or ch in "_\u200c\u200d"


def load_expected() -> list[dict[str, str]]:
    with EXPECTED.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def entity_pattern(rule: str, kind: str, text: str) -> re.Pattern[str]:
    """Where a sign-less entity of this rule must stand; group 1 spans the whole token."""
    t = re.escape(text)
    if kind == "mention":
        assert rule == "standard", "mentions have no Arabic-news rules"
        return re.compile(r"(?:^|(?<=[^A-Za-z0-9_!#$%&*@＠]))([@＠]" + t + ")")
    if rule == "standard":
        return re.compile(r"(?:^|(?<=[^\w&]))([#＃]" + t + ")", re.M)
    if rule == "proclitic":
        return re.compile(r"(?:^|(?<=[\s\W]))([" + PROCLITICS + "][#＃]" + t + ")", re.M)
    if rule == "displaced":
        if re.match(ARABIC_LETTER, text):
            return re.compile("(?<=" + ARABIC_LETTER + r")([#＃][ \t]+" + t + ")")
        return re.compile(r"(?:^|(?<=\s))(" + t + r"[#＃])(?=\s|$)", re.M)
    raise AssertionError(f"unknown rule {rule!r}")


def entity_spans(row: dict[str, str], text: str) -> list[tuple[int, int]]:
    """Spans of the token for this row, requiring the tag/handle to end where it should."""
    spans = []
    for m in entity_pattern(row["rule"], row["kind"], row["text"]).finditer(text):
        start, end = m.span(1)
        name_end = end - 1 if row["rule"] == "displaced" and text[end - 1] in "#＃" else end
        nxt = text[name_end] if name_end < len(text) else ""
        if row["kind"] == "hashtag" and is_tag_char(nxt):
            continue  # the tag goes on: this is a longer tag, not ours
        if row["kind"] == "mention" and len(row["text"]) < 20 and re.match(r"[A-Za-z0-9_]", nxt):
            continue
        spans.append((start, end))
    return spans


# --- the articles themselves -------------------------------------------------------------


def test_user_example_is_shipped():
    assert (LANDING / "2026-11-24" / "000_d0de07fd3e4728fb.txt").is_file()


@pytest.mark.parametrize("path", txt_files(), ids=lambda p: str(p.relative_to(LANDING)))
def test_txt_article_shape(path: Path):
    assert NAME_RE.match(path.name), path.name
    assert path.parent == LANDING or DATE_DIR_RE.match(path.parent.name), path.parent
    headline, sep, body = split_txt(read_raw(path))
    assert headline.strip(), "empty headline line"
    assert sep.strip() == "", "second line must be blank"
    assert body.strip(), "empty body"
    assert "\r" not in headline + body, "stray CR"


def test_article_counts_and_date_folders():
    files = txt_files()
    assert len(files) >= 23
    date_dirs = {p.parent.name for p in files if p.parent != LANDING}
    assert len(date_dirs) >= 3, date_dirs
    assert all(DATE_DIR_RE.match(d) for d in date_dirs)
    assert any(p.parent == LANDING for p in files), "one article directly in landing/"
    ids = [p.name[4:20] for p in files]
    assert len(ids) == len(set(ids)), "article ids (hex) must be unique"


def test_json_wire_file():
    paths = json_files()
    assert paths, "no .json seed"
    for path in paths:
        records = json.loads(path.read_text(encoding="utf-8"))
        assert isinstance(records, list) and records
        for r in records:
            assert set(r) == JSON_KEYS, set(r) ^ JSON_KEYS
            assert all(isinstance(v, str) for v in r.values())
            assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}", r["date_extracted"])
            assert r["title"].strip() and r["content"].strip()


# --- the hand-computed answer ------------------------------------------------------------


def test_expected_entities_well_formed():
    with EXPECTED.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f))
    assert header == ["file", "field", "rule", "kind", "text"]
    rows = load_expected()
    assert rows
    for row in rows:
        assert (LANDING / row["file"]).is_file(), row
        assert row["field"] in {"title", "body"}, row
        assert row["rule"] in {"standard", "proclitic", "displaced"}, row
        assert row["kind"] in {"hashtag", "mention"}, row
        assert row["text"] and row["text"] == row["text"].strip(), row
        assert unicodedata.is_normalized("NFC", row["text"]), row
        assert not any(ord(c) in DELETED for c in row["text"]), "text is the CLEAN form"
        if row["kind"] == "mention":
            assert re.fullmatch(r"[A-Za-z0-9_]{1,20}", row["text"]), row


def test_expected_entities_occur_in_articles():
    rows = load_expected()
    want = Counter((r["file"], r["field"], r["rule"], r["kind"], r["text"]) for r in rows)
    for (file, field, rule, kind, text), n in want.items():
        field_text = strip_deleted(fields_of(LANDING / file)[field])
        row = {"rule": rule, "kind": kind, "text": text}
        found = len(entity_spans(row, field_text))
        assert found >= n, f"{file} {field}: {kind} {text!r} ({rule}) expected {n}, found {found}"


def test_every_sign_is_accounted_for():
    """Each # and @ in an article is an expected entity or a documented non-tag."""
    rows = load_expected()
    by_field: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        by_field.setdefault((r["file"], r["field"]), []).append(r)
    problems = []
    for path in [*txt_files(), *json_files()]:
        rel = path.relative_to(LANDING).as_posix()
        for field, raw in fields_of(path).items():
            text = strip_deleted(raw)
            covered: set[int] = set()
            for r in by_field.get((rel, field), []):
                for s, e in entity_spans(r, text):
                    covered.update(range(s, e))
            urls = {i for m in re.finditer(r"https?://\S+", text) for i in range(*m.span())}
            for m in re.finditer(r"[#＃@＠]", text):
                i = m.start()
                if i in covered or i in urls:
                    continue
                before, after = text[i - 1 : i] if i else "", text[i + 1 : i + 2]
                if m.group() in "#＃":
                    if re.match(r"[#＃][0-9\u0660-\u0669\u06f0-\u06f9]+(?!\w)", text[i:]):
                        continue  # digits-only: not a tag
                    if before.isspace() and after.isspace():
                        continue  # a lone sign between spaces
                elif re.match(r"[A-Za-z0-9._%+-]", before):
                    continue  # e-mail address
                problems.append(f"{rel} {field}: unlisted sign at {i}: {text[i - 15 : i + 20]!r}")
    assert not problems, "\n".join(problems)


# --- feature coverage --------------------------------------------------------------------

AR = ARABIC_LETTER
FEATURES: dict[str, tuple[str, int]] = {
    # name: (regex over the raw decoded text, minimum number of files)
    "hashtag, Arabic": ("#" + AR, 2),
    "hashtag with underscore": ("#" + AR + r"+_" + AR, 2),
    "hashtag with Latin and digits": (r"#[A-Za-z]+[0-9]+\b", 2),
    "hashtag, Arabic with ASCII digits": ("#" + AR + r"+_?[0-9]+", 2),
    "hashtag with Arabic-Indic digits": ("#" + AR + "+[\u0660-\u0669]+", 2),
    "digits-only non-tag": (r"(?<!\w)#[0-9\u0660-\u0669]+(?!\w)", 2),
    "tatweel inside a tag": ("#" + AR + "+\u0640", 2),
    "diacritics inside a tag": ("#" + AR + "+[\u064b-\u0652]", 2),
    "#الرياض plain": (r"#الرياض(?!\w)", 1),
    "#الرياض with tatweel": ("#الري\u0640+اض", 2),
    "#الرّياض with shadda": ("#الرّياض", 1),
    "#أخبار": (r"#أخبار(?![\w_])", 1),
    "#اخبار": (r"#اخبار(?![\w_])", 1),
    "proclitic": (r"(?:^|(?<=[\s\W]))[" + PROCLITICS + "]#" + AR, 2),
    "displaced after Arabic word": (AR + "#[ \t]+" + AR, 2),
    "displaced Latin word": (r"(?:^|(?<=\s))[A-Za-z]{2,}#(?=\s|$)", 2),
    "hashtag in parentheses": (r"\(#\w", 2),
    "hashtag in guillemets": (r"«#[^»]+»", 2),
    "hashtag ended by Arabic comma": ("#" + AR + "[^\\s#،]*،", 2),
    "hashtag ended by Arabic question mark": ("#" + AR + "[^\\s#؟]*؟", 2),
    "# followed by a space": (r"# ", 2),
    "# inside a URL": (r"https?://\S+#\S+", 2),
    "@mention": (r"(?:^|(?<=\s))@[A-Za-z][A-Za-z0-9_]+", 2),
    "@mention glued after Arabic letter": (AR + r"@[A-Za-z]", 2),
    "e-mail address": (r"[A-Za-z0-9._]+@[A-Za-z0-9-]+\.[a-z]{2,}", 2),
    "handle longer than 20": (r"@[A-Za-z0-9_]{21,}", 2),
    "harakat in text": ("[\u064b-\u0652]", 2),
    "tatweel": ("\u0640", 2),
    "presentation forms": ("[\ufb50-\ufdff\ufe70-\ufefe]", 2),
    "ﻻ lam-alef ligature": ("\ufefb", 1),
    "ﷲ ligature": ("\ufdf2", 1),
    "ﷺ ligature": ("\ufdfa", 1),
    "﷼ rial sign": ("\ufdfc", 2),
    "RLM": ("\u200f", 2),
    "LRM": ("\u200e", 2),
    "isolates around a hashtag": ("\u2067#[^\u2069]+\u2069", 2),
    "NBSP": ("\u00a0", 2),
    "ZWNJ": ("\u200c", 2),
    "Arabic-Indic digits": ("[\u0660-\u0669]", 2),
    "Persian digits": ("[\u06f0-\u06f9]", 2),
    "quoted English sentence": (r"\"[A-Z][A-Za-z ,']+[.!?]\"", 2),
    "Latin company name": (r"\b[A-Z][a-z]+ (?:Cloud|Robotics|Telecom|Networks)\b", 2),
    "Arabic comma": ("،", 2),
    "Arabic semicolon": ("؛", 2),
    "Arabic question mark": ("؟", 2),
    "'.,' paragraph gluing": (r"\.,", 2),
}


def all_raw() -> dict[str, str]:
    paths = [*txt_files(), *json_files()]
    return {p.relative_to(LANDING).as_posix(): read_raw(p) for p in paths}


@pytest.mark.parametrize("name", list(FEATURES))
def test_feature_present(name: str):
    pattern, minimum = FEATURES[name]
    rx = re.compile(pattern, re.M)
    hits = [f for f, raw in all_raw().items() if rx.search(raw)]
    assert len(hits) >= minimum, f"{name}: found in {hits}"


def test_file_level_features():
    headlines, bodies, raws = [], [], []
    for p in txt_files():
        raw_bytes = p.read_bytes()
        raws.append(raw_bytes)
        h, _, b = split_txt(raw_bytes.decode("utf-8"))
        headlines.append(h)
        bodies.append(b)
    assert sum(b.startswith("\ufeff".encode()) for b in raws) >= 1, "a UTF-8 BOM"
    assert sum(b"\r\n" in b for b in raws) >= 1, "CRLF line endings"
    assert sum(bool(re.search(r"\S\.\. \S", h)) for h in headlines) >= 2, "X.. Y headlines"
    assert sum(b[:1].isspace() for b in bodies) >= 2, "bodies starting with whitespace"
    assert sum("&quot;" in h for h in headlines) >= 1, "an HTML entity in a title"
    assert sum("#" in h for h in headlines) >= 2, "hashtags in titles"
