"""ANERcorp (train split, IOB2) for measuring entity extraction: reading, the FIT/DEV split,
pseudo-articles, exact token-span scoring, and mining names and ambiguous words from FIT.

Shared by tests/test_entities_quality.py and benchmarks/bench_entities.py. The corpus is not
in the repo: callers find it at ../shared/corpora/anercorp/train.txt.

Conventions (docs/entities.md, "Measuring"):
- a sentence's text is its tokens, each cleaned (``normalize(tok, "clean")``: ANERcorp has some
  tatweel), joined by spaces; ``DOC_SENTENCES`` consecutive sentences joined by a line break
  form one pseudo-article (the corpus has no article boundaries; the surname and ambiguity
  rules look at the whole text, as they would in an article);
- a mention covers the tokens its span overlaps (proclitics stay on ANERcorp's tokens, so
  ``ولبنان`` is one token whether or not the span includes ``و``); exact match of first
  token, last token and type counts; ``nisba`` mentions are not scored (ANERcorp tags
  demonyms ``O``) and MISC is ignored.
"""

from __future__ import annotations

import bisect
import csv
import hashlib
import io
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from transforms.entity_fold import fold_phrase, fold_words
from transforms.entity_tables import CLITICS, NAMING_KEYWORDS, ORG_KEYWORDS
from transforms.normalize import normalize

FIT_SHARE = 0.8
DOC_SENTENCES = 10
TYPES = ("PER", "LOC", "ORG")
TAG_TYPE = {"PERS": "PER", "LOC": "LOC", "ORG": "ORG"}

Span = tuple[int, int, str]  # first token, last token + 1, type (token indexes in the doc)


@dataclass
class Doc:
    text: str
    token_starts: list[int]  # char offset of each token in text
    gold: set[Span]
    tokens: list[str]


def read_sentences(path: Path) -> list[list[tuple[str, str]]]:
    sents: list[list[tuple[str, str]]] = []
    cur: list[tuple[str, str]] = []
    for line in path.read_text(encoding="utf-8").split("\n"):
        if not line.strip():
            if cur:
                sents.append(cur)
                cur = []
            continue
        tok, _, tag = line.rpartition(" ")
        cur.append((normalize(tok, "clean") or "_", tag))
    if cur:
        sents.append(cur)
    return sents


def split(sents: list) -> tuple[list, list]:
    """FIT: the first 80% of the sentences, DEV: the rest (deterministic)."""
    cut = int(len(sents) * FIT_SHARE)
    return sents[:cut], sents[cut:]


def gold_spans(tags: Sequence[str], offset: int = 0) -> set[Span]:
    out: set[Span] = set()
    start, typ = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        if start >= 0 and not (tag.startswith("I-") and TAG_TYPE.get(tag[2:]) == typ):
            out.add((offset + start, offset + i, typ))
            start = -1
        opens = tag.startswith("B-") or (tag.startswith("I-") and start < 0)
        if opens and tag[2:] in TAG_TYPE:
            start, typ = i, TAG_TYPE[tag[2:]]
    return out


def documents(sents: list, size: int = DOC_SENTENCES) -> list[Doc]:
    docs = []
    for i in range(0, len(sents), size):
        tokens: list[str] = []
        gold: set[Span] = set()
        lines = []
        for s in sents[i : i + size]:
            gold |= gold_spans([t for _w, t in s], len(tokens))
            tokens.extend(w for w, _t in s)
            lines.append(" ".join(w for w, _t in s))
        starts, pos = [], 0
        for line in lines:
            for w in line.split(" "):
                starts.append(pos)
                pos += len(w) + 1
        docs.append(Doc("\n".join(lines), starts, gold, tokens))
    return docs


def predicted_spans(doc: Doc, mentions: Sequence) -> set[Span]:
    out: set[Span] = set()
    for m in mentions:
        if m.rule == "nisba":
            continue
        first = bisect.bisect_right(doc.token_starts, m.start) - 1
        last = bisect.bisect_right(doc.token_starts, m.end - 1) - 1
        out.add((first, last + 1, m.type))
    return out


@dataclass
class Score:
    tp: Counter
    fp: Counter
    fn: Counter

    def prf(self, typ: str | None = None) -> tuple[float, float, float]:
        keys = TYPES if typ is None else (typ,)
        tp = sum(self.tp[k] for k in keys)
        fp = sum(self.fp[k] for k in keys)
        fn = sum(self.fn[k] for k in keys)
        p = 100 * tp / (tp + fp) if tp + fp else 0.0
        r = 100 * tp / (tp + fn) if tp + fn else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)


def score(docs: list[Doc], extract_batch: Callable) -> tuple[Score, list]:
    """Exact-span scores, and the errors (doc index, span, 'fp'/'fn')."""
    tp, fp, fn = Counter(), Counter(), Counter()
    errors = []
    for d, (doc, ms) in enumerate(zip(docs, extract_batch([x.text for x in docs]), strict=True)):
        pred = predicted_spans(doc, ms)
        for s in pred & doc.gold:
            tp[s[2]] += 1
        for s in pred - doc.gold:
            fp[s[2]] += 1
            errors.append((d, s, "fp"))
        for s in doc.gold - pred:
            fn[s[2]] += 1
            errors.append((d, s, "fn"))
    return Score(tp, fp, fn), errors


# --- mining ----------------------------------------------------------------------------------


def _strip_first(tokens: list[str], firsts: Counter) -> list[str]:
    """Drop a proclitic from the first token when the rest is seen as a name start."""
    w = tokens[0]
    for c in sorted((c.decode("cp1256") for c in CLITICS if c), key=len, reverse=True):
        rest = w[len(c) :]
        if w.startswith(c) and len(rest) >= 3 and firsts[rest] > 0:
            return [rest, *tokens[1:]]
        if w.startswith(c + "ل") and rest.startswith("ل") and firsts["ا" + rest] > 0:
            return ["ا" + rest, *tokens[1:]]  # للأمم -> الأمم
    return tokens


def gold_names(docs: list[Doc]) -> Counter:
    """(name, type) -> how often FIT tags it, proclitics dropped."""
    firsts = Counter(doc.tokens[s] for doc in docs for s, _e, _t in doc.gold)
    names: Counter = Counter()
    for doc in docs:
        for s, e, typ in doc.gold:
            names[(" ".join(_strip_first(doc.tokens[s:e], firsts)), typ)] += 1
    return names


def _arabic(name: str) -> bool:
    return not any("a" <= c.lower() <= "z" for c in name) and any(
        "\u0620" <= c <= "\u064a" for c in name
    )


def mined_csv(
    names: Counter, other: dict[bytes, int], min_precision: float, given: set[bytes]
) -> str:
    """The mined-names file: each name with its majority type, kept when it is a name at least
    ``min_precision`` of the times it occurs; a lone given name is left to the rules."""
    by_form: dict[bytes, Counter] = defaultdict(Counter)
    surface: dict[bytes, str] = {}
    for (name, typ), n in names.items():
        f = fold_phrase(name)
        by_form[f][typ] += n
        surface.setdefault(f, name)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["entity_id", "type", "name_ar", "gold", "other", "source"])
    for f in sorted(by_form):
        typ, n = by_form[f].most_common(1)[0]
        total = sum(by_form[f].values()) + other.get(f, 0)
        if len(f) < 3 or n / total < min_precision or not _arabic(surface[f]) or f in given:
            continue
        if f in KEYWORD_FORMS:
            continue  # حزب alone (tagged where a name was cut): the keyword, not a name
        if n < MIN_GOLD.get(typ, 1) and min_precision > 0:
            continue
        h = hashlib.sha256(f).hexdigest()[:10]
        w.writerow([f"anercorp:{typ.lower()}:{h}", typ, surface[f], n, total - n, "anercorp"])
    return buf.getvalue()


#: Naming keywords (حزب، نادي، مدينة ...) are never a name on their own.
KEYWORD_FORMS = (
    frozenset(fold_phrase(w) for words in NAMING_KEYWORDS.values() for w in words.split())
    | ORG_KEYWORDS
)
MIN_GOLD = {"ORG": 2}  # a mined organisation must be tagged at least this often
MIN_PRECISION = 0.5  # a mined name or a shipped alias must be right this often in FIT
MIN_WRONG = 2  # ...and is only judged once it was wrong this many times


def _alias_counts(docs: list[Doc], matcher) -> tuple[Counter, Counter, dict[bytes, str]]:
    """Per (entity_id, folded surface): how often a match is a gold span and how often not."""
    good, bad = Counter(), Counter()
    surface: dict[bytes, str] = {}
    for doc, ms in zip(docs, matcher.extract_batch([d.text for d in docs]), strict=True):
        for m in ms:
            if m.rule not in ("gazetteer", "surname", "context"):
                continue
            span = next(iter(predicted_spans(doc, [m])))
            surf = m.surface
            if surf.startswith("ل") and m.start and doc.text[m.start - 1] == "ل":
                surf = "ا" + surf  # the لل contraction: لأمم -> الأمم
            key = (m.entity_id, fold_phrase(surf))
            surface.setdefault(key[1], surf)
            (good if span in doc.gold else bad)[key] += 1
    return good, bad, surface


def _given_counts(docs: list[Doc], given: set[bytes]) -> tuple[Counter, Counter]:
    """Per given name: how often it is inside a gold person's name (صدام حسين counts for
    حسين), and how often outside any name."""
    as_name, as_word = Counter(), Counter()
    for doc in docs:
        inside = {i for s, e, _t in doc.gold for i in range(s, e)}
        person = {i for s, e, t in doc.gold if t == "PER" for i in range(s, e)}
        for i, tok in enumerate(doc.tokens):
            f = fold_phrase(tok)
            if f in given and (i in person or i not in inside):
                (as_name if i in person else as_word)[f] += 1
    return as_name, as_word


TITLE_MIN = 4  # a title is judged once seen this often
TITLE_DROP = 0.3  # no title when a person follows it less often than this
HONORIFIC_MIN = 0.6  # an honorific whose next words are a name at least this often


def _title_counts(docs: list[Doc], titles: set[bytes]) -> tuple[Counter, Counter]:
    """Per title: how often a gold person starts within the 4 tokens after it, and not."""
    hit, miss = Counter(), Counter()
    for doc in docs:
        per = {s for s, _e, t in doc.gold if t == "PER"}
        toks = [fold_phrase(t) for t in doc.tokens]
        for i in range(len(toks)):
            for n in (3, 2, 1):
                ph = b" ".join(toks[i : i + n])
                forms = [ph] + [ph[len(c) :] for c in CLITICS if c and ph.startswith(c)]
                if ph.startswith(b"\xe1\xe1"):
                    forms.append(b"\xc7" + ph[1:])  # للرئيس -> الرئيس
                t = next((f for f in forms if f in titles), None)
                if t is not None:
                    (hit if per & set(range(i + n, i + n + 4)) else miss)[t] += 1
                    break
    return hit, miss


def mine(docs: list[Doc], build: Callable, lexicons: tuple[set, dict]) -> tuple[str, str]:
    """Names (mined format) and words to treat with care (ambiguous.csv format) from
    annotated ``docs``. ``build(names_csv)`` returns a matcher over the shipped gazetteer plus
    those names; ``lexicons``: the folded given names and titles (folded -> as written)."""
    given, titles = lexicons
    candidates = mined_csv(gold_names(docs), {}, 0.0, given)
    good, bad, surface = _alias_counts(docs, build(candidates))
    other: dict[bytes, int] = {}
    rows: list[tuple[str, str, str, int, int]] = []
    for key in sorted(set(good) | set(bad)):
        g, b = good[key], bad[key]
        if key[0].startswith("anercorp:"):
            other[key[1]] = other.get(key[1], 0) + b
        elif b >= MIN_WRONG and g / (g + b) < MIN_PRECISION:
            rows.append((surface[key[1]], "alias", "a name less often than not", g, b))
    as_name, as_word = _given_counts(docs, given)
    for f in sorted(as_word):
        if as_word[f] >= MIN_WRONG and as_name[f] / (as_name[f] + as_word[f]) < MIN_PRECISION:
            rows.append((f.decode("cp1256"), "given", "mostly a word", as_name[f], as_word[f]))
    hit, miss = _title_counts(docs, set(titles))
    for f in sorted(set(hit) | set(miss)):
        h, m = hit[f], miss[f]
        if h + m >= TITLE_MIN and h / (h + m) < TITLE_DROP:
            rows.append((titles[f], "title", "a person seldom follows", h, m))
        elif h + m >= TITLE_MIN and h / (h + m) < HONORIFIC_MIN:
            rows.append((titles[f], "honorific", "a person often does not follow", h, m))
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["alias", "applies", "reason", "gold", "other", "source"])
    seen = set()
    for alias, applies, why, g, b in rows:
        if (alias, applies) not in seen:
            seen.add((alias, applies))
            w.writerow([alias, applies, f"anercorp: {why}", g, b, "anercorp"])
    return mined_csv(gold_names(docs), other, MIN_PRECISION, given), buf.getvalue()


SHIPPED_MINED = ("anercorp/names.csv", "anercorp/ambiguous.csv", "anercorp/common_words.csv")


def matcher_with(
    names_csv: str | None, ambiguous_csv: str | None = None, common_csv: str | None = None
):
    """A matcher over the shipped gazetteer with the shipped ANERcorp files replaced by these
    CSV texts (None: without them)."""
    from transforms.entities import EntityMatcher
    from transforms.gazetteer import SourceFile, build_gazetteer, read_sources

    sources = read_sources(exclude=SHIPPED_MINED)
    if names_csv:
        sources.append(SourceFile("mined/names.csv", "mined", names_csv))
    if ambiguous_csv:
        sources.append(SourceFile("mined/ambiguous.csv", "ambiguous", ambiguous_csv))
    if common_csv:
        sources.append(SourceFile("mined/common_words.csv", "common", common_csv))
    return EntityMatcher(build_gazetteer(sources))


def mine_docs(docs: list[Doc]) -> tuple[str, str, str]:
    """The three ANERcorp files (names, ambiguous, common words) mined from ``docs``."""
    common = common_words(docs)
    gz = matcher_with(None, None, common).gazetteer
    given = {fold_phrase(g) for g in gz.given_names}
    titles = {fold_phrase(t): t for t in gz.titles}
    names, ambiguous = mine(docs, lambda extra: matcher_with(extra, None, common), (given, titles))
    return names, ambiguous, common


COMMON_MIN = 2  # an ordinary word: outside names at least this often ...
COMMON_NAME_SHARE = 0.1  # ... and inside one at most this share of the time


def common_words(docs: list[Doc]) -> str:
    """Words (as the rules see them) that are mostly not in a person's name (counted outside
    and inside gold PER spans): ``word,other,gold,source``."""
    other, gold = Counter(), Counter()
    surface: dict[bytes, Counter] = defaultdict(Counter)
    for doc in docs:
        inside = {i for s, e, t in doc.gold if t == "PER" for i in range(s, e)}
        for i, tok in enumerate(doc.tokens):
            for f in fold_words(tok):
                (gold if i in inside else other)[f] += 1
                surface[f][tok] += 1
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["word", "other", "gold", "source"])
    seen = set()
    for f in sorted(other):
        o, g = other[f], gold[f]
        word = surface[f].most_common(1)[0][0]
        ordinary = o >= COMMON_MIN and g <= COMMON_NAME_SHARE * (o + g)
        if ordinary and _arabic(word) and word not in seen and " " not in word:
            seen.add(word)
            w.writerow([word, o, g, "anercorp"])
    return buf.getvalue()
