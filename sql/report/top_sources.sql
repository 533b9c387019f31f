-- top_sources: the $top sources with the most articles since $since, most first (the columns
-- of the report's articles-per-source table; the other sources are summed in its "other").
-- Parameters: $since DATE, $top INTEGER
-- Columns: source VARCHAR
SELECT source
FROM v_source_daily
WHERE day >= $since
GROUP BY source
ORDER BY sum(articles) DESC, source
LIMIT $top;
