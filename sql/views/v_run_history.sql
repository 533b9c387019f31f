-- v_run_history: every run with its funnel, newest first.
-- Purpose: did last night's run happen, and did its counts add up?
-- Columns: run_id, flow, status, started_at, finished_at, seconds, files_seen, files_new,
--          files_changed, files_reread (unchanged files read again because they hold
--          duplicates of changed content), files_unchanged, files_skipped, files_rejected,
--          files_loaded, records_read,
--          articles_loaded, duplicates, records_rejected, hashtags, mentions,
--          code_articles (articles loaded with code in them), non_arabic_articles (articles
--          loaded with arabic_ratio below 0.5), dates, error
-- Example: select started_at, status, articles_loaded from v_run_history limit 5;
CREATE OR REPLACE VIEW v_run_history AS
SELECT run_id, flow, status, started_at, finished_at,
       round(epoch(finished_at) - epoch(started_at), 2) AS seconds,
       files_seen, files_new, files_changed, files_reread, files_unchanged, files_skipped,
       files_rejected, files_loaded, records_read, articles_loaded, duplicates,
       records_rejected, hashtags, mentions, code_articles, non_arabic_articles, dates, error
FROM runs
ORDER BY started_at DESC;
