"""Normalization throughput, side by side with peers, in one process on the same strings.

    .venv/bin/python benchmarks/bench_normalize.py [--repeat 3] [--limit N]

Corpora are read from ../shared/corpora (SaudiNewsNet title and content as separate strings;
ASTD tweet texts). Peers (optional, see benchmarks/requirements-bench.txt): pyarabic, CAMeL
Tools (only camel_tools.utils.dediac and .normalize are imported), and DuckDB with the ar_norm
macro. A peer that does not import is reported as skipped. The process is pinned to one CPU and
DuckDB runs with threads=1, so every number is single-core. Time is process CPU time (best of
--repeat runs), so other jobs on shared cores disturb it less than wall time would.
MB = UTF-8 megabytes of input.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import cpu_best  # noqa: E402

from transforms import fast  # noqa: E402
from transforms.ar_norm_sql import ar_norm_macro_sql  # noqa: E402
from transforms.normalize import (  # noqa: E402
    NORMALIZER_VERSION,
    normalize,
    normalize_batch,
    search_of_clean_batch,
)

CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"


def load_saudinewsnet(limit: int | None) -> list[str]:
    texts: list[str] = []
    for z in sorted((CORPORA / "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for art in json.loads(zf.read(name)):
                    texts += [art.get("title") or "", art.get("content") or ""]
    return texts[:limit] if limit else texts


def load_astd(limit: int | None) -> list[str]:
    path = CORPORA / "astd" / "Tweets.txt"
    if not path.exists():
        return []
    texts = [line.rsplit("\t", 1)[0] for line in path.read_text("utf-8").splitlines()]
    return texts[:limit] if limit else texts


def peers() -> dict[str, Callable[[str], str] | str]:
    """name -> per-string function, or the reason it is unavailable."""
    out: dict[str, Callable[[str], str] | str] = {}
    try:
        import pyarabic.araby as araby
        import pyarabic.normalize as pnorm

        def pyarabic_chain(s: str) -> str:
            return araby.normalize_hamza(araby.strip_tatweel(araby.strip_tashkeel(s)))

        out["pyarabic strip_tashkeel+strip_tatweel+normalize_hamza"] = pyarabic_chain
        out["pyarabic normalize_searchtext"] = pnorm.normalize_searchtext
    except Exception as e:  # pragma: no cover - optional peer
        out["pyarabic"] = f"skipped: {type(e).__name__}: {e}"
    try:
        from camel_tools.utils.dediac import dediac_ar
        from camel_tools.utils.normalize import (
            normalize_alef_ar,
            normalize_alef_maksura_ar,
            normalize_teh_marbuta_ar,
        )

        def camel_chain(s: str) -> str:
            s = normalize_alef_ar(dediac_ar(s))
            return normalize_teh_marbuta_ar(normalize_alef_maksura_ar(s))

        out["CAMeL dediac+alef+alef_maksura+teh_marbuta"] = camel_chain
    except Exception as e:  # pragma: no cover - optional peer
        out["CAMeL Tools"] = f"skipped: {type(e).__name__}: {e}"
    return out


def duckdb_ar_norm(texts: list[str]) -> Callable[[], object] | str:
    try:
        import duckdb
        import pyarrow as pa
    except Exception as e:  # pragma: no cover
        return f"skipped: {type(e).__name__}: {e}"
    con = duckdb.connect()
    con.execute("SET threads = 1").fetchall()
    con.execute(ar_norm_macro_sql()).fetchall()
    tbl = pa.table({"x": pa.array(texts, pa.string())})
    return lambda: con.from_arrow(tbl).project("ar_norm(x) AS y").to_arrow_table()


def bench_corpus(name: str, raw: list[str], repeat: int) -> dict[str, float]:
    clean = normalize_batch(raw, "clean")
    mb_raw = sum(len(s.encode("utf-8", "surrogatepass")) for s in raw) / 1e6
    mb_clean = sum(len(s.encode("utf-8")) for s in clean) / 1e6
    print(f"\n### {name}: {len(raw):,} strings, {mb_raw:.1f} MB raw, {mb_clean:.1f} MB clean\n")
    rows: dict[str, float] = {}

    def row(label: str, fn: Callable[[], object], mb: float) -> None:
        rows[label] = mb / cpu_best(fn, repeat)
        print(f"| {label} | {rows[label]:,.0f} |", flush=True)

    print("| variant | MB/s |\n|---|---:|")
    row("ours clean (raw in)", lambda: [normalize(s, "clean") for s in raw], mb_raw)
    row("ours search (clean in)", lambda: [normalize(s, "search") for s in clean], mb_clean)
    row("ours clean+search (raw in)", lambda: [normalize(s, "search") for s in raw], mb_raw)
    row("ours batch clean (raw in)", lambda: normalize_batch(raw, "clean"), mb_raw)
    row("ours batch search (clean in)", lambda: normalize_batch(clean, "search"), mb_clean)
    row("ours batch clean+search (raw in)", lambda: normalize_batch(raw, "search"), mb_raw)
    # What the flows run: title/body are cleaned once, *_norm derived from the clean text.
    row(
        "ours search_of_clean_batch (clean in; the flows' search)",
        lambda: search_of_clean_batch(clean),
        mb_clean,
    )
    row(
        "ours flows' clean+search (raw in)",
        lambda: search_of_clean_batch(normalize_batch(raw, "clean")),
        mb_raw,
    )
    if fast.available():  # the compiled path the flows take (transforms/fast.py)
        row("ours compiled clean (raw in; UTF-8 out)", lambda: fast.clean_utf8(raw), mb_raw)
        row("ours compiled search (clean in)", lambda: fast.search_utf8(clean), mb_clean)
        row(
            "ours compiled clean+search (raw in; the flows')",
            lambda: fast.search_utf8(fast.clean_utf8(raw)[0]),
            mb_raw,
        )
    else:
        print("| ours compiled | skipped: transforms._fastnorm is not built |")
    for label, fn in peers().items():
        if isinstance(fn, str):
            print(f"| {label} | {fn} |")
            continue
        row(f"{label} (raw in)", lambda fn=fn: [fn(s) for s in raw], mb_raw)
        if label == "pyarabic normalize_searchtext":
            row(f"{label} (clean in)", lambda fn=fn: [fn(s) for s in clean], mb_clean)
    q = duckdb_ar_norm(clean)
    if isinstance(q, str):
        print(f"| DuckDB ar_norm | {q} |")
    else:
        row("DuckDB ar_norm macro, 1 thread (clean in)", q, mb_clean)

    ours = {
        "search": rows["ours search (clean in)"],
        "clean+search": rows["ours clean+search (raw in)"],
    }
    if fast.available():
        ours["compiled search"] = rows["ours compiled search (clean in)"]
        ours["compiled clean+search"] = rows["ours compiled clean+search (raw in; the flows')"]
    print("\n| ours ÷ peer | " + " | ".join(ours) + " |\n|---|" + "---:|" * len(ours))
    for label, v in rows.items():
        if not label.startswith("ours"):
            print(f"| {label} | " + " | ".join(f"{o / v:.1f}x" for o in ours.values()) + " |")
    return rows


def _macro_at(rev: str) -> str:
    """The ar_norm macro as committed at git ``rev`` (sql/macros/ar_norm.sql)."""
    out = subprocess.run(
        ["git", "show", f"{rev}:sql/macros/ar_norm.sql"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return "\n".join(ln for ln in out.splitlines() if not ln.startswith("--"))


def bench_ar_norm(raw: list[str], before_rev: str, repeat: int) -> None:
    """DuckDB ar_norm before (git ``before_rev``) and now, same process, same strings, one
    thread, the two macros' runs interleaved: per row on clean titles and bodies (the stored
    columns) and on the raw ones, and per query (binding the inlined macro)."""
    import duckdb
    import pyarrow as pa

    clean = normalize_batch(raw, "clean")
    inputs = {"clean in": clean, "raw in": raw}
    mb = {k: sum(len(t.encode()) for t in v) / 1e6 for k, v in inputs.items()}
    tables = {k: pa.table({"x": pa.array(v, pa.string())}) for k, v in inputs.items()}
    macros = {f"before ({before_rev})": _macro_at(before_rev), "now": ar_norm_macro_sql()}
    cons = {}
    for label, sql in macros.items():
        cons[label] = duckdb.connect()
        cons[label].execute("SET threads = 1").fetchall()
        cons[label].execute(sql).fetchall()
    best: dict[tuple[str, str], float] = {}
    for _ in range(repeat):
        for label, con in cons.items():
            for kind, tbl in tables.items():
                t = cpu_best(
                    lambda c=con, t=tbl: c.from_arrow(t).project("ar_norm(x)").to_arrow_table(), 1
                )
                best[label, kind] = min(best.get((label, kind), t), t)
            q = cpu_best(lambda c=con: c.execute("SELECT ar_norm('أحمد')").fetchall(), 20)
            best[label, "query"] = min(best.get((label, "query"), q), q)
    print(f"\n### DuckDB ar_norm, 1 thread, before and now: {len(raw):,} strings\n")
    print("| macro | clean in MB/s | raw in MB/s | one-row query ms | macro KB |")
    print("|---|---:|---:|---:|---:|")
    for label, sql in macros.items():
        cells = [f"{mb[k] / best[label, k]:,.1f}" for k in inputs]
        cells += [f"{best[label, 'query'] * 1000:.1f}", f"{len(sql.encode()) / 1000:.0f}"]
        print(f"| {label} | " + " | ".join(cells) + " |", flush=True)
    before, now = list(macros)
    for kind in inputs:
        extra = best[now, kind] / best[before, kind] - 1
        print(f"- {kind}: now costs {extra:+.1%} per row against before")


def check_peer_claims() -> None:
    """The reasons docs/normalization.md gives for not using the peers, checked live."""
    print("\n### Peer behaviour checks\n")
    say = normalize("مستشفى أحمد", "search")
    print(f"- ours search: مستشفى أحمد -> {say}")
    try:
        import pyarabic.araby as araby
        import pyarabic.normalize as pnorm

        got = pnorm.normalize_searchtext("مستشفى")
        print(f"- pyarabic normalize_searchtext: مستشفى -> {got} (folds ى to ا: {got[-1] == 'ا'})")
        got = araby.normalize_hamza("أحمد")
        print(f"- pyarabic araby.normalize_hamza: أحمد -> {got} (أ to ء: {got[0] == 'ء'})")
        got = araby.strip_tashkeel("ب\ufe70")
        print(f"- pyarabic strip_tashkeel leaves harakat form U+FE70: {got == 'ب' + chr(0xFE70)}")
    except Exception as e:
        print(f"- pyarabic unavailable: {e}")
    try:
        from camel_tools.utils.charmap import CharMapper

        arclean = CharMapper.builtin_mapper("arclean")
        s = "نص \U0001f600 می\u200cخواهم"
        got = arclean(s)
        print(f"- CAMeL arclean: {s!r} -> {got!r}")
        zwnj = "\u200c" not in got and "ى خواهم" in got  # (it also turns Farsi yeh into ى)
        print(f"  deletes emoji: {chr(0x1F600) not in got}; ZWNJ to space: {zwnj}")
    except Exception as e:
        print(f"- CAMeL arclean unavailable: {type(e).__name__}: {e}")
    print("- Lucene ArabicNormalizer (Java) not run here; its table has no presentation forms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--repeat", type=int, default=3, help="best of N runs (default 3)")
    ap.add_argument("--limit", type=int, default=None, help="first N strings per corpus")
    ap.add_argument(
        "--ar-norm-before",
        metavar="REV",
        help="only compare DuckDB ar_norm now with the macro committed at git REV",
    )
    args = ap.parse_args()
    if not CORPORA.is_dir():
        sys.exit(f"shared corpora not found at {CORPORA} (../shared/corpora): nothing to measure")
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})
    try:
        cpu = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        cpu = next(ln.split(":", 1)[1].strip() for ln in cpu.splitlines() if "Model name" in ln)
    except Exception:
        cpu = platform.processor() or "unknown"
    print(f"## Normalization benchmark ({datetime.now(UTC):%Y-%m-%d %H:%M} UTC)\n")
    print(f"- CPU: {cpu} (pinned to one core); Python {platform.python_version()}")
    print(f"- NORMALIZER_VERSION {NORMALIZER_VERSION}; CPU time, best of {args.repeat}")
    if args.ar_norm_before:
        bench_ar_norm(load_saudinewsnet(args.limit), args.ar_norm_before, args.repeat)
        return
    bench_corpus("SaudiNewsNet (title and content)", load_saudinewsnet(args.limit), args.repeat)
    astd = load_astd(args.limit)
    if astd:
        bench_corpus("ASTD tweets", astd, args.repeat)
    check_peer_claims()


if __name__ == "__main__":
    main()
