-- v_top_mentions: @mentions ranked over the whole warehouse.
-- Purpose: the accounts most cited, with the span of days they appear in.
-- Columns: rank BIGINT (1 = mentioned in the most articles), key VARCHAR (lower-case handle),
--          handle VARCHAR (most frequent spelling), articles BIGINT (distinct articles mentioning
--          it), occurrences BIGINT (all mentions, title and body), days BIGINT (days it appeared),
--          first_day DATE (first day mentioned), last_day DATE (last day mentioned)
-- Depends: v_mention_display
-- Example: select handle, articles from v_top_mentions limit 10;
CREATE OR REPLACE VIEW v_top_mentions AS
SELECT row_number() OVER (ORDER BY count(DISTINCT m.article_id) DESC, count(*) DESC, key) AS rank,
       key,
       d.handle,
       count(DISTINCT m.article_id) AS articles,
       count(*) AS occurrences,
       count(DISTINCT m.ingest_date) AS days,
       min(m.ingest_date) AS first_day,
       max(m.ingest_date) AS last_day
FROM mentions m
JOIN v_mention_display d USING (key)
GROUP BY key, d.handle
ORDER BY rank;
