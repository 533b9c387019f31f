-- v_entity_daily: each person, place and organisation per day.
-- Purpose: daily series for charts and trend checks. `articles` counts the articles of the day
--          that name the entity (not by its demonym alone); `articles_with_nisba` counts those
--          too. Days with no mention of the entity are not rows (entity_timeline zero-fills).
-- Columns: day DATE, entity_id VARCHAR, name VARCHAR, type VARCHAR, articles BIGINT,
--          mentions BIGINT, articles_with_nisba BIGINT
-- Depends: v_entities
-- Example: select day, name, articles from v_entity_daily where type = 'LOC' order by day, articles desc;
CREATE OR REPLACE VIEW v_entity_daily AS
SELECT m.ingest_date AS day, m.entity_id, e.name, e.type,
       count(DISTINCT CASE WHEN m.rule <> 'nisba' THEN m.article_id END) AS articles,
       count(*) FILTER (WHERE m.rule <> 'nisba') AS mentions,
       count(DISTINCT m.article_id) AS articles_with_nisba
FROM entity_mentions m
JOIN v_entities e USING (entity_id)
GROUP BY m.ingest_date, m.entity_id, e.name, e.type
ORDER BY day, articles DESC, m.entity_id;
