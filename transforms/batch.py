"""Turn parsed records into Arrow tables for the lake: clean, normalize, hash, extract.

Works on whole batches (one `transforms.text` / `extract_batch` call per column), so a Prefect
task handles thousands of articles at a time.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import pyarrow as pa

from transforms import schemas
from transforms.article_text import TextColumns, text_columns
from transforms.entity_rows import ArticleKeys, entity_mentions
from transforms.extract import extract_batch
from transforms.hashset import HashSet
from transforms.normalize import NORMALIZER_VERSION
from transforms.readers import RawArticle, Reject

# The column path, shared with the library API: clean gives the strings (for extraction) and
# the Arrow array (for the lake); transforms.article_text derives the rest from them.
from transforms.text import clean_column as _clean_column


def content_hash(title: str, body: str) -> str:
    """Identity of an article's content: hash of clean title and body. 16 hex digits (64 bits)
    keep collisions out of reach for billions of articles."""
    h = hashlib.blake2b(digest_size=8)
    h.update(title.encode("utf-8", "surrogatepass"))
    h.update(b"\x00")
    h.update(body.encode("utf-8", "surrogatepass"))
    return h.hexdigest()


def _utf8_slices(arr: pa.Array) -> tuple[memoryview, list[int]]:
    """The UTF-8 bytes and offsets of a string array without nulls (arr[i] is
    data[offsets[i]:offsets[i + 1]])."""
    _validity, offsets, data = arr.buffers()
    offs = memoryview(offsets).cast("i")[arr.offset : arr.offset + len(arr) + 1].tolist()
    return memoryview(data) if data is not None else memoryview(b""), offs


def content_hashes(titles: pa.Array, bodies: pa.Array) -> list[str]:
    """``content_hash`` of each (title, body) of two string arrays, from their UTF-8 buffers:
    the arrays are built anyway, and encoding every text a second time for the hash cost
    as much as hashing it."""
    (td, to), (bd, bo) = _utf8_slices(titles), _utf8_slices(bodies)
    blake2b = hashlib.blake2b
    out = []
    for i in range(len(titles)):
        h = blake2b(td[to[i] : to[i + 1]], digest_size=8)
        h.update(b"\x00")
        h.update(bd[bo[i] : bo[i + 1]])
        out.append(h.hexdigest())
    return out


@dataclass(slots=True)
class Transformed:
    articles: pa.Table
    hashtags: pa.Table
    mentions: pa.Table
    rejects: pa.Table
    duplicates: int = 0
    # (source_file, member, record, content_hash) of each record dropped as a duplicate
    duplicate_rows: list[tuple[str, str | None, int, str]] = field(default_factory=list)
    # For each hashtag / mention row, the index of its article's row in `articles`: ids alone
    # cannot link them (two records of one file may share an NNN_<hex> name inside a zip).
    hashtag_articles: list[int] = field(default_factory=list)
    mention_articles: list[int] = field(default_factory=list)
    entity_mentions: pa.Table = field(default_factory=schemas.ENTITY_MENTIONS.empty_table)
    entity_articles: list[int] = field(default_factory=list)


def rejects_table(rejects: Iterable[Reject], ingest_date: dt.date, run_id: str) -> pa.Table:
    rows = list(rejects)
    return pa.table(
        {
            "source_file": [r.source_file for r in rows],
            "member": [r.member for r in rows],
            "record": [r.record for r in rows],
            "reason": [r.reason for r in rows],
            "detail": [r.detail for r in rows],
            "ingest_date": [ingest_date] * len(rows),
            "run_id": [run_id] * len(rows),
        },
        schema=schemas.REJECTS,
    )


@dataclass(slots=True)
class _Kept:
    """The records of a batch that become articles (not rejected, not a duplicate of an
    earlier record of the batch), with their clean texts: what every table built from them
    needs."""

    records: list[RawArticle]
    hashes: list[str]
    titles: list[str]
    bodies: list[str]
    ingest_date: dt.date
    run_id: str
    ids: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.ids = [r.article_id or h for r, h in zip(self.records, self.hashes, strict=True)]


def _entities_table(
    schema: pa.Schema, name_col: str, found: Sequence[tuple[int, object]], kept: _Kept
) -> pa.Table:
    # `found` indexes the concatenation [titles..., bodies...]: row < n is a title.
    n = len(kept.records)
    cols: dict[str, list] = {name: [] for name in schema.names}
    for row, ent in found:
        art = row % n
        cols["article_id"].append(kept.ids[art])
        cols["source_file"].append(kept.records[art].source_file)
        cols["field"].append(("title", "body")[row // n])
        cols[name_col].append(ent.text)
        cols["key"].append(ent.key)
        cols["start_pos"].append(ent.start)
        cols["end_pos"].append(ent.end)
        cols["rule"].append(ent.rule)
    cols["ingest_date"] = [kept.ingest_date] * len(found)
    cols["run_id"] = [kept.run_id] * len(found)
    return pa.table(cols, schema=schema)


def _per_article(found: Sequence[tuple[int, object]], n: int) -> list[int]:
    """How many of `found` (indexing [titles..., bodies...]) each of the n articles has."""
    counts = [0] * n
    for row, _ in found:
        counts[row % n] += 1
    return counts


def _articles_table(
    kept: _Kept,
    title_arr: pa.Array,
    body_arr: pa.Array,
    text: TextColumns,
    n_tags: list[int],
    n_ments: list[int],
) -> pa.Table:
    recs, n = kept.records, len(kept.records)
    return pa.table(
        {
            "article_id": kept.ids,
            "source_file": [r.source_file for r in recs],
            "member": [r.member for r in recs],
            "record": [r.record for r in recs],
            "title": title_arr,
            "body": body_arr,
            "title_norm": text.title_norm,
            "body_norm": text.body_norm,
            "source": [r.source for r in recs],
            "url": [r.url for r in recs],
            "author": [r.author for r in recs],
            "published_at": [r.published_at for r in recs],
            "encoding": [r.encoding for r in recs],
            "content_hash": kept.hashes,
            "title_chars": [len(t) for t in kept.titles],
            "body_chars": [len(b) for b in kept.bodies],
            "code_chars": text.code_chars,
            "arabic_ratio": text.arabic_ratio,
            "n_hashtags": n_tags,
            "n_mentions": n_ments,
            "ingest_date": [kept.ingest_date] * n,
            "run_id": [kept.run_id] * n,
            "normalizer_version": [NORMALIZER_VERSION] * n,
        },
        schema=schemas.ARTICLES,
    )


def _screen(
    records: Sequence[RawArticle], titles: list[str], bodies: list[str], hashes: list[str]
) -> tuple[list[int], list[Reject], list[tuple[str, str | None, int, str]]]:
    """The indexes of the records kept; the rejected (no text left after cleaning); the
    duplicates of an earlier record of the batch, as (source_file, member, record, hash)."""
    seen: set[str] = set()
    keep: list[int] = []
    rejects: list[Reject] = []
    dups: list[tuple[str, str | None, int, str]] = []
    for i, r in enumerate(records):
        if not titles[i] and not bodies[i]:
            detail = "nothing left after cleaning (only controls or spaces)"
            rejects.append(Reject(r.source_file, r.member, r.record, "no_text", detail))
            continue
        h = hashes[i]
        if h in seen:
            dups.append((r.source_file, r.member, r.record, h))
            continue
        seen.add(h)
        keep.append(i)
    return keep, rejects, dups


def transform(
    records: Sequence[RawArticle],
    ingest_date: dt.date,
    run_id: str,
    entities_file: str | None = None,
) -> Transformed:
    """Clean, normalize and extract a batch. Records whose clean content was seen earlier in
    the batch are counted as duplicates; records with no text left after cleaning are
    rejected. `entities_file`: an analyst's gazetteer CSV merged over the shipped one."""
    titles, title_arr = _clean_column([r.title for r in records])
    bodies, body_arr = _clean_column([r.body for r in records])
    all_hashes = content_hashes(title_arr, body_arr)
    keep, rejects, dups = _screen(records, titles, bodies, all_hashes)
    kept = _Kept(
        [records[i] for i in keep],
        [all_hashes[i] for i in keep],
        [titles[i] for i in keep],
        [bodies[i] for i in keep],
        ingest_date,
        run_id,
    )
    if len(keep) != len(records):
        rows = pa.array(keep, pa.int64())
        title_arr, body_arr = title_arr.take(rows), body_arr.take(rows)
    n = len(keep)
    # extraction reads the text with its code blanked out (transforms/article_text.py)
    text = text_columns(kept.titles, kept.bodies, title_arr, body_arr)
    tags, ments = extract_batch(text.titles + text.bodies)
    articles = _articles_table(
        kept, title_arr, body_arr, text, _per_article(tags, n), _per_article(ments, n)
    )
    keys = ArticleKeys(kept.ids, [r.source_file for r in kept.records], ingest_date, run_id)
    ents, ent_arts = entity_mentions(text.titles, text.bodies, keys, entities_file)
    return Transformed(
        articles=articles,
        hashtags=_entities_table(schemas.HASHTAGS, "tag", tags, kept),
        mentions=_entities_table(schemas.MENTIONS, "handle", ments, kept),
        rejects=rejects_table(rejects, ingest_date, run_id),
        duplicates=len(dups),
        duplicate_rows=dups,
        hashtag_articles=[row % n for row, _ in tags],
        mention_articles=[row % n for row, _ in ments],
        entity_mentions=ents,
        entity_articles=ent_arts,
    )


def _rows_kept(t: pa.Table, keep: list[bool]) -> pa.Table:
    """``t.filter(keep)`` without copying: the kept runs of rows as zero-copy slices. A few
    rows of a batch are duplicates of earlier batches; filtering (or take) would copy every
    text of the batch for them, in the run's own process (the single writer)."""
    if all(keep):
        return t
    runs: list[pa.Table] = []
    start = None
    for i, k in enumerate(keep):
        if k and start is None:
            start = i
        elif not k and start is not None:
            runs.append(t.slice(start, i - start))
            start = None
    if start is not None:
        runs.append(t.slice(start))
    return pa.concat_tables(runs) if runs else t.slice(0, 0)


def drop_duplicates(
    tr: Transformed, seen: set[str] | HashSet, seen_ids: set[str] | None = None
) -> Transformed:
    """Drop articles whose content is in `seen` (content loaded earlier) with their entities,
    and add the kept ones to `seen`. Processing batches in (date, path) order makes the
    canonical copy deterministic: the first one in that order, or the one already loaded.

    With `seen_ids` (the article ids in use that are not their article's content hash), a
    kept article whose file-name id is taken by other content (two `NNN_<hex>.txt` files of the
    same name) gets its content hash as id instead, so `article_id` stays unique. Ids that are
    content hashes are known from `seen` itself, so `seen_ids` only holds file-name ids: a
    million-article corpus from JSON keeps one set of hashes in memory, not two."""
    hashes = tr.articles["content_hash"].to_pylist()
    ids = tr.articles["article_id"].to_pylist()
    keep_mask: list[bool] = []
    new_ids: list[str] = []
    dups = list(tr.duplicate_rows)
    srcs = tr.articles["source_file"].to_pylist()
    recs = tr.articles["record"].to_pylist()
    members = tr.articles["member"].to_pylist()
    # Looked up for the whole part at once (a HashSet searches its array once); what this
    # loop adds is in `added`.
    prior = seen.contains_many(hashes) if isinstance(seen, HashSet) else [h in seen for h in hashes]
    added: set[str] = set()
    for h, aid, src, rec, mem, was in zip(hashes, ids, srcs, recs, members, prior, strict=True):
        if was or h in added:
            keep_mask.append(False)
            dups.append((src, mem, rec, h))
            continue
        keep_mask.append(True)
        added.add(h)
        seen.add(h)
        if seen_ids is not None and aid != h:
            if aid in seen_ids or aid in seen:  # (in seen: another article's hash, or id)
                aid = h
            else:
                seen_ids.add(aid)
        new_ids.append(aid)
    return _relinked(tr, keep_mask, new_ids, dups)


def _relink(
    t: pa.Table, arts: list[int], new_pos: dict[int, int], new_ids: list[str]
) -> tuple[pa.Table, list[int]]:
    """The rows of `t` (one per entity, `arts` its article's row) whose article is kept, with
    that article's new id and row."""
    mask = [a in new_pos for a in arts]
    kept_arts = [new_pos[a] for a in arts if a in new_pos]
    t = t.filter(pa.array(mask, type=pa.bool_()))
    col = pa.array([new_ids[a] for a in kept_arts], pa.string())
    return t.set_column(t.schema.get_field_index("article_id"), "article_id", col), kept_arts


def _relinked(
    tr: Transformed,
    keep_mask: list[bool],
    new_ids: list[str],
    dups: list[tuple[str, str | None, int, str]],
) -> Transformed:
    """`tr` with only the kept articles (under their new ids) and the entities that stay."""
    # New positions of the kept articles, to re-link the entities that stay.
    new_pos: dict[int, int] = {}
    for i, keep in enumerate(keep_mask):
        if keep:
            new_pos[i] = len(new_pos)
    articles = _rows_kept(tr.articles, keep_mask)
    articles = articles.set_column(
        articles.schema.get_field_index("article_id"), "article_id", pa.array(new_ids, pa.string())
    )
    tags, tag_arts = _relink(tr.hashtags, tr.hashtag_articles, new_pos, new_ids)
    ments, ment_arts = _relink(tr.mentions, tr.mention_articles, new_pos, new_ids)
    ents, ent_arts = _relink(tr.entity_mentions, tr.entity_articles, new_pos, new_ids)
    return Transformed(
        articles=articles,
        hashtags=tags,
        mentions=ments,
        rejects=tr.rejects,
        duplicates=len(dups),
        duplicate_rows=dups,
        hashtag_articles=tag_arts,
        mention_articles=ment_arts,
        entity_mentions=ents,
        entity_articles=ent_arts,
    )


def duplicates_table(
    rows: Sequence[tuple[str, str | None, int, str]], ingest_date: dt.date, run_id: str
) -> pa.Table:
    """The records dropped as duplicates: which copy of which content, so that a later change
    to the loaded copy can bring a duplicate back (see flows.pipeline.plan_nightly)."""
    return pa.table(
        {
            "source_file": [r[0] for r in rows],
            "member": [r[1] for r in rows],
            "record": [r[2] for r in rows],
            "content_hash": [r[3] for r in rows],
            "ingest_date": [ingest_date] * len(rows),
            "run_id": [run_id] * len(rows),
        },
        schema=schemas.DUPLICATES,
    )
