"""Build landing dirs for the end-to-end benchmarks: the real corpus, and synthetic ones of N.

    .venv/bin/python benchmarks/build_corpus.py real [--out /tmp/akhbar-corpus]
    .venv/bin/python benchmarks/build_corpus.py synth --n 100000 [--out …] [--days 40] [--seed 8]

`real`: SaudiNewsNet's 18 daily zips as landing day folders (`<out>/real/YYYY-MM-DD/*.zip`).
`synth`: N articles recombined from SaudiNewsNet: each takes a real article's title, source and
paragraph count, and that many paragraphs drawn at random from the whole corpus (so lengths,
diacritics, tatweel, NBSP and the readers' quirks are the real ones). 3.5% of the articles get
1-3 hashtags (Arabic words of real titles, sometimes glued to a proclitic: `و#الرياض`) and
1.5% an @mention. Written as `.jsonl` files of 5,000 articles under `<out>/synth-<N>/<date>/`,
spread over `--days` consecutive dates from 2015-09-01. Same seed, same bytes.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import shutil
import sys
import time
import zipfile
from pathlib import Path

from _common import require

PER_FILE = 5000
HASHTAG_RATE = 0.035
MENTION_RATE = 0.015
START = dt.date(2015, 9, 1)


def load_real(corpus: Path) -> list[dict]:
    out: list[dict] = []
    for z in sorted(corpus.glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                out.extend(json.loads(zf.read(name)))
    return out


def build_real(corpus: Path, out: Path) -> Path:
    dst = out / "real"
    if dst.exists():
        shutil.rmtree(dst)
    for z in sorted(corpus.glob("*.zip")):
        (dst / z.stem).mkdir(parents=True)
        shutil.copy2(z, dst / z.stem / z.name)
    return dst


def build_synth(corpus: Path, out: Path, n: int, days: int, seed: int) -> Path:
    rng = random.Random(seed)
    real = load_real(corpus)
    paragraphs = [p for a in real for p in (a.get("content") or "").split("\n") if p.strip()]
    shapes = [
        (a.get("title") or "", a.get("source") or "", a.get("author") or "", a.get("url") or "")
        for a in real
    ]
    counts = [
        max(1, sum(1 for p in (a.get("content") or "").split("\n") if p.strip())) for a in real
    ]
    words = sorted({w for t, *_ in shapes for w in re.findall(r"[\u0621-\u064A]{4,}", t)})
    handles = [f"{w}_{i}" for i, w in enumerate(("spa", "alriyadh", "okaz", "sabq", "news"))]
    handles += [f"user{i:04d}" for i in range(200)]
    dst = out / f"synth-{n}"
    if dst.exists():
        shutil.rmtree(dst)
    per_day = -(-n // days)
    fh, in_file, file_no, day_no = None, 0, 0, -1
    for i in range(n):
        if i // per_day != day_no or in_file == PER_FILE:
            if fh:
                fh.close()
            if i // per_day != day_no:
                day_no, file_no = i // per_day, 0
            folder = dst / (START + dt.timedelta(days=day_no)).isoformat()
            folder.mkdir(parents=True, exist_ok=True)
            fh = open(folder / f"part-{file_no:03d}.jsonl", "w", encoding="utf-8")  # noqa: SIM115
            file_no, in_file = file_no + 1, 0
        k = rng.randrange(len(shapes))
        title, source, author, url = shapes[k]
        body = [paragraphs[rng.randrange(len(paragraphs))] for _ in range(counts[k])]
        if rng.random() < HASHTAG_RATE:
            for _ in range(rng.randint(1, 3)):
                tag = "#" + rng.choice(words)
                if rng.random() < 0.15:
                    tag = rng.choice("وبل") + tag
                j = rng.randrange(len(body))
                body[j] = f"{body[j]} {tag}"
        if rng.random() < MENTION_RATE:
            body[-1] = f"{body[-1]} @{rng.choice(handles)}"
        rec = {
            "source": source,
            "url": f"{url}#s{i}" if url else "",
            "date_extracted": f"{START + dt.timedelta(days=day_no)} 08:00:00",
            "title": title,
            "author": author,
            "content": "\n".join(body),
        }
        fh.write(json.dumps(rec, ensure_ascii=False) + "\n")
        in_file += 1
    if fh:
        fh.close()
    return dst


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("kind", choices=["real", "synth"])
    ap.add_argument("--out", default="/tmp/akhbar-corpus", help="output dir (not the repo)")
    ap.add_argument("--n", type=int, default=100_000, help="synthetic articles")
    ap.add_argument("--days", type=int, default=40, help="date folders to spread them over")
    ap.add_argument("--seed", type=int, default=8)
    args = ap.parse_args()
    corpus = require("corpora", "saudinewsnet")
    out = Path(args.out)
    t = time.perf_counter()
    if args.kind == "real":
        dst = build_real(corpus, out)
    else:
        dst = build_synth(corpus, out, args.n, args.days, args.seed)
    files = [p for p in dst.rglob("*") if p.is_file()]
    mb = sum(p.stat().st_size for p in files) / 1e6
    print(f"{dst}: {len(files)} files, {mb:.1f} MB in {time.perf_counter() - t:.1f} s")


if __name__ == "__main__":
    sys.exit(main())
