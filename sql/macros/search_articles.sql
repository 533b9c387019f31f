-- search_articles(term): articles whose title or body has a word or phrase, Arabic-aware.
-- Purpose: search that ignores harakat, tatweel, alef/yeh/teh-marbuta forms, Arabic vs Latin
--          digits and case (the term goes through ar_norm and is matched in title_norm /
--          body_norm), and matches whole words with their proclitics: و ف, then ب ك ل, then
--          ال, and لل (ل + ال). 'الرياض' finds الرياض, والرياض, بالرياض, للرياض, فللرياض and
--          #الرياض, not الرياضة or الرياضي (sport). A term without ال also finds the word with
--          it: 'مدرسة' finds مدرسة, المدرسة, بمدرسة, للمدرسة; 'رياض' finds رياض and الرياض,
--          not الرياضة. A term with ال finds only the forms with the article ('الرياض' does
--          not find رياض). No suffix is stripped: 'مدرسة' does not find مدرستها or مدارس.
--          A word is a run of letters, marks, digits and _ (so #رؤية_2030 is one word). A
--          phrase ('وزارة التعليم') matches word for word, proclitics on its first word, one
--          space between (stored text has no runs of spaces; a line break does not match).
--          `search_articles(term, whole_words := false)` matches ar_norm(term) as a
--          substring instead ('الرياض' then finds الرياضة too).
--          The snippet is cut from the clean `body` (what is displayed), not from body_norm
--          (folded: ة shown as ه). Offsets differ between the two (search deletes harakat and
--          ZWNJ), so the match is located in body_norm at p (the term, after its proclitics),
--          and then in body at the first q in [p - e, p + d] (d: characters search deletes,
--          which push it right; e: the İ before it, whose lower case is two characters) where
--          body's text from q normalizes to something starting with the match (and, for a
--          whole word, the text before q to something ending with the boundary and the
--          proclitics), and the character at q is not one that normalization deletes. This
--          is exact, costs d + 1 ar_norm calls on a short window per matching article, and
--          falls back to q = p if nothing fits. A title-only match gets the body's start.
-- Columns: article_id VARCHAR, day DATE, source VARCHAR, title VARCHAR, snippet VARCHAR (40
--          characters either side of the first body match, one line, … where cut),
--          match_pos INTEGER (1-based code point of the match in body, after its proclitics:
--          the ل of للرياض; null: title only)
-- Depends: ar_norm
-- Example: select day, title, snippet from search_articles('الرياض') limit 20;
CREATE OR REPLACE MACRO search_articles(term, whole_words := true) AS TABLE
WITH q_term AS (
    SELECT coalesce(whole_words, true) AS whole,
           CASE WHEN coalesce(whole_words, true)
                THEN trim(regexp_replace(ar_norm(coalesce(term, '')), '\s+', ' ', 'g'))
                ELSE ar_norm(coalesce(term, ''))
           END AS t
),
q_core AS (
    -- what every whole-word form contains (for a term starting with ال, its لل form drops the
    -- ا): a cheap filter before the regular expression
    SELECT whole, t,
           CASE WHEN whole AND starts_with(t, 'ال') AND length(split_part(t, ' ', 1)) > 2
                THEN split_part(substr(t, 3), ' ', 1)
                WHEN whole THEN split_part(t, ' ', 1)
                ELSE t
           END AS core
    FROM q_term
),
cand AS (
    SELECT a.article_id, a.ingest_date, a.source, a.title, a.body, a.body_norm, a.title_norm,
           q.whole, q.t,
           -- The first whole-word match in body_norm, else in title_norm: a word boundary (RE2's
           -- \b is ASCII-only; the text is padded so that a boundary is always one character),
           -- the proclitics and the term, a boundary; or [وف]ل and the term's لل form (للرياض,
           -- and للحم for اللحم). The pattern is built from `term` itself, not from q's
           -- columns: a constant pattern is compiled once, one from a column once per row.
           CASE WHEN q.whole THEN regexp_extract(
               ' ' || a.body_norm || ' ' || chr(10) || ' ' || a.title_norm || ' ',
               list_transform(
                   [trim(regexp_replace(ar_norm(coalesce(term, '')), '\s+', ' ', 'g'))],
                   lambda x: '[^\p{L}\p{M}\p{N}_](?:[وف]?(?:[بكل]|[بك]?ال|لل)?'
                       || regexp_escape(x) || '|[وف]?ل'
                       || regexp_escape(CASE
                              WHEN NOT starts_with(x, 'ال') OR length(split_part(x, ' ', 1)) < 3
                              THEN x
                              WHEN starts_with(x, 'الل') THEN substr(x, 3)
                              ELSE 'ل' || substr(x, 3)
                          END)
                       || ')[^\p{L}\p{M}\p{N}_]'
               )[1]
           ) END AS g
    FROM articles a
    CROSS JOIN q_core q
    WHERE q.t <> '' AND (contains(a.body_norm, q.core) OR contains(a.title_norm, q.core))
),
matched AS (
    SELECT *,
           -- the matched word, its proclitics, and where the match starts in the padded body:
           -- any place of the whole match (boundaries included) is a match, so its first place
           -- is the first match; 0 when the first is in the title, and the body has none
           substr(g, 2, length(g) - 2) AS word,
           CASE WHEN ends_with(word, t) THEN length(word) - length(t)
                ELSE strpos(word, 'ل')  -- the لل form: up to the ل of the preposition
           END AS proclitics,
           strpos(' ' || body_norm || ' ', g) AS found
    FROM cand
    WHERE CASE WHEN whole THEN g <> ''
               ELSE contains(body_norm, t) OR contains(title_norm, t)
          END
),
hit AS (
    SELECT article_id, ingest_date, source, title, body,
           CASE WHEN whole THEN substr(word, proclitics + 1) ELSE t END AS w,  -- as in body_norm
           length(w) AS n,
           CASE WHEN NOT whole THEN strpos(body_norm, t)
                WHEN found > 0 THEN found + proclitics  -- the padding's space makes up for the 1
                ELSE 0  -- in the title only
           END AS p,
           -- what must come before and after w for a whole-word match (nothing for a substring):
           -- the boundary and the proclitics, the boundary
           CASE WHEN whole THEN left(g, 1) || left(word, proclitics) ELSE '' END AS pre,
           CASE WHEN whole THEN right(g, 1) ELSE '' END AS post,
           -- İ (U+0130) is the one character whose lower case is longer (i + dot): each one
           -- before the match pulls it left in body by one.
           length(body) - length(replace(body, 'İ', '')) AS e,
           greatest(length(body) - length(body_norm) + e, 0) AS d
    FROM matched
),
located AS (
    -- q: the first place in body whose text normalizes to w (then post), and whose text before
    -- it (in a window with room for 3 deleted characters a letter; the body padded like g)
    -- normalizes to something ending with pre. Every such place is a match, so the first is
    -- the first match (w alone, e.g. له in ولله, can come earlier inside another word). The
    -- windows are wrapped in dots: ar_norm strips the spaces at a text's ends.
    SELECT *,
           CASE WHEN p > 0 THEN coalesce(
               list_filter(
                   range(greatest(p - e, 1), p + d + 1),
                   -- CASE, not AND: a lambda's AND evaluates every operand for every q
                   lambda q: CASE
                       WHEN NOT starts_with(ar_norm(substr(body || ' ', q, n + d + 1) || '.'),
                                            w || post)
                       THEN false
                       WHEN trim(ar_norm(substr(body, q, 1)), ' ' || chr(10)) = '' THEN false
                       ELSE pre = '' OR ends_with(
                           ar_norm('.' || substr(' ' || body,
                                                 greatest(q + 1 - 4 * length(pre), 1),
                                                 q + 1 - greatest(q + 1 - 4 * length(pre), 1))
                                   || '.'),
                           pre || '.')
                   END
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
