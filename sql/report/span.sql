-- span: the warehouse's articles in one row: newest and oldest ingest date, how many, how
-- many are not Arabic text and how many had code scraped into them.
-- Columns: last DATE (NULL when no article is loaded), first_all DATE, n_articles BIGINT,
--          n_non_arabic BIGINT (arabic_ratio below $non_arabic_below: under half their letters
--          Arabic), n_with_code BIGINT (code_chars > 0: CSS/JS kept out of extraction and search)
SELECT max(ingest_date) AS last, min(ingest_date) AS first_all, count(*) AS n_articles,
       count(*) FILTER (WHERE arabic_ratio < $non_arabic_below) AS n_non_arabic,
       count(*) FILTER (WHERE code_chars > 0) AS n_with_code
FROM articles;
