-- source_daily: articles per known source per day since $since.
-- Parameters: $since DATE
-- Columns: day DATE, source VARCHAR, articles BIGINT
SELECT day, source, articles FROM v_source_daily WHERE day >= $since;
