-- top_hashtags: the 20 hashtags used in the most articles since $since, with their display
-- spelling (ties: more uses first, then the key).
-- Parameters: $since DATE (first day of the report)
-- Columns: display VARCHAR, key VARCHAR, articles BIGINT, occurrences BIGINT, days BIGINT
SELECT d.display, h.key, count(DISTINCT h.article_id) AS articles,
       count(*) AS occurrences, count(DISTINCT h.ingest_date) AS days
FROM hashtags h JOIN v_hashtag_display d USING (key)
WHERE h.ingest_date >= $since
GROUP BY ALL
ORDER BY articles DESC, occurrences DESC, h.key
LIMIT 20;
