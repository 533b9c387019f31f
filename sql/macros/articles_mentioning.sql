-- articles_mentioning(entity): the articles that name a person, place or organisation.
-- Purpose: from an entity in a chart to the articles behind it. `entity` is looked up like
--          entity_ids (any alias or spelling, an English name, or an id). An article only
--          using the entity's demonym is included, with 'nisba' in its rules.
-- Columns: article_id VARCHAR, day DATE, source VARCHAR, title VARCHAR, entity_id VARCHAR,
--          mentions BIGINT (in this article), fields VARCHAR[] ('body'/'title'), surfaces
--          VARCHAR[] (as written), rules VARCHAR[]
-- Depends: entity_ids
-- Example: select day, title, surfaces from articles_mentioning('الرياض');
CREATE OR REPLACE MACRO articles_mentioning(entity) AS TABLE
WITH hit AS (
    SELECT m.article_id, m.ingest_date, m.entity_id,
           count(*) AS mentions,
           list(DISTINCT m.field ORDER BY m.field) AS fields,
           list(DISTINCT m.surface ORDER BY m.surface) AS surfaces,
           list(DISTINCT m.rule ORDER BY m.rule) AS rules
    FROM entity_ids(entity) ids
    JOIN entity_mentions m ON m.entity_id = ids.entity_id
    GROUP BY m.article_id, m.ingest_date, m.entity_id
)
SELECT a.article_id, a.ingest_date AS day, a.source, a.title, hit.entity_id,
       hit.mentions, hit.fields, hit.surfaces, hit.rules
FROM hit
JOIN articles a ON a.article_id = hit.article_id AND a.ingest_date = hit.ingest_date
ORDER BY day DESC, a.article_id, hit.entity_id;
