"""What the HTML report shows, read from a warehouse: one function per section, each running
the queries in sql/report/ (one query a file, its header says what it returns).

sql/report/ holds the report's own queries, not analysts' objects: they are not views or
macros, `akhbar views` does not list them and no run installs them in the warehouse.
"""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import duckdb

from transforms.language import NON_ARABIC_BELOW

REPORT_SQL = Path(__file__).resolve().parent.parent / "sql" / "report"
TOP_SERIES = 6  # hashtags drawn in the daily chart
TOP_SOURCES = 6  # sources with a column of their own in the articles-per-source table


@cache
def report_sql(name: str) -> str:
    """The text of sql/report/<name>.sql."""
    return (REPORT_SQL / f"{name}.sql").read_text(encoding="utf-8")


def _rows(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> list[dict]:
    cur = con.execute(report_sql(name), params)
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def _tuples(con: duckdb.DuckDBPyConnection, name: str, **params: object) -> list[tuple]:
    return con.execute(report_sql(name), params).fetchall()


def report_data(con: duckdb.DuckDBPyConnection, days: int, top: int = TOP_SERIES) -> dict:
    """Everything the report shows, for the last `days` days that end on the newest ingest date
    in the warehouse (not today: a backfilled or paused warehouse still gets a useful report)."""
    (last, first_all, n_articles, n_non_arabic, n_with_code) = _tuples(
        con, "span", non_arabic_below=NON_ARABIC_BELOW
    )[0]
    if last is None:
        # Nothing loaded is exactly when the rejects matter: show them all.
        return {"empty": True, "days": days, "runs": runs(con), "rejects": rejects(con, None)}
    start = last - dt.timedelta(days=days - 1)
    tags = top_hashtags(con, start)
    article_days = [r[0] for r in _tuples(con, "article_days", since=start)]
    sources, per_day = articles_per_source(con, start)
    return {
        "empty": False,
        "days": days,
        "start": start,
        "last": last,
        "first_all": first_all,
        "n_articles": n_articles,
        "n_non_arabic": n_non_arabic,
        "n_with_code": n_with_code,
        "n_window": sum(r["articles"] for r in per_day),
        "top_tags": tags,
        "series": hashtag_series(con, start, tags[:top], article_days),
        "article_days": article_days,
        "trending": trending(con, start),
        "mentions": top_mentions(con, start),
        **top_entities(con, start, article_days, top),
        "sources": sources,
        "per_day": per_day,
        "runs": runs(con),
        "rejects": rejects(con, start),
    }


def top_hashtags(con: duckdb.DuckDBPyConnection, since: dt.date) -> list[dict]:
    return _rows(con, "top_hashtags", since=since)


def hashtag_series(
    con: duckdb.DuckDBPyConnection, since: dt.date, tags: list[dict], article_days: list[dt.date]
) -> list[dict]:
    """The daily chart: articles a day of each of `tags` (rows of `top_hashtags`), on every day
    in `article_days`."""
    daily = _tuples(con, "hashtag_daily", since=since, keys=[r["key"] for r in tags])
    counts = {(k, d): n for k, d, n in daily}
    return [
        {
            "key": r["key"],
            "display": r["display"],
            "total": r["articles"],
            # zero-filled on days with articles; days nothing was loaded are absent (a gap)
            "points": {d: counts.get((r["key"], d), 0) for d in article_days},
        }
        for r in tags
    ]


def top_entities(
    con: duckdb.DuckDBPyConnection, since: dt.date, article_days: list[dt.date], top: int
) -> dict:
    """The top people, places and organisations ("entities": type -> rows), and the daily
    series of the `top` entities named in the most articles ("entity_series")."""
    rows = _rows(con, "top_entities", since=since)
    by_type: dict[str, list[dict]] = {t: [] for t in ("PER", "LOC", "ORG")}
    for r in rows:
        by_type.setdefault(r["type"], []).append(r)
    charted = sorted(rows, key=lambda r: (-r["articles"], r["entity_id"]))[:top]
    daily = _tuples(con, "entity_daily", since=since, ids=[r["entity_id"] for r in charted])
    counts = {(e, d): n for e, d, n in daily}
    series = [
        {
            "key": r["entity_id"],
            "display": r["name"],
            "total": r["articles"],
            "points": {d: counts.get((r["entity_id"], d), 0) for d in article_days},
        }
        for r in charted
    ]
    return {"entities": by_type, "entity_series": series}


def trending(con: duckdb.DuckDBPyConnection, since: dt.date) -> list[dict]:
    return _rows(con, "trending", since=since)


def top_mentions(con: duckdb.DuckDBPyConnection, since: dt.date) -> list[dict]:
    return _rows(con, "top_mentions", since=since)


def articles_per_source(
    con: duckdb.DuckDBPyConnection, since: dt.date, top: int = TOP_SOURCES
) -> tuple[list[str], list[dict]]:
    """The `top` sources, and per day: all articles ("articles"), each top source's (in that
    order, under "sources"), the other sources' together ("other") and those with no source
    ("unknown"); the last three add up to all."""
    sources = [r[0] for r in _tuples(con, "top_sources", since=since, top=top)]
    per_day = _rows(con, "articles_per_day", since=since)
    by_source = {(d, s): n for d, s, n in _tuples(con, "source_daily", since=since)}
    for r in per_day:
        r["sources"] = [by_source.get((r["day"], s), 0) for s in sources]
        r["other"] = sum(n for (d, s), n in by_source.items() if d == r["day"]) - sum(r["sources"])
    return sources, per_day


def runs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return _rows(con, "runs")


def rejects(con: duckdb.DuckDBPyConnection, since: dt.date | None) -> list[dict]:
    """Rejects since `since`, or of every day when it is None."""
    return _rows(con, "rejects", since=since)
