-- v_source_daily: articles per source per day, where the source is known.
-- Purpose: coverage checks ("did a newspaper stop arriving?").
-- Columns: day DATE (ingest_date), source VARCHAR, articles BIGINT (articles of the source that
--          day), hashtags HUGEINT (sum of n_hashtags)
-- Example: select * from v_source_daily order by day, articles desc;
CREATE OR REPLACE VIEW v_source_daily AS
SELECT ingest_date AS day, source, count(*) AS articles, sum(n_hashtags) AS hashtags
FROM articles
WHERE source IS NOT NULL
GROUP BY ingest_date, source;
