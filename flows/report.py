"""The analysts' side outside SQL: the HTML report (the catalog of views and macros is in
flows/sql_objects.py).

`write_report()` renders one self-contained HTML file from a warehouse: inline CSS,
a few lines of inline JS, charts as inline SVG drawn here, no network. Every text that comes from
the data is escaped (`html.escape`) and put in an element with `dir="auto"`, so the browser lays
out Arabic right-to-left and joins its letters (text, never images).
"""

from __future__ import annotations

import datetime as dt
import html
import os
from pathlib import Path

import duckdb

PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b", "#e377c2")


# --------------------------------------------------------------------------------------------
# Report data
# --------------------------------------------------------------------------------------------


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | None = None) -> list[dict]:
    cur = con.execute(sql, params or [])
    cols = [d[0] for d in cur.description]
    return [dict(zip(cols, r, strict=True)) for r in cur.fetchall()]


def report_data(con: duckdb.DuckDBPyConnection, days: int, top: int = 6) -> dict:
    """Everything the report shows, for the last `days` days that end on the newest ingest date
    in the warehouse (not today: a backfilled or paused warehouse still gets a useful report)."""
    (last, first_all, n_articles) = con.execute(
        "SELECT max(ingest_date), min(ingest_date), count(*) FROM articles"
    ).fetchone()
    if last is None:
        # Nothing loaded is exactly when the rejects matter: show them all.
        rejects = _rows(
            con,
            "SELECT day, reason, rejects, files, example FROM v_rejects_summary "
            "ORDER BY day DESC, rejects DESC, reason",
        )
        return {"empty": True, "days": days, "runs": _runs(con), "rejects": rejects}
    start = last - dt.timedelta(days=days - 1)
    p = [start]
    top_tags = _rows(
        con,
        "SELECT d.display, h.key, count(DISTINCT h.article_id) AS articles, "
        "count(*) AS occurrences, count(DISTINCT h.ingest_date) AS days "
        "FROM hashtags h JOIN v_hashtag_display d USING (key) WHERE h.ingest_date >= ? "
        "GROUP BY ALL ORDER BY articles DESC, occurrences DESC, h.key LIMIT 20",
        p,
    )
    series_keys = [r["key"] for r in top_tags[:top]]
    article_days = [
        r[0]
        for r in con.execute(
            "SELECT DISTINCT ingest_date FROM articles WHERE ingest_date >= ? ORDER BY 1", p
        ).fetchall()
    ]
    daily = con.execute(
        "SELECT key, day, articles FROM v_hashtag_daily WHERE day >= ? AND key IN "
        "(SELECT unnest(?::VARCHAR[]))",
        [start, series_keys],
    ).fetchall()
    counts = {(k, d): n for k, d, n in daily}
    series = [
        {
            "key": r["key"],
            "display": r["display"],
            "total": r["articles"],
            # zero-filled on days with articles; None (a gap) on days nothing was loaded
            "points": {d: counts.get((r["key"], d), 0) for d in article_days},
        }
        for r in top_tags[:top]
    ]
    trending = _rows(
        con,
        "SELECT day, display, articles, baseline_mean, lift, z FROM v_trending_hashtags "
        "WHERE day >= ? ORDER BY day DESC, z DESC LIMIT 20",
        p,
    )
    mentions = _rows(
        con,
        "SELECT d.handle, count(DISTINCT m.article_id) AS articles, count(*) AS occurrences "
        "FROM mentions m JOIN v_mention_display d USING (key) WHERE m.ingest_date >= ? "
        "GROUP BY ALL ORDER BY articles DESC, occurrences DESC, d.handle LIMIT 20",
        p,
    )
    sources = [
        r[0]
        for r in con.execute(
            "SELECT source FROM v_source_daily WHERE day >= ? GROUP BY source "
            "ORDER BY sum(articles) DESC, source LIMIT 8",
            p,
        ).fetchall()
    ]
    per_day = _rows(
        con,
        "SELECT ingest_date AS day, count(*) AS articles, count(*) FILTER (source IS NULL) AS "
        "unknown FROM articles WHERE ingest_date >= ? GROUP BY 1 ORDER BY 1 DESC",
        p,
    )
    by_source = {
        (d, s): n
        for d, s, n in con.execute(
            "SELECT day, source, articles FROM v_source_daily WHERE day >= ?", p
        ).fetchall()
    }
    for r in per_day:
        r["sources"] = [by_source.get((r["day"], s), 0) for s in sources]
    return {
        "empty": False,
        "days": days,
        "start": start,
        "last": last,
        "first_all": first_all,
        "n_articles": n_articles,
        "n_window": sum(r["articles"] for r in per_day),
        "top_tags": top_tags,
        "series": series,
        "article_days": article_days,
        "trending": trending,
        "mentions": mentions,
        "sources": sources,
        "per_day": per_day,
        "runs": _runs(con),
        "rejects": _rows(
            con,
            "SELECT day, reason, rejects, files, example FROM v_rejects_summary "
            "WHERE day >= ? ORDER BY day DESC, rejects DESC, reason",
            p,
        ),
    }


# The runs table's funnel columns the report shows, with their short headings.
_FUNNEL_SHOWN = (
    ("files_seen", "files"),
    ("files_new", "new"),
    ("files_changed", "changed"),
    ("files_reread", "re-read"),
    ("files_unchanged", "unchanged"),
    ("files_skipped", "skipped"),
    ("files_rejected", "rejected"),
    ("records_read", "records"),
    ("articles_loaded", "loaded"),
    ("duplicates", "dupes"),
    ("records_rejected", "rejected"),
    ("hashtags", "#"),
    ("mentions", "@"),
)


def _runs(con: duckdb.DuckDBPyConnection) -> list[dict]:
    return _rows(
        con,
        f"SELECT started_at, flow, status, seconds, {', '.join(c for c, _ in _FUNNEL_SHOWN)}, "
        "error FROM v_run_history LIMIT 10",
    )


# --------------------------------------------------------------------------------------------
# HTML
# --------------------------------------------------------------------------------------------

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",Tahoma,"Segoe UI",sans-serif;
 margin:0 auto;max-width:1150px;padding:16px 24px;color:#222;background:#fafafa;line-height:1.5}
h1{font-size:1.7em;margin:.2em 0}
h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid #ddd}
.meta{color:#666;font-size:.9em}.grid{display:grid;grid-template-columns:1fr 1fr;gap:24px}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em}
th,td{border:1px solid #e2e2e2;padding:3px 8px;text-align:start;vertical-align:top}
th{background:#f0f0f0}td.n{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap}
.bar{display:inline-block;height:.7em;background:#1f77b4;opacity:.55;margin-inline-start:6px}
.ok{color:#2a7d2a}.bad{color:#b00020;font-weight:bold}.none{color:#888;font-style:italic}
figure{margin:0;background:#fff;border:1px solid #e2e2e2;padding:8px}
ul.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:6px 18px}
ul.legend li{cursor:pointer;user-select:none}ul.legend li.off{opacity:.35}
.sw{display:inline-block;width:14px;height:4px;vertical-align:middle;margin-inline-end:6px}
svg text{font-family:inherit;font-size:11px;fill:#555}svg .s{fill:none;stroke-width:2.2}
svg g.off{display:none}.wide{overflow-x:auto}td.t{white-space:nowrap}
"""

_JS = """
document.querySelectorAll('ul.legend li').forEach(function (li) {
  li.addEventListener('click', function () {
    li.classList.toggle('off');
    var g = document.getElementById(li.dataset.series);
    if (g) g.classList.toggle('off');
  });
});
document.body.dataset.ready = '1';
"""


def _e(v: object) -> str:
    return html.escape("" if v is None else str(v), quote=True)


def _num(v: object) -> str:
    if v is None:
        return '<td class="n"></td>'
    if isinstance(v, float):
        v = f"{v:,.3f}".rstrip("0").rstrip(".")
    elif isinstance(v, int):
        v = f"{v:,}"
    return f'<td class="n" dir="ltr">{_e(v)}</td>'


def _txt(v: object) -> str:
    return f'<td dir="auto">{_e(v)}</td>'


def _table(head: list[str], body: list[str], empty: str) -> str:
    if not body:
        return f'<p class="none">{_e(empty)}</p>'
    ths = "".join(f'<th dir="auto">{_e(h)}</th>' for h in head)
    return (
        f'<div class="wide"><table><thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _nice_max(v: int) -> int:
    if v <= 4:
        return max(v, 1) if v > 0 else 4
    for step in (1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1000, 2000, 5000, 10000):
        if v <= step * 4:
            return step * 4
    mag = 10 ** (len(str(v)) - 1)
    return -(-v // mag) * mag


def timeseries_svg(series: list[dict], start: dt.date, last: dt.date) -> str:
    """Daily articles of each series as lines on a calendar axis (left to right: oldest first).
    Days with no articles at all are gaps, not zeros."""
    w, h, ml, mr, mt, mb = 1000, 300, 44, 16, 12, 34
    n_days = (last - start).days + 1
    ymax = _nice_max(max([0, *(v for s in series for v in s["points"].values())]))

    def x(d: dt.date) -> float:
        return ml + ((d - start).days / max(n_days - 1, 1)) * (w - ml - mr)

    def y(v: float) -> float:
        return mt + (1 - v / ymax) * (h - mt - mb)

    parts = [
        f'<svg viewBox="0 0 {w} {h}" width="100%" '
        f'role="img" direction="ltr"><title>daily articles per hashtag</title>'
    ]
    for i in range(5):
        v = ymax * i / 4
        yy = y(v)
        parts.append(
            f'<line x1="{ml}" x2="{w - mr}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#eee"/>'
            f'<text x="{ml - 6}" y="{yy + 4:.1f}" text-anchor="end">{v:g}</text>'
        )
    step = max(1, -(-n_days // 10))
    for i in range(0, n_days, step):
        d = start + dt.timedelta(days=i)
        parts.append(
            f'<text x="{x(d):.1f}" y="{h - mb + 16}" text-anchor="middle">{d:%m-%d}</text>'
        )
    for i, s in enumerate(series):
        color = PALETTE[i % len(PALETTE)]
        path, prev = [], None
        for d in sorted(s["points"]):
            cmd = "L" if prev is not None and (d - prev).days == 1 else "M"
            path.append(f"{cmd}{x(d):.1f},{y(s['points'][d]):.1f}")
            prev = d
        dots = "".join(
            f'<circle cx="{x(d):.1f}" cy="{y(v):.1f}" r="3" fill="{color}">'
            f"<title>{_e(s['display'])} · {d}: {v}</title></circle>"
            for d, v in sorted(s["points"].items())
        )
        parts.append(
            f'<g id="series-{i}"><path class="s" stroke="{color}" d="{" ".join(path)}"/>{dots}</g>'
        )
    parts.append("</svg>")
    return "".join(parts)


def render_html(data: dict, generated: dt.datetime | None = None) -> str:
    generated = generated or dt.datetime.now(dt.UTC)
    out: list[str] = []
    add = out.append
    add('<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">')
    add('<meta name="viewport" content="width=device-width, initial-scale=1">')
    add("<title>akhbar — تقرير الوسوم</title>")
    add(f"<style>{_CSS}</style></head><body>")
    add("<h1>أخبار — تقرير الوسوم <span dir=ltr>(akhbar report)</span></h1>")
    if data["empty"]:
        add('<p class="none">لا توجد مقالات في المستودع بعد (no articles in the warehouse).</p>')
    else:
        add(
            f'<p class="meta" dir="ltr">{data["n_window"]:,} articles from '
            f"{data['article_days'][0]} to "
            f"{data['last']} (last {data['days']} days); {data['n_articles']:,} articles since "
            f"{data['first_all']}. Generated {generated:%Y-%m-%d %H:%M} UTC.</p>"
        )
        add('<div class="grid"><section>')
        add("<h2>الوسوم الأكثر تداولا <small>(top hashtags)</small></h2>")
        mx = max([1, *(r["articles"] for r in data["top_tags"])])
        body = [
            f"<tr><td class=n>{i}</td>"
            f'<td dir="auto">#{_e(r["display"])}'
            f'<span class="bar" style="width:{80 * r["articles"] / mx:.0f}px"></span></td>'
            f"{_num(r['articles'])}{_num(r['occurrences'])}{_num(r['days'])}</tr>"
            for i, r in enumerate(data["top_tags"], 1)
        ]
        add(_table(["#", "hashtag", "articles", "uses", "days"], body, "no hashtags"))
        add("</section><section>")
        add("<h2>الوسوم الصاعدة <small>(trending)</small></h2>")
        body = [
            f"<tr><td class=n dir=ltr>{_e(r['day'])}</td><td dir=auto>#{_e(r['display'])}</td>"
            f"{_num(r['articles'])}{_num(r['baseline_mean'])}{_num(r['lift'])}{_num(r['z'])}</tr>"
            for r in data["trending"]
        ]
        add(
            _table(
                ["day", "hashtag", "articles", "7-day mean", "lift", "z"],
                body,
                "no hashtag passed the support thresholds (3+ articles on the day, 3+ baseline "
                "days): see v_trending_hashtags",
            )
        )
        add("</section></div>")
        add("<h2>الاستخدام اليومي <small>(daily articles, top hashtags)</small></h2>")
        if data["series"]:
            add("<figure>")
            add('<ul class="legend">')
            for i, s in enumerate(data["series"]):
                add(
                    f'<li data-series="series-{i}"><span class="sw" '
                    f'style="background:{PALETTE[i % len(PALETTE)]}"></span>'
                    f'<bdi dir="auto">#{_e(s["display"])}</bdi> ({s["total"]})</li>'
                )
            add("</ul>")
            add(timeseries_svg(data["series"], data["article_days"][0], data["last"]))
            add(
                '<figcaption class="meta" dir="ltr">Articles a day using each of the top '
                "hashtags; a gap is a day with no articles loaded at all. Click a name to "
                "hide or show its line.</figcaption>"
            )
            add("</figure>")
        else:
            add('<p class="none">no hashtags</p>')
        add('<div class="grid"><section>')
        add("<h2>الحسابات المذكورة <small>(top mentions)</small></h2>")
        body = [
            f"<tr><td dir=ltr>@{_e(r['handle'])}</td>{_num(r['articles'])}"
            f"{_num(r['occurrences'])}</tr>"
            for r in data["mentions"]
        ]
        add(_table(["handle", "articles", "uses"], body, "no mentions"))
        add("</section><section>")
        add("<h2>المقالات حسب المصدر <small>(articles per source per day)</small></h2>")
        body = [
            f"<tr><td class=n dir=ltr>{_e(r['day'])}</td>{_num(r['articles'])}"
            + "".join(_num(v) for v in r["sources"])
            + f"{_num(r['unknown'])}</tr>"
            for r in data["per_day"]
        ]
        add(_table(["day", "all", *data["sources"], "(no source)"], body, "no articles"))
        add("</section></div>")
    add("<h2>التشغيلات الأخيرة <small>(last runs: funnel)</small></h2>")
    body = []
    for r in data["runs"]:
        cls = "ok" if r["status"] == "completed" else "bad"
        started = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else ""
        body.append(
            f"<tr><td class=t dir=ltr>{_e(started)}</td>{_txt(r['flow'])}"
            f"<td class={cls}>{_e(r['status'])}</td>{_num(r['seconds'])}"
            + "".join(_num(r[c]) for c, _ in _FUNNEL_SHOWN)
            + f"{_txt(r['error'])}</tr>"
        )
    head = ["started (UTC)", "flow", "status", "s", *(h for _, h in _FUNNEL_SHOWN), "error"]
    add(_table(head, body, "no runs recorded"))
    add("<h2>المرفوضات <small>(rejects)</small></h2>")
    body = [
        f"<tr><td class=n dir=ltr>{_e(r['day'])}</td><td dir=ltr>{_e(r['reason'])}</td>"
        f"{_num(r['rejects'])}{_num(r['files'])}<td dir=ltr>{_e(r['example'])}</td></tr>"
        for r in data["rejects"]
    ]
    add(_table(["day", "reason", "rejects", "files", "example"], body, "nothing rejected"))
    add(f"<script>{_JS}</script></body></html>")
    return "\n".join(out)


def write_report(data_dir: Path, output: Path | None = None, days: int = 30) -> Path:
    """Render the report of the warehouse in `data_dir` to `output` (default
    `<data>/report.html`), written to a temporary file and renamed into place."""
    wh = Path(data_dir) / "warehouse.duckdb"
    if not wh.exists():
        raise FileNotFoundError(f"no warehouse at {wh}: run `akhbar run` first (or pass --data)")
    if days < 1:
        raise ValueError("--days must be at least 1")
    with duckdb.connect(str(wh), read_only=True) as con:
        doc = render_html(report_data(con, days))
    output = Path(output) if output else Path(data_dir) / "report.html"
    output.parent.mkdir(parents=True, exist_ok=True)
    tmp = output.with_name(f".{output.name}.tmp-{os.getpid()}")
    tmp.write_text(doc, encoding="utf-8")
    os.replace(tmp, output)
    return output
