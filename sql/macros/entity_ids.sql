-- entity_ids(entity): the entities a name can mean, typed in any spelling.
-- Purpose: the lookup behind entity_timeline and articles_mentioning. `entity` matches an alias of
--          the gazetteer through the search normalization (ar_norm: hamza and alef forms,
--          ى/ي, ة/ه, harakat, tatweel; 'أمريكا', 'أميركا' and 'الولايات المتحدة' all give US),
--          an English name (any case), an entity id ('RU', 'per:khalifa-haftar'), or the way
--          a rule-found name was written. A name several entities share ('الأسد', 'عمان')
--          gives them all.
-- Columns: entity_id VARCHAR
-- Depends: ar_norm
-- Example: select * from entity_ids('أميركا');
CREATE OR REPLACE MACRO entity_ids(entity) AS TABLE
WITH q AS (SELECT trim(entity) AS raw, ar_norm(trim(entity)) AS norm)
SELECT DISTINCT a.entity_id FROM entity_aliases a, q WHERE a.alias_key = q.norm
UNION
SELECT DISTINCT e.entity_id FROM entities e, q
WHERE e.entity_id = q.raw OR lower(e.name_en) = lower(q.raw)
UNION
SELECT DISTINCT m.entity_id FROM entity_mentions m, q
WHERE m.entity_id LIKE 'x:%' AND ar_norm(m.surface) = q.norm;
