-- v_top_entities: people, places and organisations ranked by the articles that name them.
-- Purpose: "who and where the news is about". `articles` counts articles that name the entity
--          (any rule but `nisba`); `articles_with_nisba` also counts articles that only use its
--          demonym (الروسية, المصريين → the country). Ranked overall (`rank`) and within its
--          type (`type_rank`): filter on type for the top people, places or organisations.
-- Columns: rank BIGINT, type_rank BIGINT, entity_id VARCHAR, name VARCHAR, name_en VARCHAR,
--          type VARCHAR, subtype VARCHAR, articles BIGINT, mentions BIGINT,
--          articles_with_nisba BIGINT, days BIGINT, first_day DATE, last_day DATE
-- Depends: v_entities
-- Example: select name, type, articles from v_top_entities limit 10;
CREATE OR REPLACE VIEW v_top_entities AS
WITH counted AS (
    SELECT entity_id,
           count(DISTINCT CASE WHEN rule <> 'nisba' THEN article_id END) AS articles,
           count(*) FILTER (WHERE rule <> 'nisba') AS mentions,
           count(DISTINCT article_id) AS articles_with_nisba,
           count(DISTINCT ingest_date) AS days,
           min(ingest_date) AS first_day,
           max(ingest_date) AS last_day
    FROM entity_mentions
    GROUP BY entity_id
)
SELECT row_number() OVER (ORDER BY c.articles DESC, c.articles_with_nisba DESC, c.entity_id)
           AS rank,
       row_number() OVER (PARTITION BY e.type
                          ORDER BY c.articles DESC, c.articles_with_nisba DESC, c.entity_id)
           AS type_rank,
       c.entity_id, e.name, e.name_en, e.type, e.subtype,
       c.articles, c.mentions, c.articles_with_nisba, c.days, c.first_day, c.last_day
FROM counted c
JOIN v_entities e USING (entity_id)
ORDER BY rank;
