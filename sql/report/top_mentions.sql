-- top_mentions: the 20 accounts mentioned in the most articles since $since (ties: more uses
-- first, then the handle).
-- Parameters: $since DATE
-- Columns: handle VARCHAR, articles BIGINT, occurrences BIGINT
SELECT d.handle, count(DISTINCT m.article_id) AS articles, count(*) AS occurrences
FROM mentions m JOIN v_mention_display d USING (key)
WHERE m.ingest_date >= $since
GROUP BY ALL
ORDER BY articles DESC, occurrences DESC, d.handle
LIMIT 20;
