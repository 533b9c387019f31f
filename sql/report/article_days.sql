-- article_days: the days since $since that have any article loaded, oldest first (the daily
-- chart's x values: a day missing here is a gap in its lines, not a zero).
-- Parameters: $since DATE
-- Columns: ingest_date DATE
SELECT DISTINCT ingest_date FROM articles WHERE ingest_date >= $since ORDER BY 1;
