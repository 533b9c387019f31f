-- top_sources: the 8 sources with the most articles since $since, most first (the columns of
-- the report's articles-per-source table).
-- Parameters: $since DATE
-- Columns: source VARCHAR
SELECT source
FROM v_source_daily
WHERE day >= $since
GROUP BY source
ORDER BY sum(articles) DESC, source
LIMIT 8;
