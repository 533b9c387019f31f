"""Arrow schemas of every lake table: declared once, so Parquet files, DuckDB tables and
concatenations never disagree about a type (pandas 3 would otherwise hand us large_string)."""

from __future__ import annotations

import pyarrow as pa

_S = pa.string()
_I32 = pa.int32()
_I64 = pa.int64()
_TS = pa.timestamp("us", tz="UTC")

ARTICLES = pa.schema(
    [
        ("article_id", _S),
        ("source_file", _S),  # landing path relative to the landing dir, '/' separators
        ("member", _S),  # member name inside a .zip, else null
        ("record", _I32),  # 0-based record number inside the file (line number for .jsonl)
        ("title", _S),
        ("body", _S),
        ("title_norm", _S),
        ("body_norm", _S),
        ("source", _S),
        ("url", _S),
        ("author", _S),
        ("published_at", _S),  # as given by the source (SaudiNewsNet's date_extracted)
        ("encoding", _S),  # detected input encoding
        ("content_hash", _S),
        ("title_chars", _I32),
        ("body_chars", _I32),
        ("code_chars", _I32),  # characters of title and body that are code (code_text.py)
        ("arabic_ratio", pa.float64()),  # Arabic letters / letters, code left out (language.py)
        ("n_hashtags", _I32),
        ("n_mentions", _I32),
        ("ingest_date", pa.date32()),
        ("run_id", _S),
        ("normalizer_version", _S),
    ]
)

_ENTITY_COMMON = [
    ("article_id", _S),
    ("source_file", _S),
    ("field", _S),  # 'title' or 'body'
]
_ENTITY_TAIL = [
    ("key", _S),
    ("start_pos", _I32),  # code points in the field's clean text; the sign is not included
    ("end_pos", _I32),
    ("rule", _S),  # 'standard', 'proclitic' or 'displaced'
    ("ingest_date", pa.date32()),
    ("run_id", _S),
]
HASHTAGS = pa.schema([*_ENTITY_COMMON, ("tag", _S), *_ENTITY_TAIL])
MENTIONS = pa.schema([*_ENTITY_COMMON, ("handle", _S), *_ENTITY_TAIL])

# One row per mention of a person, place or organisation (transforms/entities.py). The span
# leaves out a proclitic; `rule` says how it was found (`gazetteer`, `nisba`, `title`, ...).
ENTITY_MENTIONS = pa.schema(
    [
        *_ENTITY_COMMON,
        ("entity_id", _S),  # the gazetteer's id; `x:per:…` for a name found by a rule alone
        ("type", _S),  # PER | LOC | ORG
        ("surface", _S),  # the field's clean text [start_pos:end_pos]
        ("start_pos", _I32),
        ("end_pos", _I32),
        ("rule", _S),
        ("ingest_date", pa.date32()),
        ("run_id", _S),
        ("gazetteer_version", _S),
    ]
)

# The gazetteer a run matched with, one file per gazetteer version (append-only, like runs).
ENTITIES = pa.schema(
    [
        ("entity_id", _S),
        ("type", _S),
        ("subtype", _S),
        ("name_ar", _S),
        ("name_en", _S),
        ("source", _S),
        ("gazetteer_version", _S),
        ("ingest_date", pa.date32()),  # the logical date of the run that first used it
    ]
)
ENTITY_ALIASES = pa.schema(
    [
        ("entity_id", _S),
        ("alias", _S),
        ("alias_key", _S),  # normalize(alias, "search"): what ar_norm(term) is compared with
        ("kind", _S),  # name | alias | nisba | nisba_plural
        ("gazetteer_version", _S),
        ("ingest_date", pa.date32()),
    ]
)

REJECTS = pa.schema(
    [
        ("source_file", _S),
        ("member", _S),
        ("record", _I32),  # null when the whole file is rejected
        ("reason", _S),  # a reason code, see transforms.readers.REASONS
        ("detail", _S),
        ("ingest_date", pa.date32()),
        ("run_id", _S),
    ]
)

DUPLICATES = pa.schema(
    [
        ("source_file", _S),  # where the duplicate record was read
        ("member", _S),
        ("record", _I32),
        ("content_hash", _S),  # equals articles.content_hash of the copy that was loaded
        ("ingest_date", pa.date32()),
        ("run_id", _S),
    ]
)

FILE_MANIFEST = pa.schema(
    [
        ("path", _S),
        ("size", _I64),
        ("mtime_ns", _I64),
        ("content_hash", _S),
        ("status", _S),  # loaded | rejected
        ("records", _I32),
        ("articles", _I32),
        ("duplicates", _I32),
        ("rejected", _I32),
        ("ingest_date", pa.date32()),
        ("run_id", _S),
    ]
)

FUNNEL = (
    "files_seen",
    "files_new",
    "files_changed",
    "files_reread",  # unchanged files read again: they held duplicates of changed content
    "files_unchanged",
    "files_deleted",
    "files_skipped",
    "files_loaded",
    "files_rejected",
    "records_read",
    "articles_loaded",
    "duplicates",
    "records_rejected",
    "hashtags",
    "mentions",
    "entity_mentions",
    "code_articles",  # articles loaded with code in them (articles.code_chars > 0)
    "non_arabic_articles",  # articles loaded with arabic_ratio < language.NON_ARABIC_BELOW
)

RUNS = pa.schema(
    [
        ("run_id", _S),
        ("flow", _S),
        ("parameters", _S),  # JSON
        ("started_at", _TS),
        ("finished_at", _TS),
        ("status", _S),  # completed | failed
        *[(name, _I64) for name in FUNNEL],
        ("dates", _S),  # JSON list of the ingest dates replaced
        ("error", _S),
        ("normalizer_version", _S),
        ("ingest_date", pa.date32()),  # the run's logical date
    ]
)

TABLES: dict[str, pa.Schema] = {
    "articles": ARTICLES,
    "hashtags": HASHTAGS,
    "mentions": MENTIONS,
    "rejects": REJECTS,
    "duplicates": DUPLICATES,
    "file_manifest": FILE_MANIFEST,
    "runs": RUNS,
    "entity_mentions": ENTITY_MENTIONS,
    "entities": ENTITIES,
    "entity_aliases": ENTITY_ALIASES,
}

# Tables whose files are only ever added (one per run, one per gazetteer version), never
# replaced by date: the file name's stem, after the prefix, is the value of the key column.
APPEND_ONLY: dict[str, tuple[str, str]] = {
    "runs": ("run_id", "run-"),
    "entities": ("gazetteer_version", "gazetteer-"),
    "entity_aliases": ("gazetteer_version", "gazetteer-"),
}
