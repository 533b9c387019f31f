-- v_hashtag_daily: hashtag use per day.
-- Purpose: the base series for trends and charts; one row per (day, key).
-- Columns: day DATE (ingest_date), key VARCHAR (normalized), display VARCHAR (most frequent
--          spelling), articles BIGINT (distinct articles using it), occurrences BIGINT (all uses,
--          title and body)
-- Depends: v_hashtag_display
-- Example: select day, occurrences from v_hashtag_daily where key = ar_norm('الرياض') order by day;
CREATE OR REPLACE VIEW v_hashtag_daily AS
SELECT h.ingest_date AS day,
       h.key,
       d.display,
       count(DISTINCT h.article_id) AS articles,
       count(*) AS occurrences
FROM hashtags h
JOIN v_hashtag_display d USING (key)
GROUP BY h.ingest_date, h.key, d.display;
