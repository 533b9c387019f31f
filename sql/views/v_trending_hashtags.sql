-- v_trending_hashtags: hashtags used on a day well above their own recent level.
-- Purpose: "what is new today": each (day, key) compared with the same key over the 7 calendar
--          days before it. Only days that have articles at all count as baseline days (a key not
--          used on such a day counts 0 there: zero-filled, so the mean is honest); days with no
--          articles (nothing landed) are not observations and are left out.
--          Measures, on distinct articles a day:
--            baseline_mean = mean of the key's daily articles over the baseline days
--            baseline_sd   = their population standard deviation
--            lift = (articles + 1) / (baseline_mean + 1)        (add-one: a new key is finite)
--            z    = (articles - baseline_mean) / greatest(baseline_sd, 1)
--                   (sd floored at one article, so a key flat at 0 that gets 3 scores 3, not ∞)
--          Support thresholds: articles >= 3 on the day, and baseline_days >= 3 (at least three
--          days with articles among the previous seven). Rows below either are not shown; for
--          other thresholds copy this file's query and change the two numbers.
-- Columns: day DATE (ingest_date), key VARCHAR (search form, no #), display VARCHAR (most frequent
--          spelling), articles BIGINT (distinct articles using it that day), baseline_days BIGINT
--          (days with articles among the 7 before), baseline_mean DOUBLE (mean daily articles over
--          the baseline days, rounded to 3), baseline_sd DOUBLE (their population standard
--          deviation, rounded to 3), lift DOUBLE ((articles + 1) / (baseline_mean + 1), rounded to
--          3), z DOUBLE ((articles - baseline_mean) / greatest(baseline_sd, 1), rounded to 3)
-- Depends: v_hashtag_display
-- Example: select day, display, articles, lift, z from v_trending_hashtags
--          where day = (select max(day) from v_trending_hashtags) order by z desc limit 10;
CREATE OR REPLACE VIEW v_trending_hashtags AS
WITH days AS (SELECT DISTINCT ingest_date AS day FROM articles),
daily AS (
    SELECT ingest_date AS day, key, count(DISTINCT article_id) AS articles
    FROM hashtags
    GROUP BY ingest_date, key
),
-- only keys that can pass the support threshold on some day need the zero-filled grid
candidates AS (SELECT DISTINCT key FROM daily WHERE articles >= 3),
grid AS (
    SELECT d.day, c.key, coalesce(x.articles, 0) AS articles
    FROM days d
    CROSS JOIN candidates c
    LEFT JOIN daily x ON x.day = d.day AND x.key = c.key
),
scored AS (
    SELECT day, key, articles,
           count(*) OVER w AS baseline_days,
           avg(articles) OVER w AS baseline_mean,
           stddev_pop(articles) OVER w AS baseline_sd
    FROM grid
    WINDOW w AS (
        PARTITION BY key ORDER BY day
        RANGE BETWEEN INTERVAL 7 DAYS PRECEDING AND INTERVAL 1 DAY PRECEDING
    )
)
SELECT s.day, s.key, d.display, s.articles, s.baseline_days,
       round(s.baseline_mean, 3) AS baseline_mean,
       round(s.baseline_sd, 3) AS baseline_sd,
       round((s.articles + 1) / (s.baseline_mean + 1), 3) AS lift,
       round((s.articles - s.baseline_mean) / greatest(s.baseline_sd, 1), 3) AS z
FROM scored s
JOIN v_hashtag_display d USING (key)
WHERE s.articles >= 3 AND s.baseline_days >= 3
ORDER BY s.day DESC, z DESC, s.key;
