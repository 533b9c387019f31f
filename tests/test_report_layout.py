"""The HTML report fits the screen, in a real headless browser (Debian's chromium), at 1280 px
and at 390 px (a phone), on the seeds and on wide data: many sources with long names, long
hashtags, lines on the same values. And its tables say what they count: the top sources plus
"other" plus "(no source)" add up to "all", no column is all zeros, no two columns share a name.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import duckdb
import pytest

from flows.report import write_report
from flows.report_data import TOP_SOURCES, report_data
from flows.report_svg import DASHES, MARKERS
from tests.conftest import ROOT
from tests.util import nightly

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install chromium; .ci/run does)"
)
WIDTHS = (1280, 390)
N_SOURCES = 14
LONG_TAGS = [f"مهرجان_الرياض_الدولي_للكتاب_والثقافة_والفنون_{i}" for i in range(6)]


# ------------------------------------------------------------------------------- the data


def _article(i: int, day: int) -> dict:
    # every article carries all six long hashtags: six lines on exactly the same values
    tags = " ".join(f"#{t}" for t in LONG_TAGS)
    return {
        "source": f"مصدر-باسم-طويل-جدا-للاختبار-{i % N_SOURCES:02d}.example.com",
        "url": f"https://example.com/{day}/{i}",
        "date_extracted": f"2026-02-{day:02d} 08:00:00",
        "title": f"خبر رقم {i} عن معرض الكتاب في اليوم {day}",
        "author": "مراسل",
        "content": f"افتتح في الرياض معرض الكتاب بمشاركة دور نشر كثيرة. {tags}",
    }


def build_wide_landing(root: Path) -> Path:
    """Ten days; per day one article of each of 14 sources (more on some), and one .txt with
    no source."""
    land = root / "landing"
    for day in range(1, 11):
        folder = land / f"2026-02-{day:02d}"
        folder.mkdir(parents=True)
        arts = [_article(i, day) for i in range(N_SOURCES + day)]
        (folder / "wire.json").write_text(json.dumps(arts, ensure_ascii=False), encoding="utf-8")
        (folder / "a.txt").write_text(f"خبر بلا مصدر\n\nنص خبر اليوم {day}.", encoding="utf-8")
    return land


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The report of the seeds and the report of the wide data, by name."""
    root = tmp_path_factory.mktemp("layout")
    shutil.copytree(ROOT / "seeds" / "landing", root / "seeds")
    nightly(root / "seeds", root / "seeds-data")
    nightly(build_wide_landing(root / "wide"), root / "wide-data")
    return {
        name: write_report(root / f"{name}-data", root / f"{name}.html", days=30)
        for name in ("seeds", "wide")
    }


# ------------------------------------------------------------------------------- measuring

# Injected into a copy of the report: after layout, what sticks out of the page and which
# sideways-scrolling table boxes scroll, posted to the page that frames it.
PROBE = """<script>
window.addEventListener('load', function () {
  var root = document.documentElement, R = root.getBoundingClientRect(), outside = [];
  document.querySelectorAll('body *').forEach(function (el) {
    var box = el.closest('.wide');
    if (box && box !== el) return;  // inside a box that scrolls sideways: the box counts
    var r = el.getBoundingClientRect();
    if (r.width && (r.right > R.right + 0.5 || r.left < R.left - 0.5)) {
      outside.push(el.tagName.toLowerCase() + '.' + el.className + ' ' +
                   Math.round(r.left) + '..' + Math.round(r.right));
    }
  });
  var scrolling = [];
  document.querySelectorAll('.wide').forEach(function (el) {
    if (el.scrollWidth > el.clientWidth + 0.5) {
      var h = el.previousElementSibling;
      scrolling.push((h ? h.textContent : '?') + ': ' + el.scrollWidth + ' > ' + el.clientWidth);
    }
  });
  parent.postMessage(JSON.stringify({width: window.innerWidth, viewport: root.clientWidth,
    scrollWidth: root.scrollWidth, outside: outside, scrolling: scrolling}), '*');
});
</script>"""

FRAMES = """<!DOCTYPE html><html><body style="margin:0"><pre id="out"></pre>{frames}<script>
window.addEventListener('message', function (e) {{
  document.getElementById('out').textContent += e.data + '\\n';
}});</script></body></html>"""


def measure(report: Path, tmp: Path) -> dict[int, dict]:
    """Per width: the page's scrollWidth and viewport (its width less the scrollbar), what
    sticks out of it and the table boxes that scroll. The report is framed at each width (an
    iframe is a viewport of exactly that width; a headless window has a minimum width)."""
    probed = tmp / "probed.html"
    probed.write_text(
        report.read_text(encoding="utf-8").replace("</body>", PROBE + "</body>"), encoding="utf-8"
    )
    frames = "".join(
        f'<iframe src="probed.html" style="border:0;width:{w}px;height:900px"></iframe>'
        for w in WIDTHS
    )
    (tmp / "frames.html").write_text(FRAMES.format(frames=frames), encoding="utf-8")
    dom = subprocess.run(
        [
            CHROMIUM,
            "--headless=new",
            "--no-sandbox",
            "--disable-gpu",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={tmp / 'profile'}",
            "--window-size=1800,1000",
            "--virtual-time-budget=10000",  # the frames' messages arrive before the dump
            "--dump-dom",
            (tmp / "frames.html").resolve().as_uri(),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout
    out = re.search(r'<pre id="out">(.*?)</pre>', dom, re.S)
    assert out, dom[-2000:]
    results = [json.loads(line.replace("&gt;", ">")) for line in out[1].splitlines() if line]
    return {r["width"]: r for r in results}


@needs_chromium
@pytest.mark.integration
@pytest.mark.parametrize("name", ["seeds", "wide"])
def test_report_fits_1280_and_390_px(reports: dict[str, Path], name: str, tmp_path: Path) -> None:
    got = measure(reports[name], tmp_path)
    assert sorted(got) == sorted(WIDTHS), got
    for width, m in got.items():
        assert m["scrollWidth"] <= m["viewport"] <= width, (width, m)  # no sideways scrolling
        assert not m["outside"], (width, m["outside"])  # nothing sticks out, left or right
    # on a desktop screen every table fits whole; on a phone a wide one scrolls in its box
    assert not got[1280]["scrolling"], got[1280]["scrolling"]


# ------------------------------------------------------------------------------- the tables


class _Tables(HTMLParser):
    """Each table of a page as its heading row (colspans expanded) and body rows of cells."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[dict] = []
        self._cell: list[str] | None = None
        self._span = 1

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag == "table":
            self.tables.append({"head": [], "rows": []})
        elif tag == "tr" and self.tables:
            self.tables[-1]["rows"].append([])
        elif tag in ("td", "th"):
            self._cell, self._span = [], int(dict(attrs).get("colspan") or 1)

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            text = "".join(self._cell).strip()
            row = self.tables[-1]["rows"][-1]
            row += [text] + [f"{text} (2)"] * (self._span - 1) if tag == "th" else [text]
            self._cell = None
        elif tag == "table":
            t = self.tables[-1]
            t["head"], t["rows"] = t["rows"][0], t["rows"][1:]


def tables(html: str) -> list[dict]:
    p = _Tables()
    p.feed(html)
    return p.tables


def _int(v: str) -> int:
    return int(v.replace(",", ""))


def _sources_table(html: str) -> dict:
    (t,) = [t for t in tables(html) if t["head"][:2] == ["day", "all"]]
    return t


def test_sources_other_and_no_source_add_up_to_all(reports: dict[str, Path]) -> None:
    t = _sources_table(reports["wide"].read_text(encoding="utf-8"))
    assert len(t["head"]) == 2 + TOP_SOURCES + 2 and t["head"][-2:] == ["other", "(no source)"]
    assert len(t["rows"]) == 10
    for row in t["rows"]:
        assert _int(row[1]) == sum(_int(v) for v in row[2:]), row
    # "other" is every source outside the top ones, counted apart from the report's queries
    wh = reports["wide"].parent / "wide-data" / "warehouse.duckdb"
    top = t["head"][2 : 2 + TOP_SOURCES]
    with duckdb.connect(str(wh), read_only=True) as con:
        other = dict(
            con.execute(
                "select ingest_date::varchar, count(*) from articles where source is not null "
                "and source not in (select unnest(?::varchar[])) group by 1",
                [top],
            ).fetchall()
        )
    assert {r[0]: _int(r[-2]) for r in t["rows"]} == other
    assert min(other.values()) > 0


def test_no_all_zero_columns_and_distinct_column_names(reports: dict[str, Path]) -> None:
    seeds = reports["seeds"].read_text(encoding="utf-8")
    head = _sources_table(seeds)["head"]
    # the seeds have two sources: no "other" column, and a "(no source)" one (most have none)
    assert head == ["day", "all", "wire-example", "feed-example", "(no source)"]
    for name in ("seeds", "wide"):
        for t in tables(reports[name].read_text(encoding="utf-8")):
            heads = [h for h in t["head"] if not h.endswith(" (2)")]
            assert len(heads) == len(set(heads)), (name, heads)
            if t["head"][:2] == ["day", "all"]:
                for i in range(1, len(t["head"])):
                    assert any(_int(r[i]) for r in t["rows"]), (name, t["head"][i])


def test_long_hashtags_and_their_bars_are_cells_apart(reports: dict[str, Path]) -> None:
    html = reports["wide"].read_text(encoding="utf-8")
    (t,) = [t for t in tables(html) if t["head"][:2] == ["#", "hashtag"]]
    assert t["head"][2] == "hashtag (2)"  # the heading spans the name and its bar
    for row in t["rows"][:6]:
        assert row[1].removeprefix("#") in LONG_TAGS and row[2] == ""  # the bar's own cell
    assert html.count('<td class="b"><span class="bar"') >= 6


def test_lines_on_the_same_values_differ_in_dash_and_marker(reports: dict[str, Path]) -> None:
    with duckdb.connect(
        str(reports["wide"].parent / "wide-data" / "warehouse.duckdb"), read_only=True
    ) as con:
        series = report_data(con, 30)["series"]
    assert len({tuple(s["points"].items()) for s in series}) == 1  # six identical lines
    html = reports["wide"].read_text(encoding="utf-8")
    start = html.index('<g id="series-0">')
    chart = html[start : html.index("</svg>", start)]
    lines = re.findall(r'<g id="series-\d"><path class="s" stroke="([^"]+)"([^>]*)>', chart)
    assert len(lines) == 6
    dashes = [re.findall(r'stroke-dasharray="([^"]+)"', attrs) for _, attrs in lines]
    assert len({c for c, _ in lines}) == 6  # six colours
    assert len({tuple(d) for d in dashes[: len(DASHES)]}) == len(DASHES)  # and five patterns
    for shape in ("<circle", "<rect", "Z"):  # circles, squares, triangles and diamonds
        assert shape in chart
    assert html.count("<li data-series=") >= 6 and len(MARKERS) == len(DASHES)
    # and the caption says which lines coincide
    caption = html[html.index("</svg>", start) :].split("</figcaption>")[0]
    assert "Same values every day" in caption and all(t in caption for t in LONG_TAGS)
    assert dt.date(2026, 2, 10).isoformat() in chart  # tooltips name the day
