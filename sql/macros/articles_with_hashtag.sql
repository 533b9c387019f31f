-- articles_with_hashtag(hashtag): the articles that use one hashtag, typed in any spelling.
-- Purpose: from a key in a chart to the articles behind it. `hashtag` is normalized like
--          hashtag_timeline (ar_norm, leading #/＃ stripped); every spelling of the key matches.
--          (The parameter is not called `tag`: DuckDB 2.0 rejects a macro parameter named
--          like a column of a table the body reads, here hashtags.tag.)
-- Columns: article_id VARCHAR, day DATE, source VARCHAR, title VARCHAR, occurrences BIGINT (uses
--          in this article), fields VARCHAR[] ('body'/'title'), spellings VARCHAR[] (surface
--          forms used in this article)
-- Depends: ar_norm
-- Example: select day, title, spellings from articles_with_hashtag('الريـاض');
CREATE OR REPLACE MACRO articles_with_hashtag(hashtag) AS TABLE
WITH hit AS (
    SELECT h.article_id, h.ingest_date,
           count(*) AS occurrences,
           list(DISTINCT h.field ORDER BY h.field) AS fields,
           list(DISTINCT h.tag ORDER BY h.tag) AS spellings
    FROM (SELECT ar_norm(regexp_replace(trim(hashtag), '^[#＃]+', '')) AS key) k
    JOIN hashtags h ON h.key = k.key
    GROUP BY h.article_id, h.ingest_date
)
SELECT a.article_id, a.ingest_date AS day, a.source, a.title,
       hit.occurrences, hit.fields, hit.spellings
FROM hit
JOIN articles a ON a.article_id = hit.article_id AND a.ingest_date = hit.ingest_date
ORDER BY day DESC, a.article_id;
