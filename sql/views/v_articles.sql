-- v_articles: the article columns an analyst needs, without the normalized copies.
-- Purpose: a readable entry point; join hashtags/mentions on article_id.
-- Columns: article_id VARCHAR (hex of an NNN_<hex>.txt name, else the content hash), day DATE
--          (ingest_date: the landing folder's date), source VARCHAR (null for .txt files), title
--          VARCHAR (clean text), body VARCHAR (clean text), url VARCHAR, author VARCHAR,
--          published_at VARCHAR (as the source gave it), n_hashtags INTEGER (hashtags in title
--          and body), n_mentions INTEGER (@mentions in title and body), body_chars INTEGER (code
--          points of body), source_file VARCHAR (the landing file, relative to the landing dir),
--          code_chars INTEGER (characters of title and body that are CSS/JS/JSON scraped into
--          the text: kept in body, left out of hashtags, mentions, entities and body_norm),
--          arabic_ratio DOUBLE (Arabic letters / all letters of title and body, code left out;
--          null without letters; below 0.5 the article counts as not Arabic)
-- Example: select day, title from v_articles where n_hashtags > 0 order by day desc limit 20;
CREATE OR REPLACE VIEW v_articles AS
SELECT article_id, ingest_date AS day, source, title, body, url, author, published_at,
       n_hashtags, n_mentions, body_chars, source_file, code_chars, arabic_ratio
FROM articles;
