"""Every view and macro in sql/ on a hand-built landing zone (tests/analyst_fixture.py), with the
expected answers worked out by hand in the comments, not read back from the code."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from tests.analyst_fixture import SCHOOL_BODY, SCHOOL_TITLE, build_landing
from tests.util import nightly, query

SQL = Path(__file__).resolve().parents[1] / "sql"
D = dt.date
R, J, M = "الرياض", "جده", "مطر"  # keys: جدة folds to جده


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("analyst")
    summary = nightly(build_landing(root), root / "data")
    assert summary["status"] == "completed" and summary["articles_loaded"] == 17
    with duckdb.connect(str(root / "data" / "warehouse.duckdb"), read_only=True) as c:
        yield c


def rows(con, sql: str, params: list | None = None) -> list[tuple]:
    return con.execute(sql, params or []).fetchall()


def test_v_articles(con) -> None:
    assert rows(con, "select count(*) from v_articles") == [(17,)]
    assert rows(con, "select day, source from v_articles where title = ?", [SCHOOL_TITLE]) == [
        (D(2026, 1, 3), None)
    ]


def test_v_hashtag_display_picks_the_most_frequent_spelling(con) -> None:
    # الرياض: 14 uses spelled الرياض (the tatweel one is cleaned to it), 2 spelled الرّياض
    assert rows(con, "select key, display, spellings from v_hashtag_display order by key") == [
        (R, "الرياض", 2),
        (J, "جدة", 1),
        (M, "مطر", 1),
    ]


def test_v_hashtag_daily(con) -> None:
    got = rows(
        con, "select day, articles, occurrences from v_hashtag_daily where key = ? order by 1", [R]
    )
    assert got == [
        (D(2026, 1, 2), 3, 3),
        (D(2026, 1, 4), 3, 4),  # one article uses it twice
        (D(2026, 1, 5), 6, 6),
        (D(2026, 1, 7), 3, 3),
    ]
    assert rows(con, "select display from v_hashtag_daily where key = ? limit 1", [J]) == [("جدة",)]


def test_v_top_hashtags(con) -> None:
    got = rows(
        con,
        "select rank, key, display, articles, occurrences, days, first_day, last_day "
        "from v_top_hashtags",
    )
    assert got == [
        (1, R, "الرياض", 15, 16, 4, D(2026, 1, 2), D(2026, 1, 7)),
        # جده and مطر tie on articles and occurrences: key order breaks the tie
        (2, J, "جدة", 3, 3, 3, D(2026, 1, 1), D(2026, 1, 5)),
        (3, M, "مطر", 3, 3, 1, D(2026, 1, 5), D(2026, 1, 5)),
    ]


def test_mention_views(con) -> None:
    assert rows(con, "select key, handle, spellings from v_mention_display order by key") == [
        ("okaz_online", "okaz_online", 1),
        ("spagov", "SPAgov", 2),  # SPAgov twice, spagov once
    ]
    assert rows(
        con,
        "select day, handle, articles, occurrences from v_mention_daily "
        "where key = 'spagov' order by day",
    ) == [
        (D(2026, 1, 1), "SPAgov", 1, 1),
        (D(2026, 1, 2), "SPAgov", 2, 2),
    ]
    assert rows(
        con,
        "select rank, key, articles, occurrences, days, first_day, last_day from v_top_mentions",
    ) == [
        (1, "spagov", 3, 3, 2, D(2026, 1, 1), D(2026, 1, 2)),
        (2, "okaz_online", 1, 1, 1, D(2026, 1, 4), D(2026, 1, 4)),
    ]


def test_v_source_daily(con) -> None:
    # the two .txt articles have no source and are not counted
    assert rows(con, "select * from v_source_daily order by day, source") == [
        (D(2026, 1, 2), "spa", 3, 3),
        (D(2026, 1, 4), "okaz", 3, 4),
        (D(2026, 1, 5), "okaz", 2, 2),
        (D(2026, 1, 5), "spa", 4, 8),
        (D(2026, 1, 7), "spa", 3, 3),
    ]


def test_v_run_history_and_rejects(con) -> None:
    got = rows(
        con,
        "select flow, status, records_read, articles_loaded, records_rejected, "
        "files_rejected from v_run_history",
    )
    # 18 files/records read: 17 articles + empty.txt
    assert got == [("nightly", "completed", 18, 17, 1, 1)]
    assert rows(con, "select day, reason, rejects, files, example from v_rejects_summary") == [
        (D(2026, 1, 3), "empty", 1, 1, "2026-01-03/empty.txt")
    ]


def test_v_trending_hashtags(con) -> None:
    # Days with articles: 01-01..05, 01-07. الرياض daily articles there: 0 3 0 3 6 . 3
    # 01-02: baseline one day (01-01) < 3: not shown.
    # 01-04: baseline 01-01..03 = 0 3 0: mean 1, sd sqrt(2) = 1.414; lift 4/2; z 2/1.414
    # 01-05: baseline 01-01..04 = 0 3 0 3: mean 1.5, sd 1.5; lift 7/2.5 = 2.8; z 4.5/1.5 = 3
    # 01-07: baseline 12-31..01-06 has five days with articles (01-06 has none and is not a
    #        zero): 0 3 0 3 6: mean 2.4, sd sqrt(25.2/5) = 2.245; lift 4/3.4; z 0.6/2.245
    # مطر 01-05: 3 articles over a baseline of four zeros: mean 0, sd 0 (floored to 1): z 3, lift 4
    # جده never reaches 3 articles a day: not shown.
    got = rows(
        con,
        "select day, key, display, articles, baseline_days, baseline_mean, "
        "baseline_sd, lift, z from v_trending_hashtags",
    )
    exp = [
        (D(2026, 1, 7), R, "الرياض", 3, 5, 2.4, 2.245, 4 / 3.4, 0.6 / 2.24499),
        (D(2026, 1, 5), R, "الرياض", 6, 4, 1.5, 1.5, 2.8, 3.0),
        (D(2026, 1, 5), M, "مطر", 3, 4, 0.0, 0.0, 4.0, 3.0),
        (D(2026, 1, 4), R, "الرياض", 3, 3, 1.0, 1.414, 2.0, 2 / 2**0.5),
    ]
    assert [g[:5] for g in got] == [e[:5] for e in exp]
    for g, e in zip(got, exp, strict=True):
        assert g[5:] == pytest.approx(e[5:], abs=1e-3)


def test_v_hashtag_cooccurrence(con) -> None:
    # N = 17 articles. n(الرياض) = 15, n(جده) = 3, n(مطر) = 3.
    # (الرياض, مطر): 3 together: lift 3*17/(15*3) = 1.1333, pmi log2 = 0.1806,
    #                npmi = 0.1806 / -log2(3/17) = 0.0722
    # (الرياض, جده): 1 together (01-05): lift 17/45 = 0.3778, pmi -1.4044, npmi / log2(17)
    got = rows(
        con,
        "select key_a, key_b, display_a, display_b, articles, articles_a, "
        "articles_b, lift, pmi, npmi from v_hashtag_cooccurrence",
    )
    assert [g[:7] for g in got] == [
        (R, M, "الرياض", "مطر", 3, 15, 3),
        (R, J, "الرياض", "جدة", 1, 15, 3),
    ]
    assert got[0][7:] == pytest.approx((1.1333, 0.1806, 0.0722), abs=1e-3)
    assert got[1][7:] == pytest.approx((0.3778, -1.4044, -0.3436), abs=1e-3)


@pytest.mark.parametrize("spelling", ["#الرّياض", "الريـاض", "＃الرياض", " ٱلرياض ", "#الرياض"])
def test_hashtag_timeline_accepts_any_spelling(con, spelling: str) -> None:
    got = rows(
        con, "select day, key, display, articles, occurrences from hashtag_timeline(?)", [spelling]
    )
    days = [D(2026, 1, d) for d in (1, 2, 3, 4, 5, 7)]  # zero-filled over days with articles
    counts = [(0, 0), (3, 3), (0, 0), (3, 4), (6, 6), (3, 3)]
    assert got == [(d, R, "الرياض", a, o) for d, (a, o) in zip(days, counts, strict=True)]


def test_hashtag_timeline_unknown_tag_is_all_zero(con) -> None:
    got = rows(con, "select display, sum(articles) from hashtag_timeline('#لا_يوجد') group by 1")
    assert got == [(None, 0)]


def test_articles_with_hashtag(con) -> None:
    got = rows(
        con,
        "select day, source, title, occurrences, fields, spellings "
        "from articles_with_hashtag('#الرياض')",
    )
    assert len(got) == 15
    assert got[0][0] == D(2026, 1, 7) and got[-1][0] == D(2026, 1, 2)  # newest first
    by_title = {r[2]: r for r in got}
    assert by_title["حركة المرور"][3:] == (2, ["body"], ["الرياض"])
    assert by_title["عودة الدراسة"][3:] == (1, ["body"], ["الرّياض"])
    assert by_title["تعليق الدراسة"][:2] == (D(2026, 1, 5), "spa")  # spelled with tatweel
    assert rows(con, "select title from articles_with_hashtag('مطر') order by title") == [
        ("أمطار غزيرة",),
        ("تعليق الدراسة",),
        ("سيول في الأودية",),
    ]


def _school_snippet(word: str, n: int) -> tuple[str, int]:
    """Expected snippet by hand: 40 characters either side of the word in the clean body."""
    i = SCHOOL_BODY.index(word)
    s = SCHOOL_BODY[max(i - 40, 0) : i + n + 40]
    return ("…" if i > 40 else "") + s + ("…" if i + n + 40 < len(SCHOOL_BODY) else ""), i + 1


@pytest.mark.parametrize("term", ["مدرسه", "مَدْرَسَة", "مدرسة"])
def test_search_articles_snippet_is_cut_from_the_clean_body(con, term: str) -> None:
    # Five harakat precede the word in the body (أنّ العامَ الدراسيّ إنّ ...), so its offset in
    # body_norm is 5 less than in body: the snippet must still be centred on المدرسةَ.
    got = rows(con, "select day, title, snippet, match_pos from search_articles(?)", [term])
    snippet, pos = _school_snippet("مدرسةَ", 5)
    assert got == [(D(2026, 1, 3), SCHOOL_TITLE, snippet, pos)]
    assert "المدرسةَ الجديدةَ" in snippet


def test_search_articles_term_with_harakat_and_hamza_forms(con) -> None:
    got = rows(con, "select snippet, match_pos from search_articles('أبوابُها')")
    snippet, pos = _school_snippet("أبوابها", 7)
    assert got == [(snippet, pos)]


def test_search_articles_title_only_and_empty(con) -> None:
    # الأمل is only in the title: no body position, the snippet is the body's first 80 chars
    got = rows(con, "select title, snippet, match_pos from search_articles('الامل')")
    assert got == [(SCHOOL_TITLE, SCHOOL_BODY[:80] + "…", None)]
    assert rows(con, "select count(*) from search_articles('')") == [(0,)]
    assert rows(con, "select count(*) from search_articles('ـ')") == [(0,)]  # tatweel only
    # every article naming الرياض in its text: the 15 tagged ones (+ none untagged)
    assert rows(con, "select count(*) from search_articles('الرياض')") == [(15,)]


def _headers() -> dict[Path, str]:
    out = {}
    for p in sorted([*SQL.glob("views/*.sql"), *SQL.glob("macros/*.sql")]):
        head = []
        for line in p.read_text(encoding="utf-8").splitlines():
            if not line.startswith("--"):
                break
            head.append(line[2:].strip())
        out[p] = "\n".join(head)
    return out


def test_every_object_has_a_header_whose_example_runs(con) -> None:
    for path, head in _headers().items():
        name = path.stem
        assert re.match(rf"{name}(\(\w+\))?: \S", head), f"{path.name}: first line names it"
        for part in ("Purpose:", "Columns:", "Example:"):
            assert part in head, f"{path.name}: header lacks {part}"
        example = head.split("Example:", 1)[1].strip().replace("\n", " ")
        # the documented example runs, and finds something on this fixture
        assert con.execute(example).fetchall(), f"{path.name}: example returns no rows"


def _load_one_body(tmp_path: Path, body: str) -> Path:
    """A data dir holding one article with `body`, loaded by a nightly run."""
    landing, data = tmp_path / "landing", tmp_path / "data"
    (landing / "2026-11-01").mkdir(parents=True)
    (landing / "2026-11-01" / "a.txt").write_text(f"عنوان\n\n{body}", encoding="utf-8")
    nightly(landing, data)
    return data


def test_search_snippet_starts_at_the_word_despite_harakat(tmp_path: Path) -> None:
    body = "كَتَبَ المُعَلِّمُ في المَدْرَسَةِ اليوم درسا"
    data = _load_one_body(tmp_path, body)
    for term, word in (("المدرسه", "المَدْرَسَةِ"), ("المعلم", "المُعَلِّمُ"), ("اليوم", "اليوم")):
        (pos,) = query(data, "select match_pos from search_articles(?)", [term])[0]
        assert body[pos - 1 :].startswith(word), (term, pos)  # match_pos is 1-based


def test_search_snippet_position_after_dotted_capital_i(tmp_path: Path) -> None:
    body = "زار İstanbul وفد ثم ذهب إلى المدرسة صباحا"
    data = _load_one_body(tmp_path, body)
    (pos,) = query(data, "select match_pos from search_articles('المدرسه')")[0]
    assert body[pos - 1 :].startswith("المدرسة")


# --------------------------------------------------------------------------------------------
# search_articles: whole words with their proclitics, or substrings
# --------------------------------------------------------------------------------------------

# title -> body: each article one case, checked by its title
SEARCH_CASES = {
    "bare": "وصل الوفد إلى الرياض صباح اليوم",
    "waw": "اجتماع في جدة والرياض غدا",
    "ba_comma": "افتتح المعرض بالرياض، بحضور الوزير",
    "lil": "رحلات جديدة للرياض من دبي",
    "fa_lil_kaf": "فللرياض تاريخ طويل، كالرياض القديمة",
    "sport": "فاز الفريق في بطولة الرياضة المدرسية",
    "athlete": "قال اللاعب الرياضي إن الموسم صعب",
    "sport_then_place": "وزارة الرياضة تنظم سباقا في الرياض",
    "gardens": "زار الوفد رياض الأطفال في المدينة",
    "harakat": "وَصَلَ الوَفْدُ وَبِالرِّيَاضِ اجْتَمَعَ",
    "glued": "الوسم #الرياض_اليوم والرقم الرياض2 وxالرياض",
    "hashtag": "تصدر #الرياض قائمة الوسوم",
    "ministry": "وأعلنت وزارةُ التعليمِ اليوم النتائج",
    "ministry_lil": "صدر قرار لوزارة التعليم أمس",
    "ministry_adj": "وزارة التعليمية ليست وزارة",
    "country": "هذه دولة غنية ولله الحمد",
    "country_harakat": "قَالَ فِي دَوْلَةٍ ولله الحمد",
    "meat": "قدم الطاهي طبقا للحم المشوي",
    "code": "تعلم لغة C++ في أسبوع",
    "code_dot": "الرمز cxb لا يطابق",
}
TITLE_ONLY = ("بالرياض اليوم", "خبر عن المدينة بلا اسمها")
TITLE_SPORT = ("الرياضة اليوم", "خبر عادي عن المدينة")


@pytest.fixture(scope="module")
def search_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("search")
    day = root / "landing" / "2026-11-01"
    day.mkdir(parents=True)
    for i, (title, body) in enumerate([*SEARCH_CASES.items(), TITLE_ONLY, TITLE_SPORT]):
        (day / f"{i:02d}.txt").write_text(f"{title}\n\n{body}", encoding="utf-8")
    summary = nightly(root / "landing", root / "data")
    assert summary["articles_loaded"] == len(SEARCH_CASES) + 2
    return root / "data"


def _titles(data: Path, sql: str, params: list | None = None) -> set[str]:
    return {r[0] for r in query(data, sql, params)}


def test_search_whole_word_finds_the_place_not_the_sport(search_data: Path) -> None:
    place = {"bare", "waw", "ba_comma", "lil", "fa_lil_kaf", "sport_then_place", "harakat"}
    place |= {"hashtag", TITLE_ONLY[0]}
    assert _titles(search_data, "select title from search_articles(?)", ["الرياض"]) == place
    # the same as a literal (the pattern is then folded at bind time), and typed with
    # harakat, a wasla, spaces around
    assert _titles(search_data, "select title from search_articles('الرياض')") == place
    assert _titles(search_data, "select title from search_articles(' ٱلرِّياض ')") == place


def test_search_term_without_al_also_finds_it_with_al(search_data: Path) -> None:
    # 'رياض' (gardens) finds رياض and every form of الرياض, still not الرياضة/الرياضي
    got = _titles(search_data, "select title from search_articles('رياض')")
    assert got == {
        "bare", "waw", "ba_comma", "lil", "fa_lil_kaf", "sport_then_place", "harakat",
        "hashtag", "gardens", TITLE_ONLY[0],
    }  # fmt: skip


def test_search_substring_mode(search_data: Path) -> None:
    # ar_norm('الرياض') as a substring: the sport words and glued forms too; للرياض has no ا
    expected = {
        "bare", "waw", "ba_comma", "fa_lil_kaf", "sport", "athlete", "sport_then_place",
        "harakat", "glued", "hashtag", TITLE_ONLY[0], TITLE_SPORT[0],
    }  # fmt: skip
    sql = "select title from search_articles('الرياض', whole_words := false)"
    assert _titles(search_data, sql) == expected
    assert _titles(search_data, "select title from search_articles(?, false)", ["الرياض"]) == (
        expected
    )
    # whole_words := true is the default
    assert _titles(search_data, "select title from search_articles('الرياض', true)") == (
        _titles(search_data, "select title from search_articles('الرياض')")
    )


def test_search_phrase_matches_word_for_word(search_data: Path) -> None:
    got = _titles(search_data, "select title from search_articles('وزارة التعليم')")
    assert got == {"ministry", "ministry_lil"}  # not وزارة التعليمية
    assert _titles(search_data, "select title from search_articles('وزارة  التعليم ')") == got


def test_search_lil_form_of_a_word_starting_with_lam(search_data: Path) -> None:
    # ل + الله is written لله, ل + اللحم is للحم: one ل of the article goes
    assert _titles(search_data, "select title from search_articles('الله')") == {
        "country",
        "country_harakat",
    }
    assert _titles(search_data, "select title from search_articles('اللحم')") == {"meat"}


def test_search_terms_are_not_regular_expressions(search_data: Path) -> None:
    assert _titles(search_data, "select title from search_articles('c++')") == {"code"}
    assert _titles(search_data, "select title from search_articles('c.b')") == set()


def _pos(data: Path, term: str, title: str) -> tuple[str, int | None]:
    sql = "select snippet, match_pos from search_articles(?) where title = ?"
    (row,) = query(data, sql, [term, title])
    return row


@pytest.mark.parametrize(
    ("term", "title", "at"),
    [
        # the first whole-word match, after the الرياضة that contains it
        ("الرياض", "sport_then_place", "الرياض"),
        ("الرياض", "waw", "الرياض"),  # after its proclitic و
        ("الرياض", "lil", "لرياض"),  # للرياض: at the ل that stands for ال
        ("الرياض", "harakat", "الرِّيَاضِ"),  # after وَبِ, harakat in and before it
        ("الله", "country", "له الحمد"),  # ولله: at its لله, not at the له of دولة
        ("الله", "country_harakat", "له الحمد"),  # the same with harakat before
        ("اللحم", "meat", "لحم"),
        ("وزارة التعليم", "ministry", "وزارةُ التعليمِ"),
    ],
)
def test_search_match_pos_points_at_the_term(search_data, term, title, at) -> None:
    body = SEARCH_CASES[title]
    snippet, pos = _pos(search_data, term, title)
    assert body[pos - 1 :].startswith(at), (term, title, pos)
    if title.startswith("country"):  # the ولله at the end, not the دولة before it
        assert pos - 1 == body.index("ولله") + 2
    assert snippet == body  # short bodies: the snippet is the whole body


def test_search_title_only_match(search_data: Path) -> None:
    snippet, pos = _pos(search_data, "الرياض", TITLE_ONLY[0])
    assert (snippet, pos) == (TITLE_ONLY[1], None)
