"""This checkout against an earlier commit, on the same landing dir, in one run: the rows of
every warehouse table must be equal, and the times are printed side by side, alternating.

    .venv/bin/python benchmarks/bench_sidebyside.py LANDING --base REV [--rounds 3]

For restructures that must not change behaviour or speed: the earlier commit is checked out as
a git worktree in a temp dir (its C extension copied from this one when the source is the same,
else compiled with the system compiler), and each run is a fresh process calling the pipeline
directly (no Prefect): the same fixed run id and logical date for both, so every row can match.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from _common import ROOT, machine

# Run inside the child: the tree given is put first on sys.path (an editable install of this
# checkout would otherwise answer for modules the older tree does not have).
CHILD = r"""
import datetime as dt, json, os, shutil, sys, time
from pathlib import Path
tree, landing, data = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3])
sys.path.insert(0, tree)
if (Path(tree) / "flows/pipeline.py").exists():  # before the run's steps had their own files
    import flows
    from flows.pipeline import Settings, execute, plan_nightly
else:
    from flows import env
    env.setup()
    from flows.plan import plan_nightly
    from flows.run import execute
    from flows.settings import Settings
TABLES = {
    "articles": "article_id, source_file, title, body, title_norm, body_norm, content_hash, "
                "ingest_date",
    "hashtags": "article_id, field, tag, key, start_pos, end_pos, rule",
    "mentions": "article_id, field, handle, key, start_pos, end_pos, rule",
    "rejects": "source_file, record, reason, detail",
    "duplicates": "source_file, member, record, content_hash",
    "file_manifest": "path, size, status, records, articles, duplicates, rejected",
    # only where both trees have it (checked when both do)
    "entity_mentions": "article_id, field, entity_id, type, surface, start_pos, end_pos, rule",
}
def main():
    import duckdb
    shutil.rmtree(data, ignore_errors=True)
    s = Settings(landing, data)
    t = time.perf_counter()
    execute(s, lambda lake: plan_nightly(s, lake, dt.date(2026, 1, 1)), {}, run_id="same-run",
            log=lambda m: None)
    sec = time.perf_counter() - t
    con = duckdb.connect(str(data / "warehouse.duckdb"), read_only=True)
    have = {r[0] for r in con.execute("select table_name from information_schema.tables")
            .fetchall()}
    sums = {t: [str(v) for v in con.execute(f"select count(*), sum(hash({c})) from {t}").fetchone()]
            for t, c in TABLES.items() if t in have}
    print(json.dumps({"seconds": sec, "sums": sums}))
if __name__ == "__main__":
    main()
"""


def checkout(base: str, work: Path) -> Path:
    tree = work / "base"
    subprocess.run(
        ["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree), base], check=True
    )
    for name in ("_fastnorm", "_entmatch"):  # the compiled paths, where the base has them
        src = f"transforms/{name}.c"
        if not (tree / src).exists():
            continue
        same = subprocess.run(["git", "-C", str(ROOT), "diff", "--quiet", base, "--", src])
        built = sorted(ROOT.glob(f"transforms/{name}*.so"))
        if same.returncode == 0 and built:
            shutil.copy2(built[0], tree / "transforms" / built[0].name)
        else:
            import sysconfig

            so = tree / "transforms" / (name + sysconfig.get_config_var("EXT_SUFFIX"))
            inc = sysconfig.get_paths()["include"]
            subprocess.run(
                ["cc", "-shared", "-fPIC", "-O2", f"-I{inc}", str(tree / src), "-o", str(so)],
                check=True,
            )
    return tree


def run(tree: Path, landing: Path, data: Path, script: Path) -> dict:
    out = subprocess.run(
        [sys.executable, str(script), str(tree), str(landing), str(data)],
        capture_output=True,
        text=True,
        check=False,
        cwd=tree,
    )
    lines = [ln for ln in out.stdout.splitlines() if ln.startswith("{")]
    if out.returncode or not lines:
        raise SystemExit(f"{tree}: the run failed\n{out.stderr[-3000:]}")
    return json.loads(lines[-1])


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("landing", type=Path)
    ap.add_argument("--base", required=True, help="the earlier commit (any git revision)")
    ap.add_argument("--rounds", type=int, default=3)
    args = ap.parse_args()
    print(machine())
    with tempfile.TemporaryDirectory(prefix="akhbar-sbs-") as tmp:
        work = Path(tmp)
        script = work / "child.py"
        script.write_text(CHILD, encoding="utf-8")
        base = checkout(args.base, work)
        try:
            trees = {f"base {args.base}": base, "this checkout": ROOT}
            times: dict[str, list[float]] = {name: [] for name in trees}
            sums = {}
            for _ in range(args.rounds):
                for name, tree in trees.items():
                    r = run(tree, args.landing.resolve(), work / "data", script)
                    times[name].append(r["seconds"])
                    sums.setdefault(name, r["sums"])
                    if r["sums"] != sums[name]:
                        raise SystemExit(f"{name}: rows differ between two of its own runs")
        finally:
            subprocess.run(
                ["git", "-C", str(ROOT), "worktree", "remove", "--force", str(base)], check=False
            )
    common = set.intersection(*(set(s) for s in sums.values()))
    equal = len({json.dumps({t: s[t] for t in common}, sort_keys=True) for s in sums.values()}) == 1
    print(f"rows of every table equal: {equal}")
    differ = sorted(t for t in common if len({json.dumps(s[t]) for s in sums.values()}) > 1)
    if differ:
        print(f"  tables that differ: {', '.join(differ)}")
    for table, (n, _) in next(iter(sums.values())).items():
        print(f"  {table:14} {n:>8} rows")
    for name, s in sums.items():
        for table in sorted(set(s) - common):
            print(f"  {table:14} {s[table][0]:>8} rows, in {name} only")
    for name, ts in times.items():
        print(f"{name:24} " + "  ".join(f"{t:6.2f}" for t in ts) + f"   best {min(ts):.2f} s")
    first, second = (min(ts) for ts in times.values())
    print(f"ratio this/base (best of each): {second / first:.2f}")
    sys.exit(0 if equal else 1)


if __name__ == "__main__":
    main()
