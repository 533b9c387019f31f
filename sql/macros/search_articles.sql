-- search_articles(term): articles whose title or body contains a term, Arabic-aware.
-- Purpose: search that ignores harakat, tatweel, alef/yeh/teh-marbuta forms, Arabic vs Latin
--          digits and case: the term goes through ar_norm and is matched as a substring of
--          title_norm / body_norm. 'مدرسة', 'المدرسه' and 'مَدْرَسَة' find the same articles.
--          The snippet is cut from the clean `body` (what is displayed), not from body_norm
--          (folded: ة shown as ه). Offsets differ between the two (search deletes harakat and
--          ZWNJ), so the match is located in body_norm at p, and then in body at the first
--          q in [p - e, p + d] (d: characters search deletes, which push it right; e: the
--          İ before it, whose lower case is two characters)
--          where body's text starting at q normalizes to something starting with the term and
--          the character at q is not one that normalization deletes. This is exact, costs d + 1
--          ar_norm calls on a short window per matching article (d is 0 for most news), and
--          falls back to q = p if nothing fits. A title-only match gets the body's start.
-- Columns: article_id VARCHAR, day DATE, source VARCHAR, title VARCHAR, snippet VARCHAR (40
--          characters either side of the first body match, one line, … where cut),
--          match_pos INTEGER (1-based code point of the match in body; null: title only)
-- Depends: ar_norm
-- Example: select day, title, snippet from search_articles('مدرسة') limit 20;
CREATE OR REPLACE MACRO search_articles(term) AS TABLE
WITH t AS (SELECT ar_norm(coalesce(term, '')) AS t),
hit AS (
    SELECT a.article_id, a.ingest_date, a.source, a.title, a.body, t.t,
           length(t.t) AS n,
           strpos(a.body_norm, t.t) AS p,
           -- İ (U+0130) is the one character whose lower case is longer (i + dot): each one
           -- before the match pulls it left in body by one.
           length(a.body) - length(replace(a.body, 'İ', '')) AS e,
           greatest(length(a.body) - length(a.body_norm) + e, 0) AS d
    FROM articles a
    CROSS JOIN t
    WHERE t.t <> '' AND (contains(a.body_norm, t.t) OR contains(a.title_norm, t.t))
),
located AS (
    SELECT *,
           CASE WHEN p > 0 THEN coalesce(
               list_filter(
                   range(greatest(p - e, 1), p + d + 1),
                   lambda q: trim(ar_norm(substr(body, q, 1)), ' ' || chr(10)) <> ''
                             AND starts_with(ar_norm(substr(body, q, n + d)), t)
               )[1],
               p
           ) END AS match_pos
    FROM hit
)
SELECT article_id, ingest_date AS day, source, title,
       replace(
           CASE
               WHEN match_pos IS NULL
               THEN left(body, 80) || CASE WHEN length(body) > 80 THEN '…' ELSE '' END
               ELSE CASE WHEN match_pos > 41 THEN '…' ELSE '' END
                    || substr(body, greatest(match_pos - 40, 1),
                              match_pos - greatest(match_pos - 40, 1) + n + 40)
                    || CASE WHEN match_pos + n + 40 <= length(body) THEN '…' ELSE '' END
           END,
           chr(10), ' '
       ) AS snippet,
       match_pos::INTEGER AS match_pos
FROM located
ORDER BY day DESC, article_id;
