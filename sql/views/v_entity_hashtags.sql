-- v_entity_hashtags: which hashtags go with which people, places and organisations.
-- Purpose: the campaigns and topics around an entity: one row per (entity, hashtag key) used
--          in the same article, with how many articles have both and the lift over chance
--          (lift = n_both * N / (n_entity * n_hashtag), N = all articles).
-- Columns: entity_id VARCHAR, name VARCHAR, type VARCHAR, key VARCHAR, display VARCHAR
--          (the hashtag as most often written), articles BIGINT (both), entity_articles BIGINT,
--          hashtag_articles BIGINT, lift DOUBLE (rounded to 3)
-- Depends: v_entities, v_hashtag_display
-- Example: select name, display, articles from v_entity_hashtags order by articles desc limit 20;
CREATE OR REPLACE VIEW v_entity_hashtags AS
WITH named AS (SELECT DISTINCT article_id, ingest_date, entity_id FROM entity_mentions),
tagged AS (SELECT DISTINCT article_id, ingest_date, key FROM hashtags),
total AS (SELECT count(*) AS n FROM articles),
n_e AS (SELECT entity_id, count(*) AS articles FROM named GROUP BY entity_id),
n_h AS (SELECT key, count(*) AS articles FROM tagged GROUP BY key),
both_ AS (
    SELECT n.entity_id, t.key, count(*) AS articles
    FROM named n
    JOIN tagged t ON t.article_id = n.article_id AND t.ingest_date = n.ingest_date
    GROUP BY n.entity_id, t.key
)
SELECT b.entity_id, e.name, e.type, b.key, d.display,
       b.articles, ne.articles AS entity_articles, nh.articles AS hashtag_articles,
       round(b.articles * tot.n / (ne.articles * nh.articles), 3) AS lift
FROM both_ b
CROSS JOIN total tot
JOIN n_e ne ON ne.entity_id = b.entity_id
JOIN n_h nh ON nh.key = b.key
JOIN v_entities e ON e.entity_id = b.entity_id
JOIN v_hashtag_display d ON d.key = b.key
ORDER BY b.articles DESC, lift DESC, b.entity_id, b.key;
