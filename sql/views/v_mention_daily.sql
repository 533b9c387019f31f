-- v_mention_daily: @mention use per day.
-- Purpose: which accounts the news cites, day by day; handles are case-folded into `key`.
-- Columns: day DATE (ingest_date), key VARCHAR (lower-case handle), handle VARCHAR (most frequent
--          spelling), articles BIGINT (distinct articles mentioning it), occurrences BIGINT (all
--          mentions, title and body)
-- Depends: v_mention_display
-- Example: select day, handle, articles from v_mention_daily where articles >= 2 order by day;
CREATE OR REPLACE VIEW v_mention_daily AS
SELECT m.ingest_date AS day,
       key,
       d.handle,
       count(DISTINCT m.article_id) AS articles,
       count(*) AS occurrences
FROM mentions m
JOIN v_mention_display d USING (key)
GROUP BY m.ingest_date, key, d.handle;
