-- hashtag_daily: articles a day for each of the given hashtag keys, since $since (days a key
-- was not used are not rows).
-- Parameters: $since DATE, $keys VARCHAR[] (the charted keys)
-- Columns: key VARCHAR, day DATE, articles BIGINT
SELECT key, day, articles
FROM v_hashtag_daily
WHERE day >= $since AND key IN (SELECT unnest($keys::VARCHAR[]));
