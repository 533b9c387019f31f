-- tables: what the warehouse's tables and their columns hold, as DuckDB comments
-- (duckdb_tables().comment, duckdb_columns().comment; DBeaver shows them). Applied by
-- flows/sql_objects.py's install_objects() with the views and macros, one statement a line.
-- The README's "Tables" section says the same in prose.
COMMENT ON TABLE articles IS 'One row per loaded article: its clean text (title, body) and search form (title_norm, body_norm), where it came from, and its counts.';
COMMENT ON COLUMN articles.article_id IS 'The hex of an NNN_<hex>.txt file name, else the content hash of the article.';
COMMENT ON COLUMN articles.source_file IS 'The landing file, relative to the landing dir (member: the file inside a .zip; record: the record number in a .json/.jsonl file).';
COMMENT ON COLUMN articles.title IS 'The clean title: display-safe (tatweel, bidi controls and presentation forms removed; harakat kept).';
COMMENT ON COLUMN articles.body IS 'The clean body: display-safe; hashtag and mention spans are code points of this text.';
COMMENT ON COLUMN articles.title_norm IS 'The title in the search form (ar_norm): harakat removed, alef/yeh/teh marbuta folded, digits 0-9, lower case.';
COMMENT ON COLUMN articles.body_norm IS 'The body in the search form (ar_norm), code left out: compare with ar_norm(term), or use search_articles(term).';
COMMENT ON COLUMN articles.encoding IS 'The encoding the file was decoded from.';
COMMENT ON COLUMN articles.content_hash IS 'Hash of the clean title and body: a record with a loaded hash is a duplicate (table duplicates).';
COMMENT ON COLUMN articles.ingest_date IS 'The landing folder''s date (else the run''s --date): the partition a backfill replaces.';
COMMENT ON COLUMN articles.run_id IS 'The run that loaded the row (table runs).';
COMMENT ON COLUMN articles.normalizer_version IS 'The version of the normalization that produced title/body and their search forms.';
COMMENT ON COLUMN articles.code_chars IS 'Characters of title and body that are CSS/JS/JSON scraped into the text: kept in body, left out of hashtags, mentions, entities and the search form.';
COMMENT ON COLUMN articles.arabic_ratio IS 'Arabic letters / all letters of title and body, code left out (null without letters); below 0.5 the article counts as not Arabic.';
COMMENT ON TABLE hashtags IS 'One row per hashtag occurrence in an article''s title or body.';
COMMENT ON COLUMN hashtags.field IS 'title or body: the text that [start_pos:end_pos] indexes.';
COMMENT ON COLUMN hashtags.tag IS 'The hashtag as written, without its #.';
COMMENT ON COLUMN hashtags.key IS 'The search form of the tag (ar_norm, without #): count and join on this.';
COMMENT ON COLUMN hashtags.start_pos IS 'Code point where the tag (without its #) starts in the clean field, 0-based.';
COMMENT ON COLUMN hashtags.end_pos IS 'Code point where the tag ends in the clean field (exclusive).';
COMMENT ON COLUMN hashtags.rule IS 'The extraction rule: standard (twitter-text), proclitic (و#حفتر) or displaced (من# روسيا).';
COMMENT ON TABLE mentions IS 'One row per @mention occurrence in an article''s title or body.';
COMMENT ON COLUMN mentions.handle IS 'The handle as written, without its @ (at most 20 characters).';
COMMENT ON COLUMN mentions.key IS 'The lower-case handle: count and join on this.';
COMMENT ON TABLE rejects IS 'One row per rejected file or record, with the reason; the file is kept in <data>/quarantine/.';
COMMENT ON COLUMN rejects.reason IS 'A reason code: empty, no_body, malformed_json, too_large, …';
COMMENT ON COLUMN rejects.detail IS 'What was wrong, in words, and what to do.';
COMMENT ON TABLE duplicates IS 'One row per record not loaded because an article with the same content was already loaded (join articles on content_hash).';
COMMENT ON TABLE runs IS 'One row per run: its flow, parameters, outcome and funnel counts (v_run_history shows them newest first).';
COMMENT ON TABLE file_manifest IS 'One row per landing file loaded: what a nightly run compares the landing zone with.';
COMMENT ON TABLE entity_mentions IS 'One row per mention of a person, place or organisation in an article.';
COMMENT ON COLUMN entity_mentions.type IS 'PER, LOC or ORG.';
COMMENT ON COLUMN entity_mentions.surface IS 'The name as written, without its proclitic.';
COMMENT ON COLUMN entity_mentions.rule IS 'How it was found: gazetteer, nisba (a demonym), surname, title, given_name, …';
COMMENT ON TABLE entities IS 'One row per entity of a gazetteer version a run matched with.';
COMMENT ON TABLE entity_aliases IS 'One row per name of an entity: canonical, alias or demonym.';
