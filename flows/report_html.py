"""The report as one self-contained HTML page, from `report_data()`'s sections: inline CSS, a few
lines of inline JS, the chart as inline SVG (flows/report_svg.py), no network. One function per
section. Every text that comes from the data is escaped and put in an element with
`dir="auto"`, so the browser lays out Arabic right-to-left and joins its letters (text, never
images).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from flows.report_svg import esc, legend_key, timeseries_svg

_CSS = """
*{box-sizing:border-box}
body{font-family:"Noto Naskh Arabic","Noto Sans Arabic","DejaVu Sans",Tahoma,"Segoe UI",sans-serif;
 margin:0 auto;max-width:1240px;padding:16px 24px;color:#222;background:#fafafa;line-height:1.5}
@media (max-width:600px){body{padding:8px 10px}td.b{width:40px}}
h1{font-size:1.7em;margin:.2em 0}
h2{font-size:1.25em;margin:1.6em 0 .5em;border-bottom:2px solid #ddd}
.meta{color:#666;font-size:.9em}
.grid{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,460px),1fr));gap:24px}
.grid3{display:grid;grid-template-columns:repeat(auto-fit,minmax(min(100%,240px),1fr));gap:24px}
.grid>*,.grid3>*{min-width:0}
table{border-collapse:collapse;width:100%;background:#fff;font-size:.92em}
th,td{border:1px solid #e2e2e2;padding:3px 8px;text-align:start;vertical-align:top;
 overflow-wrap:anywhere}
th{background:#f0f0f0;font-weight:600;overflow-wrap:break-word}
td.n{text-align:end;font-variant-numeric:tabular-nums;white-space:nowrap;overflow-wrap:normal}
td.b{width:90px;padding-inline:4px;vertical-align:middle}
.bar{display:block;height:.7em;background:#1f77b4;opacity:.55}
.ok{color:#2a7d2a}.bad{color:#b00020;font-weight:bold}.none{color:#888;font-style:italic}
figure{margin:0;background:#fff;border:1px solid #e2e2e2;padding:8px}
ul.legend{list-style:none;padding:0;margin:6px 0;display:flex;flex-wrap:wrap;gap:6px 18px}
ul.legend li{cursor:pointer;user-select:none;min-width:0;overflow-wrap:anywhere}
ul.legend li.off{opacity:.35}
ul.legend svg{vertical-align:middle;margin-inline-end:6px}
svg text{font-family:inherit;font-size:11px;fill:#555}svg .s{fill:none;stroke-width:2.2}
svg g.off{display:none}.wide{overflow-x:auto}td.t{white-space:nowrap;overflow-wrap:normal}
table.src th{overflow-wrap:anywhere;min-width:4.6em}table.runs td{overflow-wrap:break-word}
table.runs{font-size:.82em}table.runs th,table.runs td{padding:2px 4px}
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
    ("files_rejected", "files rejected"),
    ("records_read", "records"),
    ("articles_loaded", "loaded"),
    ("duplicates", "dupes"),
    ("records_rejected", "records rejected"),
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
            "</section></div>",
            *_per_source(data["sources"], data["per_day"]),
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


def _table(head: list[str], body: list[str], empty: str, cls: str = "") -> str:
    """A table in a box that scrolls sideways when a narrow screen cannot hold it. A heading
    spans two columns when the next one is empty (a name and its bar)."""
    if not body:
        return f'<p class="none">{esc(empty)}</p>'
    ths = "".join(
        f'<th dir="auto"{" colspan=2" if head[i + 1 : i + 2] == [""] else ""}>{esc(h)}</th>'
        for i, h in enumerate(head)
        if h
    )
    attr = f' class="{cls}"' if cls else ""
    return (
        f'<div class="wide"><table{attr}><thead><tr>{ths}</tr></thead>'
        f"<tbody>{''.join(body)}</tbody></table></div>"
    )


def _bar(v: int, mx: int) -> str:
    """A bar in a cell of its own, so that a long name wraps without pushing it down."""
    return f'<td class="b"><span class="bar" style="width:{100 * v / mx:.0f}%"></span></td>'


# --------------------------------------------------------------------------------- sections


def _meta(data: dict, generated: dt.datetime) -> str:
    return (
        f'<p class="meta" dir="ltr">{data["n_window"]:,} articles from '
        f"{data['article_days'][0]} to "
        f"{data['last']} (last {data['days']} days); {data['n_articles']:,} articles since "
        f"{data['first_all']}, of which {data['n_non_arabic']:,} not Arabic (under half their "
        f"letters Arabic) and {data['n_with_code']:,} with code scraped into the text (kept out "
        f"of hashtags and search). Generated {generated:%Y-%m-%d %H:%M} UTC.</p>"
    )


def _top_hashtags(rows: list[dict]) -> list[str]:
    mx = max([1, *(r["articles"] for r in rows)])
    body = [
        f"<tr><td class=n>{i}</td>"
        f'<td dir="auto">#{esc(r["display"])}</td>{_bar(r["articles"], mx)}'
        f"{_num(r['articles'])}{_num(r['occurrences'])}{_num(r['days'])}</tr>"
        for i, r in enumerate(rows, 1)
    ]
    return [
        "<h2>الوسوم الأكثر تداولا <small>(top hashtags)</small></h2>",
        _table(["#", "hashtag", "", "articles", "uses", "days"], body, "no hashtags"),
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
            f"{esc(r['name'])}</td>{_bar(r['articles'], mx)}"
            f"{_num(r['articles'])}{_num(r['days'])}</tr>"
            for r in rows
        ]
        out += [
            f"<section><h2>{TYPE_TITLES[t]}</h2>",
            _table(["name", "", "articles", "days"], body, "none found"),
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
        f'<li data-series="{chart.prefix}-{i}">{legend_key(i)}'
        f'<bdi dir="auto">{chart.sign}{esc(s["display"])}</bdi> ({s["total"]})</li>'
        for i, s in enumerate(series)
    ]
    return [
        *out,
        "</ul>",
        timeseries_svg(series, first, last, chart.prefix),
        f'<figcaption class="meta" dir="ltr">{esc(chart.caption)}; a gap is a day with no '
        "articles loaded at all. Click a name to hide or show its line."
        f"{_same_lines(series, chart.sign)}</figcaption>",
        "</figure>",
    ]


def _same_lines(series: list[dict], sign: str) -> str:
    """A sentence per group of lines with the same value every day: drawn on top of each
    other, only the last one drawn would show."""
    groups: dict[tuple, list[str]] = {}
    for s in series:
        groups.setdefault(tuple(sorted(s["points"].items())), []).append(s["display"])
    return "".join(
        " Same values every day (one line hides the others): "
        + ", ".join(f'<bdi dir="auto">{sign}{esc(n)}</bdi>' for n in names)
        + "."
        for names in groups.values()
        if len(names) > 1
    )


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
    """Per day: all articles, the top sources', the other sources' together and those with no
    source (they add up to all); "other" and "(no source)" only when some day has any."""
    extra = [k for k in ("other", "unknown") if any(r[k] for r in per_day)]
    head = ["day", "all", *sources, *("(no source)" if k == "unknown" else k for k in extra)]
    body = [
        f"<tr><td class=n dir=ltr>{esc(r['day'])}</td>{_num(r['articles'])}"
        + "".join(_num(v) for v in [*r["sources"], *(r[k] for k in extra)])
        + "</tr>"
        for r in per_day
    ]
    return [
        "<h2>المقالات حسب المصدر <small>(articles per source per day)</small></h2>",
        _table(head, body, "no articles", "src"),  # sources' names may be long
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
        _table(head, body, "no runs recorded", "runs"),
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
