-- rejects: rejected files and records per day and reason since $since, or of every day when
-- $since is NULL (an empty warehouse: nothing loaded is exactly when the rejects matter).
-- Parameters: $since DATE or NULL
-- Columns: day DATE, reason VARCHAR, rejects BIGINT, files BIGINT, example VARCHAR
SELECT day, reason, rejects, files, example
FROM v_rejects_summary
WHERE $since::DATE IS NULL OR day >= $since
ORDER BY day DESC, rejects DESC, reason;
