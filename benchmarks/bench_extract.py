"""Hashtag/mention extraction speed against peers, on ASTD (hashtag-dense tweets) and
SaudiNewsNet (hashtag-sparse articles) from ../shared/corpora; and the whole text core
(clean + search + hashtags + mentions) through the public API against the peers a library user
would otherwise combine.

    .venv/bin/python benchmarks/bench_extract.py [--snn-mb 30] [--repeat 3] [--text-core-only]

Peers (install benchmarks/requirements-bench.txt): twitter-text's Python port (`twitter_text`
module of the PyPI package twitter-text 3.0), a naive `regex`-module pattern, and DuckDB's
`regexp_extract_all` (RE2). Each peer's "disagree" is the number of texts whose hashtag list
differs from our strict mode's on the same strings. MB is UTF-8 megabytes of input text.
"""

from __future__ import annotations

import argparse
import csv
import gc
import json
import os
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import regex

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import cpu_best  # noqa: E402

from transforms.extract import extract_batch  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"


def load_astd() -> list[str]:
    path = SHARED / "corpora" / "astd" / "Tweets.txt"
    return [ln.split("\t", 1)[0] for ln in path.read_text(encoding="utf-8").splitlines() if ln]


def load_mawqif() -> list[str]:
    out: list[str] = []
    for path in sorted((SHARED / "corpora" / "mawqif").glob("*.csv")):
        with open(path, encoding="utf-8-sig", newline="") as f:
            out += [row["text"] for row in csv.DictReader(f)]
    return out


def load_snn(max_mb: float) -> list[str]:
    out: list[str] = []
    size = 0
    for z in sorted((SHARED / "corpora" / "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for art in json.loads(zf.read(name)):
                    for field in ("title", "content"):
                        text = art.get(field) or ""
                        out.append(text)
                        size += len(text.encode())
                if size > max_mb * 1e6:
                    return out
    return out


def best_time(fn: Callable[[], object], repeat: int) -> tuple[float, object]:
    best, result = float("inf"), None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        best = min(best, time.perf_counter() - t0)
    return best, result


def per_text(pairs: list, n: int) -> list[list[str]]:
    out: list[list[str]] = [[] for _ in range(n)]
    for row, ent in pairs:
        out[row].append(ent.text)
    return out


NAIVE_TAG = regex.compile(r"(?<![\w&])[#＃]([\p{L}\p{M}\p{Nd}_]+)")
NAIVE_AT = regex.compile(r"(?<![\w@])[@＠](\w{1,20})")


def run(name: str, texts: list[str], repeat: int) -> list[str]:
    mb = sum(len(t.encode()) for t in texts) / 1e6
    n = len(texts)
    lines = [f"### {name}: {n} texts, {mb:.1f} MB", ""]
    lines.append("| extractor | MB/s | ours (strict) / peer | disagree with strict |")
    lines.append("|---|---:|---:|---:|")
    t_strict, (h_strict, _) = best_time(lambda: extract_batch(texts, strict=True), repeat)
    t_default, _ = best_time(lambda: extract_batch(texts), repeat)
    ref = per_text(h_strict, n)
    ours = mb / t_strict
    lines.append(f"| akhbar strict (hashtags+mentions) | {ours:.0f} | 1.0 | 0 |")
    lines.append(f"| akhbar default (hashtags+mentions) | {mb / t_default:.0f} | — | — |")

    def peer(label: str, fn: Callable[[], list[list[str]]], reps: int) -> None:
        t, got = best_time(fn, reps)
        assert isinstance(got, list)
        dis = sum(1 for a, b in zip(got, ref, strict=True) if a != b)
        lines.append(f"| {label} | {mb / t:.1f} | {ours / (mb / t):.1f}× | {dis} |")

    try:
        from twitter_text.extractor import Extractor

        def tt() -> list[list[str]]:
            out = []
            for t in texts:
                ex = Extractor(t)
                out.append(ex.extract_hashtags())
                ex.extract_mentioned_screen_names()
            return out

        peer("twitter-text 3.0 (Python port)", tt, 1)
    except ImportError:
        lines.append("| twitter-text | not installed | | |")

    def naive() -> list[list[str]]:
        out = []
        for t in texts:
            out.append(NAIVE_TAG.findall(t))
            NAIVE_AT.findall(t)
        return out

    peer("naive `regex` pattern", naive, repeat)

    try:
        import duckdb
        import pyarrow as pa

        con = duckdb.connect()
        con.register("t", pa.table({"i": pa.array(range(n)), "s": pa.array(texts, pa.string())}))

        def ddb() -> list[list[str]]:
            rows = con.execute(
                r"SELECT regexp_extract_all(s, '(?:^|[^\p{L}\p{M}\p{N}_&])[#＃]"
                r"([\p{L}\p{M}\p{N}_]+)', 1), regexp_extract_all(s, '@([A-Za-z0-9_]{1,20})', 1)"
                " FROM t ORDER BY i"
            ).fetchall()
            return [r[0] for r in rows]

        peer("DuckDB regexp_extract_all (RE2)", ddb, repeat)
    except ImportError:
        lines.append("| duckdb | not installed | | |")
    lines.append("")
    return lines


def _peer_text_core(texts: list[str]) -> Callable[[], object] | str:
    """pyarabic's normalize_searchtext and twitter-text 3.0's hashtags and mentions, per text:
    what a library user would otherwise combine."""
    try:
        from pyarabic.normalize import normalize_searchtext
        from twitter_text.extractor import Extractor
    except ImportError as e:
        return f"not installed ({e.name}: see benchmarks/requirements-bench.txt)"

    def peer() -> None:
        for t in texts:
            normalize_searchtext(t)
            ex = Extractor(t)
            ex.extract_hashtags()
            ex.extract_mentioned_screen_names()

    return peer


def _text_core_variants(texts: list[str]) -> list[tuple[str, Callable[[], object], bool]]:
    """(label, run, repeat it?) of each way to get clean + search + hashtags + mentions."""
    import pyarrow as pa

    from transforms import fast
    from transforms.normalize import normalize_batch, search_of_clean_batch
    from transforms.text import clean_column, process_column, search_column

    arr = pa.array(texts, pa.string())

    def pipeline() -> None:  # what transforms.batch runs on each title/body column
        gc.disable()  # as flows.batches does around a batch
        try:
            clean, _ = clean_column(texts)
            search_column(clean)
            extract_batch(clean)
        finally:
            gc.enable()

    def by_steps() -> None:  # the documented functions one by one, cleaning once
        clean = normalize_batch(arr, "clean")
        search_of_clean_batch(clean)
        extract_batch(clean)

    def raw_twice() -> None:  # both profiles from the raw column: clean runs twice
        clean = normalize_batch(arr, "clean")
        normalize_batch(arr, "search")
        extract_batch(clean)

    def python_path() -> None:  # the same without the extension: the old public path
        saved, fast._fastnorm = fast._fastnorm, None
        try:
            process_column(arr)
        finally:
            fast._fastnorm = saved

    steps = "public, by steps: `normalize_batch`, `search_of_clean_batch`, `extract_batch`"
    return [
        ("public `process_column(Arrow)`", lambda: process_column(arr), True),
        (steps, by_steps, True),
        ("public, by steps, search from the raw column (clean twice)", raw_twice, True),
        ("pipeline column path (`transforms.batch`, lists of `str`)", pipeline, True),
        ("public `process_column(Arrow)` without the compiled path", python_path, False),
    ]


def text_core(texts: list[str], repeat: int) -> list[str]:
    """Clean + search + hashtags + mentions of every text: the public API on an Arrow column,
    the pipeline's own column path, and the peers, on one pinned core (process CPU time, best
    of ``repeat``; the peers and the pure-Python path once: they take minutes)."""
    from transforms import fast

    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    mb = sum(len(t.encode()) for t in texts) / 1e6
    fast.warm()  # the compiled tables (0.2 s, once a process), then every variant once
    for _, fn, _ in _text_core_variants(texts[:500]):
        fn()
    peer = _peer_text_core(texts)
    lines = [f"### Text core: {len(texts)} texts, {mb:.1f} MB (compiled: {fast.available()})", ""]
    lines += ["| variant | MB/s | ÷ peers |", "|---|---:|---:|"]
    peer_mbs = None if isinstance(peer, str) else mb / cpu_best(peer, 1)
    for label, fn, again in _text_core_variants(texts):
        v = mb / cpu_best(fn, repeat if again else 1)
        ratio = f"{v / peer_mbs:.1f}×" if peer_mbs else "—"
        lines.append(f"| {label} | {v:.1f} | {ratio} |")
    if peer_mbs:
        peers = "pyarabic `normalize_searchtext` + twitter-text 3.0"
        lines.append(f"| {peers} | {peer_mbs:.1f} | 1.0 |")
    else:
        lines.append(f"| peers | {peer} | |")
    return [*lines, ""]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--snn-mb", type=float, default=30.0, help="SaudiNewsNet MB to use")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--text-core-only", action="store_true", help="only the text-core section")
    args = ap.parse_args()
    if not (SHARED / "corpora").is_dir():
        print(f"skipped: corpora not found at {SHARED / 'corpora'}")
        return
    if not args.text_core_only:
        out = run("ASTD", load_astd(), args.repeat)
        out += run("SaudiNewsNet (title and content)", load_snn(args.snn_mb), args.repeat)
        print("\n".join(out))
    texts = load_snn(args.snn_mb) + load_astd() + load_mawqif()
    print("\n".join(text_core(texts, args.repeat)))


if __name__ == "__main__":
    main()
