-- articles_per_day: articles loaded each day since $since, newest first, and how many of them
-- have no known source.
-- Parameters: $since DATE
-- Columns: day DATE, articles BIGINT, unknown BIGINT
SELECT ingest_date AS day, count(*) AS articles, count(*) FILTER (source IS NULL) AS unknown
FROM articles
WHERE ingest_date >= $since
GROUP BY 1
ORDER BY 1 DESC;
