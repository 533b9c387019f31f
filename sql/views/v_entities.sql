-- v_entities: every person, place and organisation the warehouse knows, one row each.
-- Purpose: the names to show for entity ids. The gazetteer's entities (each in its newest
--          version: a run stores the gazetteer it matched with in `entities`) plus the names
--          that a rule alone found (`x:per:…` ids: a title or a given name before them), shown
--          as they were most often written.
-- Columns: entity_id VARCHAR, type VARCHAR (PER, LOC, ORG), subtype VARCHAR (country, city,
--          head_of_state, ministry …; null for rule-found names), name VARCHAR (the canonical
--          Arabic name), name_en VARCHAR, found_by VARCHAR ('gazetteer' or 'rule')
-- Example: select entity_id, name, name_en from v_entities where subtype = 'country' limit 5;
CREATE OR REPLACE VIEW v_entities AS
WITH newest AS (
    SELECT entity_id, type, subtype, name_ar AS name, name_en,
           row_number() OVER (PARTITION BY entity_id
                              ORDER BY ingest_date DESC, gazetteer_version DESC) AS n
    FROM entities
),
ruled AS (
    SELECT entity_id, any_value(type) AS type,
           arg_max(surface, cnt) AS name
    FROM (SELECT entity_id, type, surface, count(*) AS cnt
          FROM entity_mentions
          WHERE entity_id NOT IN (SELECT entity_id FROM entities)
          GROUP BY entity_id, type, surface)
    GROUP BY entity_id
)
SELECT entity_id, type, subtype, name, name_en, 'gazetteer' AS found_by FROM newest WHERE n = 1
UNION ALL
SELECT entity_id, type, NULL, name, NULL, 'rule' FROM ruled;
