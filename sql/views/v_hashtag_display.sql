-- v_hashtag_display: one display spelling per hashtag key.
-- Purpose: keys are search-normalized (no harakat, folded alef/yeh/teh marbuta), which is right for
--          counting but not for showing; this picks the most frequent surface spelling (ties: the
--          alphabetically first), so #الرياض, #الريـاض and #الرّياض show once, as written most often.
-- Columns: key VARCHAR (search form, no #), display VARCHAR (the spelling used most often; ties:
--          alphabetical), spellings BIGINT (distinct surface forms seen)
-- Example: select * from v_hashtag_display where spellings > 1;
CREATE OR REPLACE VIEW v_hashtag_display AS
SELECT key,
       first(tag ORDER BY n DESC, tag) AS display,
       count(*) AS spellings
FROM (SELECT key, tag, count(*) AS n FROM hashtags GROUP BY key, tag)
GROUP BY key;
