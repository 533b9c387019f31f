"""Entity extraction: quality on ANERcorp (FIT/DEV split of its train file) and speed on
SaudiNewsNet bodies, from ../shared/corpora.

    .venv/bin/python benchmarks/bench_entities.py [--mine fit|train] [--snn-mb 40] [--errors 30]
    .venv/bin/python benchmarks/bench_entities.py --write-mined   # regenerate the shipped files

Quality: exact token span and type, P/R/F1 per type and micro overall, nisba mentions left out
(tests/anercorp.py says how). ``--mine fit`` (the default, the honest figure) replaces the
shipped ANERcorp names with names mined from the FIT part only and scores DEV; the "train
(in-sample)" row scores the whole train file with the shipped files, which were mined from it.
``--write-mined`` mines the whole train file into seeds/gazetteer/anercorp/.

Speed: ``extract_entities_batch`` over SaudiNewsNet article bodies, cleaned first, in batches
of 1,000, one core; MB/s of clean text (UTF-8 bytes), CPU time, best of 3, each tree in a fresh
process. ``--base REV`` times that commit's ``transforms/`` too (its C extensions built in a
temporary directory, this tree's gazetteer data), alternating with this tree for ``--rounds``
rounds: the host is shared, so only figures of one invocation compare. Also the matcher's
build time (gazetteer read + automaton) in a fresh process.

    .venv/bin/python benchmarks/bench_entities.py --no-quality --base 07bb640 --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import subprocess
import sys
import tempfile
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine, require  # noqa: E402
from benchmarks.check_entities_identical import base_tree  # noqa: E402
from tests import anercorp as A  # noqa: E402
from transforms.normalize import normalize_batch  # noqa: E402

MINED_DIR = ROOT / "seeds" / "gazetteer" / "anercorp"


def row(label: str, sc: A.Score) -> str:
    cells = [f"{label:<22}"]
    for t in (*A.TYPES, None):
        p, r, f = sc.prf(t)
        cells.append(f"{p:5.1f} {r:5.1f} {f:5.1f}")
    return " | ".join(cells)


def quality(mine: str, errors: int) -> None:
    sents = A.read_sentences(require("corpora", "anercorp", "train.txt"))
    fit, dev = A.split(sents)
    fit_docs, dev_docs, all_docs = A.documents(fit), A.documents(dev), A.documents(sents)
    t0 = time.perf_counter()
    mined = A.mine_docs(fit_docs if mine == "fit" else all_docs)
    print(f"mined from {mine.upper()} in {time.perf_counter() - t0:.1f} s")
    dev_matcher = A.matcher_with(*mined)
    print(
        f"{'':<22} | {'PER  P/R/F1':^17} | {'LOC  P/R/F1':^17} | {'ORG  P/R/F1':^17} | "
        f"{'overall P/R/F1':^17}"
    )
    dev_score, errs = A.score(dev_docs, dev_matcher.extract_batch)
    print(row(f"DEV (mined {mine.upper()})", dev_score))
    from transforms.entities import matcher

    shipped = matcher()
    print(row("train (in-sample)", A.score(all_docs, shipped.extract_batch)[0]))
    print(row("DEV, no mined names", A.score(dev_docs, A.matcher_with(None).extract_batch)[0]))
    if errors:
        c = Counter((k, s[2], " ".join(dev_docs[d].tokens[s[0] : s[1]])) for d, s, k in errs)
        for (k, t, words), n in c.most_common(errors):
            print(f"  {n:3d} {k} {t} {words}")


def write_mined() -> None:
    sents = A.read_sentences(require("corpora", "anercorp", "train.txt"))
    files = dict(zip(A.SHIPPED_MINED, A.mine_docs(A.documents(sents)), strict=True))
    MINED_DIR.mkdir(exist_ok=True)
    for rel, text in files.items():
        (MINED_DIR.parent / rel).write_text(text, encoding="utf-8")
        print(f"wrote {rel}: {text.count(chr(10)) - 1} rows")


def load_bodies(max_mb: float) -> list[str]:
    out: list[str] = []
    size = 0
    for z in sorted(require("corpora", "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for art in json.loads(zf.read(name)):
                    out.append(art.get("content") or "")
                    size += len(out[-1].encode())
        if size > max_mb * 1e6:
            break
    return out


_SPEED = """
import json, pickle, sys, time
import transforms
from transforms.entities import warm
from transforms.entity_fold import AUTO, fold
assert transforms.__file__.startswith(sys.argv[2]), transforms.__file__  # that tree's code
from transforms import entity_fast
assert entity_fast.ext is None or entity_fast.ext.__file__.startswith(sys.argv[2])
texts = pickle.load(open(sys.argv[1], "rb"))
batches = [texts[i : i + 1000] for i in range(0, len(texts), 1000)]
m = warm()
def best(fn):
    out = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        fn()
        out = min(out, time.process_time() - t0)
    return out
n = sum(len(x) for b in batches for x in m.extract_batch(b))
s = best(lambda: [m.extract_batch(b) for b in batches])
# the part that is not rules: join, fold and the automaton
scan = best(lambda: [m.tables.automaton.find_matches_as_indexes(
    fold("\\n" + "\\n\\x00\\n".join(b) + "\\n")[0].translate(AUTO)) for b in batches])
print(json.dumps({"s": s, "scan": scan, "mentions": n, "compiled": m.compiled}))
"""


def speed_of(tree: Path, texts: Path) -> dict:
    """``extract_entities_batch`` over the pickled texts, with ``tree``'s code, in a fresh
    process: CPU seconds, best of 3."""
    out = subprocess.run(
        [sys.executable, "-c", _SPEED, str(texts), str(tree)],
        capture_output=True,
        text=True,
        check=True,
        cwd=tree,
        env={**os.environ, "PYTHONPATH": str(tree)},
    )
    return json.loads(out.stdout.splitlines()[-1])


def speed(max_mb: float, base: str | None, rounds: int) -> None:
    code = (
        "import time; t=time.perf_counter(); from transforms.entities import warm; m=warm(); "
        "print(time.perf_counter()-t, m.tables.build_seconds, m.tables.patterns)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    ).stdout.split()
    print(
        f"matcher build in a fresh process: {float(out[0]):.2f} s (automaton and tables "
        f"{float(out[1]):.2f} s, {int(out[2]):,} patterns)"
    )
    texts = normalize_batch(load_bodies(max_mb), "clean")
    mb = sum(len(t.encode()) for t in texts) / 1e6
    print(f"{len(texts):,} bodies, {mb:.1f} MB of clean text, batches of 1,000, CPU best of 3")
    with tempfile.TemporaryDirectory() as work:
        pkl = Path(work) / "texts.pkl"
        pkl.write_bytes(pickle.dumps(texts))
        trees = [(base, base_tree(base, Path(work)))] if base else []
        trees.append(("this tree", ROOT))
        for r in range(1, rounds + 1):
            for name, tree in trees:
                x = speed_of(tree, pkl)
                print(
                    f"  round {r}, {name:<10} extract_entities_batch {x['s']:.2f} s "
                    f"{mb / x['s']:5.1f} MB/s ({x['mentions']:,} mentions, compiled "
                    f"{x['compiled']}); join + fold + automaton {mb / x['scan']:.1f} MB/s"
                )


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mine", choices=("fit", "train"), default="fit")
    ap.add_argument("--snn-mb", type=float, default=40.0)
    ap.add_argument("--errors", type=int, default=0, help="print the N commonest DEV errors")
    ap.add_argument("--write-mined", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    ap.add_argument("--no-quality", action="store_true")
    ap.add_argument("--base", help="also time this commit's transforms/, alternating")
    ap.add_argument("--rounds", type=int, default=1)
    args = ap.parse_args()
    print(machine())
    if args.write_mined:
        write_mined()
        return
    if not args.no_quality:
        quality(args.mine, args.errors)
    if not args.no_speed:
        speed(args.snn_mb, args.base, args.rounds)


if __name__ == "__main__":
    main()
