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
of 1,000, one core; MB/s of clean text (UTF-8 bytes), best of 3. Also the matcher's build time
(gazetteer read + automaton) in a fresh process.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import zipfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine, require  # noqa: E402
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


def speed(max_mb: float) -> None:
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
    from transforms.entities import extract_entities_batch, warm

    warm()
    texts = normalize_batch(load_bodies(max_mb), "clean")
    mb = sum(len(t.encode()) for t in texts) / 1e6
    batches = [texts[i : i + 1000] for i in range(0, len(texts), 1000)]
    best, n = float("inf"), 0
    for _ in range(3):
        t0 = time.process_time()
        n = sum(len(x) for b in batches for x in extract_entities_batch(b))
        best = min(best, time.process_time() - t0)
    print(
        f"extract_entities_batch: {len(texts):,} bodies, {mb:.1f} MB clean text, {n:,} "
        f"mentions: {best:.2f} s CPU, {mb / best:.1f} MB/s"
    )
    scan_only(batches, mb)


def scan_only(batches: list[list[str]], mb: float) -> None:
    """The part that is not Python per match: join, fold and the automaton."""
    from transforms.entities import warm
    from transforms.entity_fold import AUTO, fold

    automaton = warm().tables.automaton
    best = float("inf")
    for _ in range(3):
        t0 = time.process_time()
        for b in batches:
            fb = fold("\n" + "\n\x00\n".join(b) + "\n")[0]
            automaton.find_matches_as_indexes(fb.translate(AUTO))
        best = min(best, time.process_time() - t0)
    print(f"  of which join + fold + automaton: {best:.2f} s CPU, {mb / best:.1f} MB/s")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mine", choices=("fit", "train"), default="fit")
    ap.add_argument("--snn-mb", type=float, default=40.0)
    ap.add_argument("--errors", type=int, default=0, help="print the N commonest DEV errors")
    ap.add_argument("--write-mined", action="store_true")
    ap.add_argument("--no-speed", action="store_true")
    args = ap.parse_args()
    print(machine())
    if args.write_mined:
        write_mined()
        return
    quality(args.mine, args.errors)
    if not args.no_speed:
        speed(args.snn_mb)


if __name__ == "__main__":
    main()
