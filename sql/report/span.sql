-- span: the warehouse's articles in one row: newest and oldest ingest date, and how many.
-- Columns: last DATE (NULL when no article is loaded), first_all DATE, n_articles BIGINT
SELECT max(ingest_date) AS last, min(ingest_date) AS first_all, count(*) AS n_articles
FROM articles;
