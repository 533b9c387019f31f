-- v_top_hashtags: hashtags ranked over the whole warehouse.
-- Purpose: "what was talked about": every key with its totals, most used first.
-- Columns: rank BIGINT (1 = used in the most articles), key VARCHAR (search form, no #), display
--          VARCHAR (most frequent spelling), articles BIGINT (distinct articles using it),
--          occurrences BIGINT (all uses, title and body), days BIGINT (days it appeared), first_day
--          DATE (first day used), last_day DATE (last day used)
-- Depends: v_hashtag_display
-- Example: select display, articles from v_top_hashtags limit 10;
CREATE OR REPLACE VIEW v_top_hashtags AS
SELECT row_number() OVER (ORDER BY count(DISTINCT h.article_id) DESC, count(*) DESC, h.key) AS rank,
       h.key,
       d.display,
       count(DISTINCT h.article_id) AS articles,
       count(*) AS occurrences,
       count(DISTINCT h.ingest_date) AS days,
       min(h.ingest_date) AS first_day,
       max(h.ingest_date) AS last_day
FROM hashtags h
JOIN v_hashtag_display d USING (key)
GROUP BY h.key, d.display
ORDER BY rank;
