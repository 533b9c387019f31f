-- top_entities: the 10 people, the 10 places and the 10 organisations named in the most
-- articles since $since (demonyms alone do not count: `nisba` mentions are left out), with
-- the name to show.
-- Parameters: $since DATE (first day of the report)
-- Columns: type VARCHAR, entity_id VARCHAR, name VARCHAR, name_en VARCHAR, articles BIGINT,
--          mentions BIGINT, days BIGINT
WITH counted AS (
    SELECT m.entity_id, e.type, e.name, e.name_en,
           count(DISTINCT m.article_id) AS articles, count(*) AS mentions,
           count(DISTINCT m.ingest_date) AS days
    FROM entity_mentions m JOIN v_entities e USING (entity_id)
    WHERE m.ingest_date >= $since AND m.rule <> 'nisba'
    GROUP BY ALL
)
SELECT type, entity_id, name, name_en, articles, mentions, days
FROM counted
QUALIFY row_number() OVER (PARTITION BY type ORDER BY articles DESC, mentions DESC, entity_id) <= 10
ORDER BY type, articles DESC, mentions DESC, entity_id;
