-- trending: the 20 highest-scoring (day, hashtag) rows of v_trending_hashtags since $since,
-- newest day first, then by z.
-- Parameters: $since DATE
-- Columns: day DATE, display VARCHAR, articles BIGINT, baseline_mean DOUBLE, lift DOUBLE,
--          z DOUBLE
SELECT day, display, articles, baseline_mean, lift, z
FROM v_trending_hashtags
WHERE day >= $since
ORDER BY day DESC, z DESC
LIMIT 20;
