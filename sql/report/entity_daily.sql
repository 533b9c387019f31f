-- entity_daily: articles a day naming each of the given entities, since $since (days an
-- entity was not named are not rows; demonyms alone do not count).
-- Parameters: $since DATE, $ids VARCHAR[] (the charted entity ids)
-- Columns: entity_id VARCHAR, day DATE, articles BIGINT
SELECT entity_id, day, articles
FROM v_entity_daily
WHERE day >= $since AND articles > 0 AND entity_id IN (SELECT unnest($ids::VARCHAR[]));
