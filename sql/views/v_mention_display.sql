-- v_mention_display: one display spelling per mention key.
-- Purpose: handles are case-insensitive (key = lower case); show the spelling used most often
--          (ties: the alphabetically first), e.g. SPAgov rather than spagov.
-- Columns: key VARCHAR (lower-case handle), handle VARCHAR (the spelling used most often; ties:
--          alphabetical), spellings BIGINT (distinct spellings seen)
-- Example: select * from v_mention_display where spellings > 1;
CREATE OR REPLACE VIEW v_mention_display AS
SELECT key,
       first(handle ORDER BY n DESC, handle) AS handle,
       count(*) AS spellings
FROM (SELECT key, handle, count(*) AS n FROM mentions GROUP BY key, handle)
GROUP BY key;
