-- entity_timeline(entity): one person, place or organisation per day, typed in any spelling.
-- Purpose: the daily series of an entity for a chart. `entity` is looked up like entity_ids
--          (any alias or spelling, an English name, or an id). Zero-filled: one row per entity
--          and every day that has any article (days with nothing loaded are not rows), 0 where
--          it was not named. `articles` leaves out articles that only use its demonym;
--          `articles_with_nisba` counts them too.
-- Columns: day DATE, entity_id VARCHAR, name VARCHAR, type VARCHAR, articles BIGINT,
--          mentions BIGINT, articles_with_nisba BIGINT
-- Depends: entity_ids, v_entities, v_entity_daily
-- Example: select day, name, articles from entity_timeline('الرياض');
CREATE OR REPLACE MACRO entity_timeline(entity) AS TABLE
SELECT d.day, e.entity_id, e.name, e.type,
       coalesce(x.articles, 0) AS articles,
       coalesce(x.mentions, 0) AS mentions,
       coalesce(x.articles_with_nisba, 0) AS articles_with_nisba
FROM entity_ids(entity) ids
JOIN v_entities e ON e.entity_id = ids.entity_id
CROSS JOIN (SELECT DISTINCT ingest_date AS day FROM articles) d
LEFT JOIN v_entity_daily x ON x.day = d.day AND x.entity_id = e.entity_id
ORDER BY d.day, e.entity_id;
