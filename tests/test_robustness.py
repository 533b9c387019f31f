"""Nothing lost, nothing silent: a generated landing zone of 220+ files mixing every kind of bad
input with good articles. Every good article loads once (from its canonical copy), every bad
file or record is in `rejects` with its reason and in quarantine, and the funnel adds up."""

from __future__ import annotations

import collections
import datetime as dt
import json
import os
from pathlib import Path

import pytest

import flows.batches
from flows.batches import BatchJob, read_and_transform
from flows.landing import LandingFile
from flows.plan import plan_nightly
from flows.quarantine import quarantine_name
from flows.run import execute
from flows.settings import Settings
from tests.corpus import LOGICAL, MAX_FILE_BYTES, generate
from tests.util import checksums, nightly, query


def _run(landing: Path, data: Path, day: dt.date = LOGICAL) -> dict:
    s = Settings(landing, data, max_file_bytes=MAX_FILE_BYTES)
    return execute(s, lambda lake: plan_nightly(s, lake, day), {}, log=lambda _m: None).summary()


def _adds_up(s: dict) -> None:
    assert s["files_seen"] == (
        s["files_loaded"] + s["files_rejected"] + s["files_unchanged"] + s["files_skipped"]
    ), s
    assert s["records_read"] == s["articles_loaded"] + s["records_rejected"] + s["duplicates"], s


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("generated")
    landing, data = root / "landing", root / "data"
    expected = generate(landing, root / "outside")
    summary = _run(landing, data)
    return {"landing": landing, "data": data, "expected": expected, "summary": summary}


def test_generated_corpus_is_big_and_mixed(generated: dict) -> None:
    exp = generated["expected"]
    assert exp.files >= 200
    reasons = {r[3] for r in exp.rejects}
    assert reasons >= {
        "empty",
        "binary",
        "undecodable",
        "too_large",
        "no_body",
        "malformed_json",
        "malformed_jsonl_line",
        "no_text",
        "bad_record",
        "zip_corrupt",
        "zip_unsafe_path",
        "unsupported_extension",
    }, reasons
    assert set(exp.skipped.values()) == {"symlink_outside", "not_regular_file"}
    assert exp.duplicates > 0
    encodings = {enc for _t, _b, enc in exp.records.values()}
    assert encodings >= {"utf-8", "utf-8-bom", "utf-16-le", "utf-16-be", "cp1256"}


def test_funnel_adds_up_and_matches_the_corpus(generated: dict) -> None:
    s, exp = generated["summary"], generated["expected"]
    _adds_up(s)
    assert s["files_seen"] == exp.files
    assert s["files_skipped"] == len(exp.skipped)
    assert s["records_rejected"] == len(exp.rejects)
    assert s["duplicates"] == exp.duplicates
    assert s["articles_loaded"] == len(exp.canonical())
    skipped = {p.rsplit(" (", 1)[0]: p.rsplit(" (", 1)[1][:-1] for p in s["skipped_files"]}
    assert skipped == exp.skipped
    # The runs table holds the same funnel.
    (row,) = query(generated["data"], "select records_read, duplicates, files_seen from runs")
    assert row == (s["records_read"], s["duplicates"], s["files_seen"])


def test_every_good_article_loads_once_from_its_canonical_copy(generated: dict) -> None:
    exp = generated["expected"]
    got = query(
        generated["data"],
        "select title, body, source_file, coalesce(member, ''), record, encoding from articles",
    )
    assert len(got) == len({(t, b) for t, b, *_ in got})  # no content twice
    want = {k: v for k, v in exp.canonical().items()}
    assert {(t, b): (src, mem, rec, enc) for t, b, src, mem, rec, enc in got} == want


def test_every_bad_input_is_rejected_with_its_reason(generated: dict) -> None:
    exp = generated["expected"]
    got = query(generated["data"], "select source_file, member, record, reason from rejects")
    assert collections.Counter(got) == collections.Counter(exp.rejects)
    manifest = dict(query(generated["data"], "select path, status from file_manifest"))
    for path in exp.file_rejects:
        assert manifest[path] == "rejected", path
    for path in exp.skipped:
        assert path not in manifest


def test_quarantine_holds_each_rejected_file_record_and_reason(generated: dict) -> None:
    data, exp, run_id = generated["data"], generated["expected"], generated["summary"]["run_id"]
    reasons = []
    payloads = {}
    for qdir in (data / "quarantine").glob(f"*/{run_id}"):
        for p in qdir.iterdir():
            if p.name.endswith(".reason.json"):
                reasons.append(json.loads(p.read_text(encoding="utf-8")))
            else:
                payloads[p.name] = p.read_bytes()
    got = collections.Counter(
        (r["source_file"], r["member"], r["record"], r["reason"]) for r in reasons
    )
    assert got == collections.Counter(exp.rejects)
    # Whole rejected files are copied byte for byte (too_large ones only get the reason).
    by_source = collections.defaultdict(list)
    for name, raw in payloads.items():
        by_source[name.split("_", 1)[1]].append(raw)
    for path, raw in exp.file_rejects.items():
        assert raw in by_source[path.replace("/", "__")], path
    # Record-level rejects: the offending JSON object or JSONL line itself.
    records = [n for n in payloads if ".record-" in n]
    n_record_rejects = sum(1 for r in exp.rejects if r[2] is not None)
    assert len(records) == n_record_rejects
    for name in records:
        raw = payloads[name].decode()
        assert raw.startswith(("{", "[")), name
    # Unsafe zip members are quarantined from memory under a flattened name, never by path.
    assert not any(".." in n for n in payloads)


def test_second_run_reads_nothing_and_changes_nothing(generated: dict, tmp_path: Path) -> None:
    data = generated["data"]
    before = checksums(data)
    s = _run(generated["landing"], data)
    _adds_up(s)
    assert s["files_unchanged"] == s["files_seen"] - s["files_skipped"]
    assert s["records_read"] == 0
    assert checksums(data) == before


def test_duplicates_across_files_and_runs(tmp_path: Path) -> None:
    landing, data = tmp_path / "landing", tmp_path / "data"
    day1, day2 = landing / "2026-10-01", landing / "2026-10-02"
    day1.mkdir(parents=True)
    day2.mkdir()
    a = "خبر أول\n\nنص الخبر الأول عن #الاقتصاد"
    b = "خبر ثان\n\nنص الخبر الثاني"
    (day2 / "a_copy.txt").write_text(a, encoding="utf-8")
    (day1 / "z_a.txt").write_text(a, encoding="utf-8")
    # The same content in another encoding and with different spacing is the same article.
    (day1 / "a_bom.txt").write_bytes(b"\xef\xbb\xbf" + a.replace(" ", "  ").encode())
    (day2 / "b.jsonl").write_text(
        json.dumps({"title": "خبر ثان", "content": "نص الخبر الثاني"}, ensure_ascii=False)
        + "\n"
        + json.dumps({"title": "خبر أول", "content": "نص الخبر الأول عن #الاقتصاد"})
        + "\n",
        encoding="utf-8",
    )
    s = _run(landing, data)
    _adds_up(s)
    assert (s["articles_loaded"], s["duplicates"]) == (2, 3)
    rows = sorted(query(data, "select source_file, record from articles"))
    # the first copy in (date, path, record) order
    assert rows == [("2026-10-01/a_bom.txt", 0), ("2026-10-02/b.jsonl", 0)]
    # Next night: an earlier date arrives with a copy. The article already loaded stays.
    day0 = landing / "2026-09-30"
    day0.mkdir()
    (day0 / "early.txt").write_text(a, encoding="utf-8")
    (day2 / "c.txt").write_text("خبر ثالث\n\nنص جديد", encoding="utf-8")
    (day2 / "d.txt").write_text(b, encoding="utf-8")
    s = _run(landing, data)
    _adds_up(s)
    assert (s["articles_loaded"], s["duplicates"], s["files_new"]) == (1, 2, 3)
    rows = sorted(query(data, "select source_file, title from articles"))
    assert rows == [
        ("2026-10-01/a_bom.txt", "خبر أول"),
        ("2026-10-02/b.jsonl", "خبر ثان"),
        ("2026-10-02/c.txt", "خبر ثالث"),
    ]
    dups = dict(query(data, "select path, duplicates from file_manifest where duplicates > 0"))
    assert dups == {
        "2026-09-30/early.txt": 1,
        "2026-10-01/z_a.txt": 1,
        "2026-10-02/a_copy.txt": 1,
        "2026-10-02/b.jsonl": 1,
        "2026-10-02/d.txt": 1,
    }


def test_unreadable_file_is_rejected_and_the_rest_load(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tests run as root, where mode 000 does not stop a read: as root the permission error is
    simulated at `open`; as another user the real chmod 000 is used. A file that vanishes
    between discovery and reading (a real OSError either way) is rejected the same way."""
    landing, data = tmp_path / "landing", tmp_path / "data"
    day = landing / "2026-10-01"
    day.mkdir(parents=True)
    (day / "good.txt").write_text("عنوان\n\nنص سليم", encoding="utf-8")
    locked = day / "locked.txt"
    locked.write_text("عنوان آخر\n\nنص محمي", encoding="utf-8")
    locked.chmod(0)
    if os.geteuid() == 0:
        import builtins

        real_open = builtins.open

        def guarded(file, *a, **k):
            if str(file) == str(locked.resolve()):
                raise PermissionError(13, "Permission denied", str(file))
            return real_open(file, *a, **k)

        monkeypatch.setattr(builtins, "open", guarded)
    s = _run(landing, data)
    monkeypatch.undo()
    _adds_up(s)
    assert (s["files_loaded"], s["files_rejected"], s["articles_loaded"]) == (1, 1, 1)
    (reason, detail) = query(data, "select reason, detail from rejects")[0]
    assert reason == "unreadable" and "Permission denied" in detail
    reason_files = list((data / "quarantine").rglob("*.reason.json"))
    assert len(reason_files) == 1

    gone = LandingFile("2026-10-01/gone.txt", day / "gone.txt", 10, 0, dt.date(2026, 10, 1))
    res = read_and_transform([gone], BatchJob("r", MAX_FILE_BYTES))
    (row,) = res.by_date[dt.date(2026, 10, 1)].rejects.to_pylist()
    assert row["reason"] == "unreadable" and "No such file" in row["detail"]


def test_too_large_is_rejected_without_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "big.txt"
    big.write_bytes(b"x" * 100)
    import builtins

    real_open = builtins.open
    opened = []

    def spy(file, *a, **k):
        opened.append(str(file))
        return real_open(file, *a, **k)

    monkeypatch.setattr(builtins, "open", spy)
    f = LandingFile("big.txt", big, 100, 0, dt.date(2026, 10, 1))
    res = read_and_transform([f], BatchJob("r", 99))
    monkeypatch.undo()
    assert str(big) not in opened
    (row,) = res.by_date[dt.date(2026, 10, 1)].rejects.to_pylist()
    assert row["reason"] == "too_large" and "--max-file-mb" in row["detail"]
    assert "12x its size in memory" in row["detail"]  # what raising the limit costs


def test_quarantine_names_are_flat_and_safe() -> None:
    from transforms.readers import Reject

    assert quarantine_name(3, Reject("2026-10-01/x.zip", "../../etc/passwd", None, "r", "")) == (
        "00003_2026-10-01__x.zip________etc__passwd"
    )
    assert (
        quarantine_name(0, Reject("d/f.jsonl", None, 7, "r", ""))
        == "00000_d__f.jsonl.record-7.json"
    )


def test_record_emptied_by_cleaning_is_rejected_and_quarantined(tmp_path: Path) -> None:
    landing, data = tmp_path / "landing", tmp_path / "data"
    day = landing / "2026-10-01"
    day.mkdir(parents=True)
    ghost = "\u0640\n\n\u200b\u200f"  # tatweel, then zero-width marks: nothing survives cleaning
    (day / "ghost.txt").write_text(ghost, encoding="utf-8")
    (day / "feed.jsonl").write_text(
        json.dumps({"title": "\u200b", "content": "\u0640\u0640"}) + "\n", encoding="utf-8"
    )
    s = _run(landing, data)
    _adds_up(s)
    assert (s["records_read"], s["records_rejected"], s["articles_loaded"]) == (2, 2, 0)
    assert sorted(query(data, "select source_file, record, reason from rejects")) == [
        ("2026-10-01/feed.jsonl", 0, "no_text"),
        ("2026-10-01/ghost.txt", 0, "no_text"),
    ]
    qdir = data / "quarantine" / "2026-10-01" / s["run_id"]
    names = sorted(p.name for p in qdir.iterdir())
    assert len(names) == 4, names  # two payloads, two reasons
    txt = next(p for p in qdir.iterdir() if p.name.endswith("ghost.txt"))
    assert txt.read_text(encoding="utf-8") == ghost  # the file itself
    rec = next(p for p in qdir.iterdir() if p.name.endswith("feed.jsonl.record-0.json"))
    assert json.loads(rec.read_text(encoding="utf-8"))["content"] == "\u0640\u0640"


def test_symlink_loop_is_skipped_not_a_crash(tmp_path: Path) -> None:
    landing, data = tmp_path / "landing", tmp_path / "data"
    day = landing / "2026-10-01"
    day.mkdir(parents=True)
    (day / "good.txt").write_text("عنوان\n\nنص", encoding="utf-8")
    os.symlink("b.txt", day / "a.txt")
    os.symlink("a.txt", day / "b.txt")
    s = _run(landing, data)
    _adds_up(s)
    assert (s["files_loaded"], s["files_skipped"]) == (1, 2)
    assert "2026-10-01/a.txt (unreadable: symlink loop)" in s["skipped_files"]


def test_unreadable_file_is_retried_on_the_next_night(
    landing: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = landing / "2026-11-26" / "900_00000000000000e1.txt"
    target.write_text("عنوان\n\nنص يقرأ في المرة الثانية", encoding="utf-8")
    real = flows.batches.read_bytes

    def flaky(f, max_bytes):
        if f.path.endswith("900_00000000000000e1.txt"):
            raise PermissionError(13, "Permission denied")
        return real(f, max_bytes)

    monkeypatch.setattr(flows.batches, "read_bytes", flaky)
    first = nightly(landing, data_dir)
    assert first["files_rejected"] == 1
    monkeypatch.undo()  # permissions fixed: same size, same mtime
    s = nightly(landing, data_dir)
    assert (s["files_changed"], s["articles_loaded"]) == (1, 1)
    assert query(data_dir, "select count(*) from rejects where reason = 'unreadable'") == [(0,)]


def test_symlink_to_an_ancestor_is_walked_once(landing: Path, data_dir: Path) -> None:
    os.symlink(".", landing / "2026-11-24" / "latest")
    s = nightly(landing, data_dir)
    assert "2026-11-24/latest (unreadable: symlink loop)" in s["skipped_files"]
    n_txt = sum(1 for _ in landing.glob("*/*.txt")) + sum(1 for _ in landing.glob("*.txt"))
    assert s["duplicates"] == 0 and s["articles_loaded"] >= n_txt


def test_too_large_file_is_retried_only_once_the_limit_allows_it(
    landing: Path, data_dir: Path
) -> None:
    from flows.plan import plan_nightly
    from flows.run import execute
    from flows.settings import Settings

    big = landing / "2026-11-26" / "902_00000000000000e3.txt"
    big.write_text("عنوان\n\n" + "نص " * 400_000, encoding="utf-8")  # ~2.4 MB

    def run(max_mb: int) -> dict:
        s = Settings(landing, data_dir, max_file_bytes=max_mb * 1024 * 1024)
        return execute(
            s,
            lambda lake: plan_nightly(s, lake, dt.date(2026, 11, 27)),
            {},
            log=lambda _m: None,
        ).summary()

    assert run(1)["files_rejected"] == 1
    assert run(1)["files_changed"] == 0  # still too large: not retried
    s = run(5)  # the limit was raised: the same file loads
    assert (s["files_changed"], s["articles_loaded"]) == (1, 1)
