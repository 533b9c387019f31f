-- v_hashtag_cooccurrence: pairs of hashtags used in the same article, and how much more often
--                         than chance.
-- Purpose: which topics travel together. One row per pair of keys (key_a < key_b) seen together
--          in at least one article; an article counts once per pair however often it repeats them.
--          With N = all articles in the warehouse, n_a, n_b = articles using each key and
--          n_ab = articles using both:
--            lift = n_ab * N / (n_a * n_b)       (1 = independent, > 1 = attract)
--            pmi  = log2(lift)
--            npmi = pmi / -log2(n_ab / N)        (in [-1, 1]; null when n_ab = N)
--          Pairs seen in one article only are noisy: filter on `articles` (e.g. >= 3).
-- Columns: key_a VARCHAR (the smaller key), key_b VARCHAR (the larger key), display_a VARCHAR
--          (key_a as most often written), display_b VARCHAR (key_b as most often written), articles
--          BIGINT (n_ab: articles using both), articles_a BIGINT (n_a), articles_b BIGINT (n_b),
--          lift DOUBLE (n_ab * N / (n_a * n_b), rounded to 3), pmi DOUBLE (log2(lift), rounded to
--          3), npmi DOUBLE (pmi / -log2(n_ab / N), rounded to 3)
-- Depends: v_hashtag_display
-- Example: select display_a, display_b, articles, lift from v_hashtag_cooccurrence
--          where articles >= 3 order by lift desc limit 20;
CREATE OR REPLACE VIEW v_hashtag_cooccurrence AS
WITH tagged AS (SELECT DISTINCT article_id, ingest_date, key FROM hashtags),
total AS (SELECT count(*) AS n FROM articles),
single AS (SELECT key, count(*) AS articles FROM tagged GROUP BY key),
pairs AS (
    SELECT a.key AS key_a, b.key AS key_b, count(*) AS articles
    FROM tagged a
    JOIN tagged b
      ON a.article_id = b.article_id AND a.ingest_date = b.ingest_date AND a.key < b.key
    GROUP BY a.key, b.key
),
scored AS (
    SELECT p.key_a, p.key_b, p.articles, sa.articles AS articles_a, sb.articles AS articles_b,
           p.articles * t.n / (sa.articles * sb.articles) AS lift,
           p.articles / t.n AS p_ab
    FROM pairs p
    CROSS JOIN total t
    JOIN single sa ON sa.key = p.key_a
    JOIN single sb ON sb.key = p.key_b
)
SELECT s.key_a, s.key_b, da.display AS display_a, db.display AS display_b,
       s.articles, s.articles_a, s.articles_b,
       round(s.lift, 3) AS lift,
       round(log2(s.lift), 3) AS pmi,
       round(log2(s.lift) / nullif(-log2(s.p_ab), 0), 3) AS npmi
FROM scored s
JOIN v_hashtag_display da ON da.key = s.key_a
JOIN v_hashtag_display db ON db.key = s.key_b
ORDER BY s.articles DESC, s.lift DESC, s.key_a, s.key_b;
