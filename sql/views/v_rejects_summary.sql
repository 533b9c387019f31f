-- v_rejects_summary: rejected files and records per day and reason.
-- Purpose: what the pipeline refused and why; details are in `rejects`, copies in quarantine/.
-- Columns: day DATE (ingest_date), reason VARCHAR (reason code), rejects BIGINT (rejected files and
--          records), files BIGINT (distinct files), example VARCHAR (one source file)
-- Example: select * from v_rejects_summary order by day desc, rejects desc;
CREATE OR REPLACE VIEW v_rejects_summary AS
SELECT ingest_date AS day, reason, count(*) AS rejects,
       count(DISTINCT source_file) AS files, min(source_file) AS example
FROM rejects
GROUP BY ingest_date, reason;
