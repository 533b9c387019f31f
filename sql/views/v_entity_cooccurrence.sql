-- v_entity_cooccurrence: pairs of people, places and organisations named in the same article,
--                        and how much more often than chance.
-- Purpose: who is news together with whom and where. One row per pair of entities
--          (entity_a < entity_b) named together in at least one article (demonyms count as
--          naming: an article about الروس counts for RU). With N = all articles, n_a, n_b =
--          articles naming each and n_ab = articles naming both:
--            lift = n_ab * N / (n_a * n_b), pmi = log2(lift),
--            npmi = pmi / -log2(n_ab / N) (null when n_ab = N).
--          Pairs seen in one article only are noisy: filter on `articles` (e.g. >= 3).
-- Columns: entity_a VARCHAR, entity_b VARCHAR, name_a VARCHAR, name_b VARCHAR, type_a VARCHAR,
--          type_b VARCHAR, articles BIGINT (n_ab), articles_a BIGINT, articles_b BIGINT,
--          lift DOUBLE, pmi DOUBLE, npmi DOUBLE (rounded to 3)
-- Depends: v_entities
-- Example: select name_a, name_b, articles, lift from v_entity_cooccurrence limit 20;
CREATE OR REPLACE VIEW v_entity_cooccurrence AS
WITH named AS (SELECT DISTINCT article_id, ingest_date, entity_id FROM entity_mentions),
total AS (SELECT count(*) AS n FROM articles),
single AS (SELECT entity_id, count(*) AS articles FROM named GROUP BY entity_id),
pairs AS (
    SELECT a.entity_id AS entity_a, b.entity_id AS entity_b, count(*) AS articles
    FROM named a
    JOIN named b
      ON a.article_id = b.article_id AND a.ingest_date = b.ingest_date
     AND a.entity_id < b.entity_id
    GROUP BY a.entity_id, b.entity_id
),
scored AS (
    SELECT p.entity_a, p.entity_b, p.articles,
           sa.articles AS articles_a, sb.articles AS articles_b,
           p.articles * t.n / (sa.articles * sb.articles) AS lift,
           p.articles / t.n AS p_ab
    FROM pairs p
    CROSS JOIN total t
    JOIN single sa ON sa.entity_id = p.entity_a
    JOIN single sb ON sb.entity_id = p.entity_b
)
SELECT s.entity_a, s.entity_b, ea.name AS name_a, eb.name AS name_b,
       ea.type AS type_a, eb.type AS type_b,
       s.articles, s.articles_a, s.articles_b,
       round(s.lift, 3) AS lift,
       round(log2(s.lift), 3) AS pmi,
       round(log2(s.lift) / nullif(-log2(s.p_ab), 0), 3) AS npmi
FROM scored s
JOIN v_entities ea ON ea.entity_id = s.entity_a
JOIN v_entities eb ON eb.entity_id = s.entity_b
ORDER BY s.articles DESC, s.lift DESC, s.entity_a, s.entity_b;
