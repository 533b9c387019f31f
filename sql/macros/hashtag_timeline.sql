-- hashtag_timeline(hashtag): one hashtag's use per day, typed in any spelling.
-- Purpose: the daily series of one key for a chart. `hashtag` goes through the same normalization
--          as the stored keys (ar_norm: harakat, tatweel, alef/yeh/teh-marbuta forms, digits,
--          case), and a leading # or ＃ is stripped, so '#الرّياض', 'الريـاض' and 'ٱلرياض' all
--          give the key 'الرياض'. Zero-filled: one row for every day that has any article (days
--          with nothing loaded are not rows), 0 where the key was not used.
--          (The parameter is not called `tag`: DuckDB 2.0 rejects a macro parameter named
--          like a column of a table the body reads, here hashtags.tag.)
-- Columns: day DATE, key VARCHAR, display VARCHAR (most frequent spelling; null if the key was
--          never used), articles BIGINT, occurrences BIGINT
-- Depends: ar_norm, v_hashtag_daily, v_hashtag_display
-- Example: select day, articles from hashtag_timeline('#الرّياض');
CREATE OR REPLACE MACRO hashtag_timeline(hashtag) AS TABLE
SELECT d.day, k.key, disp.display,
       coalesce(x.articles, 0) AS articles,
       coalesce(x.occurrences, 0) AS occurrences
FROM (SELECT ar_norm(regexp_replace(trim(hashtag), '^[#＃]+', '')) AS key) k
CROSS JOIN (SELECT DISTINCT ingest_date AS day FROM articles) d
LEFT JOIN v_hashtag_daily x ON x.day = d.day AND x.key = k.key
LEFT JOIN v_hashtag_display disp ON disp.key = k.key
ORDER BY d.day;
