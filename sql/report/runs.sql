-- runs: the 10 newest runs with the funnel columns the report shows.
-- Columns: started_at TIMESTAMP, flow VARCHAR, status VARCHAR, seconds DOUBLE, then the funnel
--          counts (BIGINT) in the report's column order, error VARCHAR
SELECT started_at, flow, status, seconds,
       files_seen, files_new, files_changed, files_reread, files_unchanged, files_skipped,
       files_rejected, records_read, articles_loaded, duplicates, records_rejected,
       hashtags, mentions,
       error
FROM v_run_history
LIMIT 10;
