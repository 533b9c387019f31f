-- v_articles: the article columns an analyst needs, without the normalized copies.
-- Purpose: a readable entry point; join hashtags/mentions on article_id.
-- Columns: article_id, day (ingest_date), source, title, body, url, author, published_at,
--          n_hashtags, n_mentions, body_chars, source_file,
--          code_chars (characters of title and body that are CSS/JS/JSON scraped into the
--          text: kept in body, left out of hashtags, mentions, entities and body_norm),
--          arabic_ratio (Arabic letters / all letters of title and body, code left out; null
--          without letters; below 0.5 the article counts as not Arabic)
-- Example: select day, title from v_articles where n_hashtags > 0 order by day desc limit 20;
CREATE OR REPLACE VIEW v_articles AS
SELECT article_id, ingest_date AS day, source, title, body, url, author, published_at,
       n_hashtags, n_mentions, body_chars, source_file, code_chars, arabic_ratio
FROM articles;
