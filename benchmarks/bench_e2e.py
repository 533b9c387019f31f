"""End to end, landing files -> lake -> published warehouse, side by side with a naive pipeline
and dlt, on landing dirs made by build_corpus.py.

    .venv/bin/python benchmarks/bench_e2e.py /tmp/akhbar-corpus/real /tmp/akhbar-corpus/synth-100000
        [--peers naive,dlt] [--peers-max 100000] [--prefect] [--dask] [--views]

Each pipeline runs in its own subprocess (`--child`), which reports its wall time, its peak RSS
(getrusage: itself and, for Dask, its children) and, for akhbar, a per-stage breakdown taken by
wrapping the pipeline's functions (no permanent instrumentation):
  discover, read+decode (parse_file), transform (normalize + extract), dedup+stage (lake tables
  assembled per date), lake write (Parquet files + commit), publish (DuckDB warehouse).
`--prefect` also runs the `nightly` flow (default runner) and reports Prefect's overhead (flow
minus direct call) and its fixed cost (`akhbar run` on an empty landing dir). `--dask` runs
the flow with `--runner dask` (LocalCluster of processes). `--views` times every view of the
last warehouse. Peers: `naive` = pandas reads each file, pyarabic normalize + twitter-text's
Extractor per row, to_parquet, DuckDB insert; `dlt` = dlt[duckdb] loads the same records
(replace disposition, no normalization: a lower bound of what dlt costs).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT, machine, prefect_fixed_cost

HERE = Path(__file__).resolve().parent
LOGICAL = dt.date(2026, 1, 1)


def _rss_mb() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    kids = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(me, kids) / 1024


def _tree(pid: int) -> list[int]:
    out = [pid]
    for kids in Path(f"/proc/{pid}/task").glob("*/children"):
        try:
            for kid in kids.read_text().split():
                out += _tree(int(kid))
        except OSError:
            pass
    return out


class TreeRss:
    """Peak of the summed RSS of this process and all its descendants (worker processes,
    Dask workers), sampled every 50 ms from /proc: ru_maxrss only knows one process at a time.
    Shared pages (libraries) count once per process, so this is an upper bound."""

    def __init__(self) -> None:
        import threading

        self.peak = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        total = 0
        for pid in _tree(os.getpid()):
            with contextlib.suppress(OSError, IndexError, ValueError):  # the process ended
                total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * self._page
        self.peak = max(self.peak, total)

    def _run(self) -> None:
        while not self._stop.wait(0.05):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        self._sample()
        return self.peak / 1024 / 1024


def _size_mb(p: Path) -> float:
    if p.is_file():
        return p.stat().st_size / 1e6
    return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) / 1e6 if p.exists() else 0.0


# --------------------------------------------------------------------------------- akhbar
def child_akhbar(landing: Path, data: Path, mode: str, workers: int) -> dict:
    from flows import env

    env.setup()  # before flows.run imports pyarrow and prefect (flows/env.py)
    import flows.run as run
    from flows.plan import plan_nightly
    from flows.settings import Settings

    n_batches = [0]
    orig_batches = run.make_batches

    def counting(files, w=1):
        b = orig_batches(files, w)
        n_batches[0] = len(b)
        return b

    run.make_batches = counting
    t0 = time.perf_counter()
    if mode == "direct":
        s = Settings(landing, data, workers=workers)
        out = run.execute(
            s, lambda lake: plan_nightly(s, lake, LOGICAL), {}, log=lambda _m: None
        ).summary()
    else:
        import flows.nightly as nt
        from flows.runners import with_runner

        fl = with_runner(nt.nightly, "dask" if mode == "dask" else "default")
        out = fl(landing=str(landing), data=str(data), date=LOGICAL, workers=workers)
    wall = time.perf_counter() - t0
    # The run's own timings (RunOutcome.timings): read/parse/transform are summed over the
    # worker processes (CPU-seconds there), the rest is this process's wall time. On Dask
    # read/parse/transform run on the cluster and are not reported.
    st = dict(out["timings"])
    stages = {
        "read+decode": st["read"] + st["parse"],
        "transform": st["transform"],
        "dedup+stage": st["stage"],
        "lake write": st["lake_write"],
        "publish": st["publish"],
        "plan": st["plan"],
        "waiting for workers": st["wait"],
        "warehouse build (background)": st["build"],
        "lake writer (background)": st["lake_writer"],
    }
    return {
        "wall": wall,
        "articles": out["articles_loaded"],
        "records": out["records_read"],
        "stages": stages,
        "tasks": n_batches[0],
        "workers": out["workers"],
    }


# ---------------------------------------------------------------------------------- naive
def _iter_frames(landing: Path):
    import io
    import zipfile

    import pandas as pd

    for p in sorted(landing.rglob("*")):
        if p.suffix == ".jsonl":
            yield p, pd.read_json(p, lines=True, dtype=False)
        elif p.suffix == ".zip":
            with zipfile.ZipFile(p) as zf:
                for name in zf.namelist():
                    yield p, pd.read_json(io.BytesIO(zf.read(name)), dtype=False)
        elif p.suffix == ".json":
            yield p, pd.read_json(p, dtype=False)


def child_naive(landing: Path, data: Path) -> dict:
    import duckdb
    import twitter_text
    from pyarabic import araby

    ex = twitter_text.Extractor

    def norm(s: str) -> str:
        s = araby.strip_tashkeel(araby.strip_tatweel(s or ""))
        return araby.normalize_teh(araby.normalize_hamza(araby.normalize_alef(s)))

    t0 = time.perf_counter()
    lake = data / "lake"
    lake.mkdir(parents=True, exist_ok=True)
    n = 0
    for i, (_p, df) in enumerate(_iter_frames(landing)):
        df = df.fillna("")
        df["title_norm"] = [norm(s) for s in df["title"]]
        df["body_norm"] = [norm(s) for s in df["content"]]
        tags, handles = [], []
        for s in df["content"]:
            e = ex(s)
            tags.append([h["hashtag"] for h in e.extract_hashtags_with_indices()])
            handles.append(
                [m["screen_name"] for m in e.extract_mentioned_screen_names_with_indices()]
            )
        df["hashtags"] = tags
        df["mentions"] = handles
        df.to_parquet(lake / f"part-{i:05d}.parquet")
        n += len(df)
    con = duckdb.connect(str(data / "warehouse.duckdb"))
    con.execute(f"CREATE TABLE articles AS SELECT * FROM read_parquet('{lake}/*.parquet')")
    con.close()
    return {"wall": time.perf_counter() - t0, "articles": n, "records": n}


# ------------------------------------------------------------------------------------ dlt
def child_dlt(landing: Path, data: Path) -> dict:
    os.environ.setdefault("RUNTIME__DLTHUB_TELEMETRY", "false")
    import dlt

    t0 = time.perf_counter()

    def records():
        for _p, df in _iter_frames(landing):
            yield df.fillna("").to_dict("records")

    pipe = dlt.pipeline(
        pipeline_name="akhbar_bench",
        destination=dlt.destinations.duckdb(str(data / "warehouse.duckdb")),
        dataset_name="news",
        pipelines_dir=str(data / "dlt"),
    )
    pipe.run(records(), table_name="articles", write_disposition="replace")
    import duckdb

    with duckdb.connect(str(data / "warehouse.duckdb"), read_only=True) as con:
        n = con.execute("select count(*) from news.articles").fetchone()[0]
    return {"wall": time.perf_counter() - t0, "articles": n, "records": n}


# ---------------------------------------------------------------------------------- views
def time_views(db: Path) -> list[tuple[str, float, float, int]]:
    import duckdb

    reps = {
        "v_articles": "select source, count(*) from v_articles group by 1 order by 2 desc limit 5",
        "v_hashtag_daily": "select * from v_hashtag_daily order by articles desc limit 10",
        "v_hashtag_display": "select * from v_hashtag_display limit 10",
        "v_mention_daily": "select * from v_mention_daily order by articles desc limit 10",
        "v_mention_display": "select * from v_mention_display limit 10",
        "v_top_hashtags": "select * from v_top_hashtags limit 10",
        "v_top_mentions": "select * from v_top_mentions limit 10",
        "v_source_daily": "select * from v_source_daily order by articles desc limit 10",
        "v_run_history": "select * from v_run_history limit 5",
        "v_rejects_summary": "select * from v_rejects_summary limit 10",
    }
    out = []
    with duckdb.connect(str(db), read_only=True) as con:
        views = [
            r[0]
            for r in con.execute(
                "select view_name from duckdb_views() where not internal order by 1"
            ).fetchall()
        ]
        for v in views:
            t = time.perf_counter()
            n = con.execute(f"select count(*) from {v}").fetchone()[0]
            c = time.perf_counter() - t
            q = reps.get(v, f"select * from {v} limit 10")
            t = time.perf_counter()
            con.execute(q).fetchall()
            out.append((v, c, time.perf_counter() - t, n))
    return out


# --------------------------------------------------------------------------------- parent
def run_child(kind: str, landing: Path, data: Path, workers: int = 0) -> dict:
    if data.exists():
        shutil.rmtree(data)
    path = os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path, "PREFECT_SERVER_ANALYTICS_ENABLED": "false"}
    env["DO_NOT_TRACK"] = "1"
    t = time.perf_counter()
    r = subprocess.run(
        [
            sys.executable,
            str(HERE / "bench_e2e.py"),
            "--child",
            kind,
            str(landing),
            str(data),
            "--workers",
            str(workers),
        ],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    outer = time.perf_counter() - t
    if r.returncode != 0:
        print(f"  {kind} failed: {r.stderr.strip().splitlines()[-1:]}")
        return {}
    res = json.loads(r.stdout.strip().splitlines()[-1])
    res["outer"] = outer
    res["lake_mb"] = _size_mb(data / "lake")
    res["wh_mb"] = _size_mb(data / "warehouse.duckdb")
    return res


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("landings", nargs="*", type=Path)
    ap.add_argument("--child", help=argparse.SUPPRESS)
    ap.add_argument("--peers", default="naive,dlt", help="comma list of naive,dlt or ''")
    ap.add_argument("--peers-max", type=int, default=100_000, help="skip peers above N articles")
    ap.add_argument("--prefect", action="store_true", help="also run the Prefect flow")
    ap.add_argument("--dask", action="store_true", help="also run the flow on a Dask cluster")
    ap.add_argument("--views", action="store_true", help="time every view of the last warehouse")
    ap.add_argument(
        "--work", default=None, help="scratch dir for lakes, kept (default: a temp dir, removed)"
    )
    ap.add_argument("--workers", type=int, default=0, help="akhbar --workers (0: one per core)")
    ap.add_argument("--one-process", action="store_true", help="also run akhbar with --workers 1")
    args = ap.parse_args()
    if args.child:
        landing, data = args.landings
        fn = {
            "akhbar": lambda: child_akhbar(landing, data, "direct", args.workers),
            "akhbar-1": lambda: child_akhbar(landing, data, "direct", 1),
            "akhbar-prefect": lambda: child_akhbar(landing, data, "prefect", args.workers),
            "akhbar-dask": lambda: child_akhbar(landing, data, "dask", 1),
            "naive": lambda: child_naive(landing, data),
            "dlt": lambda: child_dlt(landing, data),
        }[args.child]
        tree = TreeRss() if Path("/proc/self/statm").exists() else None
        res = fn()
        res["rss_mb"] = _rss_mb()
        res["tree_rss_mb"] = tree.stop() if tree else res["rss_mb"]
        print(json.dumps(res))
        return
    # A temp dir is removed at the end (a 1M run leaves ~10 GB); a --work dir is kept.
    work = Path(args.work or tempfile.mkdtemp(prefix="akhbar-e2e-"))
    try:
        _bench(args, work)
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def _bench(args: argparse.Namespace, work: Path) -> None:
    peers = [p for p in args.peers.split(",") if p]
    print(f"machine: {machine()} (shared with other engineers' jobs)")
    last = None
    for landing in args.landings:
        mb = _size_mb(landing)
        print(f"\n## {landing.name}: {mb:.0f} MB of landing files")
        kinds = ["akhbar"]
        kinds += ["akhbar-1"] if args.one_process else []
        kinds += ["akhbar-prefect"] if args.prefect else []
        kinds += ["akhbar-dask"] if args.dask else []
        results = {}
        for kind in kinds + peers:
            if kind in peers and results.get("akhbar", {}).get("records", 0) > args.peers_max:
                print(f"  {kind}: skipped above {args.peers_max} articles (too slow)")
                continue
            res = run_child(kind, landing, work / f"{landing.name}-{kind}", args.workers)
            if not res:
                continue
            results[kind] = res
            arts = res["articles"] / res["wall"]
            print(
                f"  {kind:<15} {res['wall']:8.1f} s  {arts:8.0f} articles/s  "
                f"{mb / res['wall']:6.1f} MB/s  peak RSS {res['rss_mb']:6.0f} MB "
                f"(all processes {res['tree_rss_mb']:5.0f})  "
                f"lake {res['lake_mb']:6.0f} MB  warehouse {res['wh_mb']:6.0f} MB  "
                f"articles {res['articles']}"
                + (f"  tasks {res['tasks']}" if "tasks" in res else "")
                + (f"  workers {res['workers']}" if "workers" in res else "")
            )
            if res.get("stages"):
                st = res["stages"]
                inner = {k: st.pop(k) for k in ("read+decode", "transform")}
                bg = {k: st.pop(k) for k in [k for k in st if "background" in k]}
                if res.get("workers", 1) == 1 and kind != "akhbar-dask":
                    st.update(inner)
                    inner = {}
                st["other"] = res["wall"] - sum(st.values())

                def fmt(d: dict) -> str:
                    return ", ".join(
                        f"{k} {v:.1f} s" for k, v in sorted(d.items(), key=lambda kv: -kv[1])
                    )

                print(f"      this process (wall): {fmt(st)}")
                if inner:
                    where = "on Dask" if kind == "akhbar-dask" else f"in {res['workers']}"
                    print(f"      {where} workers (summed): {fmt(inner)}")
                if bg:
                    print(f"      overlapping, in a thread: {fmt(bg)}")
            last = work / f"{landing.name}-akhbar"
        base = results.get("akhbar")
        for kind, res in results.items():
            if base and kind != "akhbar":
                print(f"  akhbar vs {kind}: {res['wall'] / base['wall']:.2f}x")
        if "akhbar-prefect" in results and base:
            print(f"  prefect overhead: {results['akhbar-prefect']['wall'] - base['wall']:.1f} s")
    if args.prefect:
        cost = prefect_fixed_cost(work)
        print(f"\nprefect fixed cost (akhbar run, empty landing): {cost:.1f} s")
    if args.views and last is not None:
        print(f"\n## views on {last.name}")
        for v, c, q, n in time_views(last / "warehouse.duckdb"):
            print(f"  {v:<26} count(*) {c * 1000:7.0f} ms  query {q * 1000:7.0f} ms  rows {n}")


if __name__ == "__main__":
    main()
