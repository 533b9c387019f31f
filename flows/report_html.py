"""The report as one self-contained HTML page, from `report_data()`'s sections: inline CSS, a few
lines of inline JS, the chart as inline SVG (flows/report_svg.py), no network. One function per
section. Every text that comes from the data is escaped and put in an element with
`dir="auto"`, so the browser lays out Arabic right-to-left and joins its letters (text, never
images).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.report_svg import color, esc, timeseries_svg

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",Tahoma,"Segoe UI",sans-serif;
 margin:0 auto;max-width:1150px;padding:16px 24px;color:#222;background:#fafafa;line-height:1.5}
h1{font-size:1.7em;margin:.2em 0}
h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid #ddd}
.meta{color:#666;font-size:.9em}.grid{display:grid;grid-template-columns:1fr 1fr;gap:24px}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(240px,1fr));gap:24px}
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

_EMPTY = '<p class="none">لا توجد مقالات في المستودع بعد (no articles in the warehouse).</p>'

# A click on a legend entry hides or shows its line; data-ready tells a test the script ran.
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

# The runs table's funnel columns the report shows (sql/report/runs.sql), with their headings.
FUNNEL_SHOWN = (
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


def render_html(data: dict, generated: dt.datetime | None = None) -> str:
    """The whole page: the warehouse's sections when it has articles, then runs and rejects."""
    generated = generated or dt.datetime.now(dt.UTC)
    out = [
        '<!DOCTYPE html><html lang="ar" dir="rtl"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        "<title>akhbar — تقرير الوسوم</title>",
        f"<style>{_CSS}</style></head><body>",
        "<h1>أخبار — تقرير الوسوم <span dir=ltr>(akhbar report)</span></h1>",
    ]
    if data["empty"]:
        out.append(_EMPTY)
    else:
        out += [
            _meta(data, generated),
            '<div class="grid"><section>',
            *_top_hashtags(data["top_tags"]),
            "</section><section>",
            *_trending(data["trending"]),
            "</section></div>",
            *_daily_chart(data["series"], data["article_days"][0], data["last"]),
            *_entities(data["entities"]),
            *_daily_chart(
                data["entity_series"], data["article_days"][0], data["last"], ENTITY_CHART
            ),
            '<div class="grid"><section>',
            *_mentions(data["mentions"]),
            "</section><section>",
            *_per_source(data["sources"], data["per_day"]),
            "</section></div>",
        ]
    out += [*_runs(data["runs"]), *_rejects(data["rejects"])]
    out.append(f"<script>{_JS}</script></body></html>")
    return "\n".join(out)


# --------------------------------------------------------------------------------- cells


def _num(v: object) -> str:
    if v is None:
        return '<td class="n"></td>'
    if isinstance(v, float):
        v = f"{v:,.3f}".rstrip("0").rstrip(".")
    elif isinstance(v, int):
        v = f"{v:,}"
    return f'<td class="n" dir="ltr">{esc(v)}</td>'


def _txt(v: object) -> str:
    return f'<td dir="auto">{esc(v)}</td>'


def _table(head: list[str], body: list[str], empty: str) -> str:
    if not body:
        return f'<p class="none">{esc(empty)}</p>'
    ths = "".join(f'<th dir="auto">{esc(h)}</th>' for h in head)
    return (
        f'<div class="wide"><table><thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


# --------------------------------------------------------------------------------- sections


def _meta(data: dict, generated: dt.datetime) -> str:
    return (
        f'<p class="meta" dir="ltr">{data["n_window"]:,} articles from '
        f"{data['article_days'][0]} to "
        f"{data['last']} (last {data['days']} days); {data['n_articles']:,} articles since "
        f"{data['first_all']}. Generated {generated:%Y-%m-%d %H:%M} UTC.</p>"
    )


def _top_hashtags(rows: list[dict]) -> list[str]:
    mx = max([1, *(r["articles"] for r in rows)])
    body = [
        f"<tr><td class=n>{i}</td>"
        f'<td dir="auto">#{esc(r["display"])}'
        f'<span class="bar" style="width:{80 * r["articles"] / mx:.0f}px"></span></td>'
        f"{_num(r['articles'])}{_num(r['occurrences'])}{_num(r['days'])}</tr>"
        for i, r in enumerate(rows, 1)
    ]
    return [
        "<h2>الوسوم الأكثر تداولا <small>(top hashtags)</small></h2>",
        _table(["#", "hashtag", "articles", "uses", "days"], body, "no hashtags"),
    ]


def _trending(rows: list[dict]) -> list[str]:
    body = [
        f"<tr><td class=n dir=ltr>{esc(r['day'])}</td><td dir=auto>#{esc(r['display'])}</td>"
        f"{_num(r['articles'])}{_num(r['baseline_mean'])}{_num(r['lift'])}{_num(r['z'])}</tr>"
        for r in rows
    ]
    empty = (
        "no hashtag passed the support thresholds (3+ articles on the day, 3+ baseline "
        "days): see v_trending_hashtags"
    )
    return [
        "<h2>الوسوم الصاعدة <small>(trending)</small></h2>",
        _table(["day", "hashtag", "articles", "7-day mean", "lift", "z"], body, empty),
    ]


@dataclass(frozen=True)
class Chart:
    """What a daily chart says about its lines."""

    title: str
    sign: str  # before each name in the legend
    none: str
    caption: str
    prefix: str  # of the SVG group ids of its lines


HASHTAG_CHART = Chart(
    "الاستخدام اليومي <small>(daily articles, top hashtags)</small>",
    "#",
    "no hashtags",
    "Articles a day using each of the top hashtags",
    "series",
)
ENTITY_CHART = Chart(
    "الحضور اليومي <small>(daily articles, top people, places, organisations)</small>",
    "",
    "no people, places or organisations",
    "Articles a day naming each of the most named people, places and organisations",
    "entity",
)
TYPE_TITLES = {
    "PER": "الأشخاص <small>(top people)</small>",
    "LOC": "الأماكن <small>(top places)</small>",
    "ORG": "المنظمات <small>(top organisations)</small>",
}


def _entities(by_type: dict[str, list[dict]]) -> list[str]:
    """Three tables side by side: the most named people, places and organisations."""
    out = ['<div class="grid3">']
    for t in ("PER", "LOC", "ORG"):
        rows = by_type.get(t, [])
        mx = max([1, *(r["articles"] for r in rows)])
        body = [
            f'<tr><td dir="auto" title="{esc(r["name_en"] or r["entity_id"])}">'
            f"{esc(r['name'])}"
            f'<span class="bar" style="width:{60 * r["articles"] / mx:.0f}px"></span></td>'
            f"{_num(r['articles'])}{_num(r['days'])}</tr>"
            for r in rows
        ]
        out += [
            f"<section><h2>{TYPE_TITLES[t]}</h2>",
            _table(["name", "articles", "days"], body, "none found"),
            "</section>",
        ]
    return [*out, "</div>"]


def _daily_chart(
    series: list[dict], first: dt.date, last: dt.date, chart: Chart = HASHTAG_CHART
) -> list[str]:
    out = [f"<h2>{chart.title}</h2>"]
    if not series:
        return [*out, f'<p class="none">{esc(chart.none)}</p>']
    out += ["<figure>", '<ul class="legend">']
    out += [
        f'<li data-series="{chart.prefix}-{i}"><span class="sw" '
        f'style="background:{color(i)}"></span>'
        f'<bdi dir="auto">{chart.sign}{esc(s["display"])}</bdi> ({s["total"]})</li>'
        for i, s in enumerate(series)
    ]
    return [
        *out,
        "</ul>",
        timeseries_svg(series, first, last, chart.prefix),
        f'<figcaption class="meta" dir="ltr">{esc(chart.caption)}; a gap is a day with no '
        "articles loaded at all. Click a name to hide or show its line.</figcaption>",
        "</figure>",
    ]


def _mentions(rows: list[dict]) -> list[str]:
    body = [
        f"<tr><td dir=ltr>@{esc(r['handle'])}</td>{_num(r['articles'])}"
        f"{_num(r['occurrences'])}</tr>"
        for r in rows
    ]
    return [
        "<h2>الحسابات المذكورة <small>(top mentions)</small></h2>",
        _table(["handle", "articles", "uses"], body, "no mentions"),
    ]


def _per_source(sources: list[str], per_day: list[dict]) -> list[str]:
    body = [
        f"<tr><td class=n dir=ltr>{esc(r['day'])}</td>{_num(r['articles'])}"
        + "".join(_num(v) for v in r["sources"])
        + f"{_num(r['unknown'])}</tr>"
        for r in per_day
    ]
    return [
        "<h2>المقالات حسب المصدر <small>(articles per source per day)</small></h2>",
        _table(["day", "all", *sources, "(no source)"], body, "no articles"),
    ]


def _runs(rows: list[dict]) -> list[str]:
    body = []
    for r in rows:
        cls = "ok" if r["status"] == "completed" else "bad"
        started = r["started_at"].strftime("%Y-%m-%d %H:%M:%S") if r["started_at"] else ""
        body.append(
            f"<tr><td class=t dir=ltr>{esc(started)}</td>{_txt(r['flow'])}"
            f"<td class={cls}>{esc(r['status'])}</td>{_num(r['seconds'])}"
            + "".join(_num(r[c]) for c, _ in FUNNEL_SHOWN)
            + f"{_txt(r['error'])}</tr>"
        )
    head = ["started (UTC)", "flow", "status", "s", *(h for _, h in FUNNEL_SHOWN), "error"]
    return [
        "<h2>التشغيلات الأخيرة <small>(last runs: funnel)</small></h2>",
        _table(head, body, "no runs recorded"),
    ]


def _rejects(rows: list[dict]) -> list[str]:
    body = [
        f"<tr><td class=n dir=ltr>{esc(r['day'])}</td><td dir=ltr>{esc(r['reason'])}</td>"
        f"{_num(r['rejects'])}{_num(r['files'])}<td dir=ltr>{esc(r['example'])}</td></tr>"
        for r in rows
    ]
    return [
        "<h2>المرفوضات <small>(rejects)</small></h2>",
        _table(["day", "reason", "rejects", "files", "example"], body, "nothing rejected"),
    ]
