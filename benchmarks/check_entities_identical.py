"""Entity mentions of the current tree against a base commit's, on every SaudiNewsNet title and
body in ../shared/corpora (cleaned first): every mention of every text must be equal.

    .venv/bin/python benchmarks/check_entities_identical.py [--base ac6ad2f] [--max-mb 0]

The base commit's ``transforms/`` runs in a subprocess (``git archive`` into a temporary
directory) with this tree's gazetteer data, so only the code differs. Also checked: the
current tree's compiled path (``_entmatch``) against its pure-Python path, and
``extract_columns`` against ``extract_batch``. Exits 1 on any difference.
"""

from __future__ import annotations

import argparse
import io
import json
import pickle
import subprocess
import sys
import sysconfig
import tarfile
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks._common import machine, require  # noqa: E402
from transforms.normalize import normalize_batch  # noqa: E402

BATCH = 1000
_RUN_BASE = """
import pickle, sys
import transforms
from transforms.entities import extract_entities_batch
assert transforms.__file__.startswith(sys.argv[3]), transforms.__file__  # the base's code
from transforms import entity_fast
assert entity_fast.ext is None or entity_fast.ext.__file__.startswith(sys.argv[3])
texts = pickle.load(open(sys.argv[1], "rb"))
out = []
for i in range(0, len(texts), {batch}):
    out.extend([tuple(m) for m in ms] for ms in extract_entities_batch(texts[i : i + {batch}]))
pickle.dump(out, open(sys.argv[2], "wb"))
"""


def load_texts(max_mb: float) -> list[str]:
    """Titles and bodies of every article, in file order, cleaned."""
    raw: list[str] = []
    size = 0
    for z in sorted(require("corpora", "saudinewsnet").glob("*.zip")):
        with zipfile.ZipFile(z) as zf:
            for name in zf.namelist():
                for art in json.loads(zf.read(name)):
                    raw += [art.get("title") or "", art.get("content") or ""]
                    size += len(raw[-1].encode()) + len(raw[-2].encode())
        if max_mb and size > max_mb * 1e6:
            break
    return normalize_batch(raw, "clean")


def base_tree(base: str, work: Path) -> Path:
    """The base commit's ``transforms/`` in ``work/base`` (with this tree's gazetteer data),
    its C extensions built there: without them, the base would import this tree's (an
    editable install finds them)."""
    tree = work / "base"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "archive", base, "transforms"], cwd=ROOT, capture_output=True, check=True
    ).stdout
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(tree, filter="data")
    (tree / "seeds").symlink_to(ROOT / "seeds")
    inc = sysconfig.get_paths()["include"]
    for src in sorted((tree / "transforms").glob("_*.c")):
        so = src.with_name(src.stem + sysconfig.get_config_var("EXT_SUFFIX"))
        cmd = ["cc", "-shared", "-fPIC", "-O2", f"-I{inc}", str(src), "-o", str(so)]
        subprocess.run(cmd, check=True)
    return tree


def base_mentions(base: str, texts: list[str], work: Path) -> list[list[tuple]]:
    """The base commit's mentions of ``texts``, with this tree's seeds/gazetteer."""
    tree = base_tree(base, work)
    (work / "texts.pkl").write_bytes(pickle.dumps(texts))
    code = _RUN_BASE.format(batch=BATCH)
    cmd = [sys.executable, "-c", code, str(work / "texts.pkl"), str(work / "out.pkl"), str(tree)]
    subprocess.run(cmd, cwd=tree, check=True, env={"PYTHONPATH": str(tree), "PATH": "/usr/bin"})
    return pickle.loads((work / "out.pkl").read_bytes())


def batched(fn, texts: list[str]) -> list:
    out: list = []
    for i in range(0, len(texts), BATCH):
        out.extend(fn(texts[i : i + BATCH]))
    return out


def differences(name: str, a: list[list[tuple]], b: list[list[tuple]], texts: list[str]) -> int:
    bad = [i for i in range(len(texts)) if [tuple(m) for m in a[i]] != [tuple(m) for m in b[i]]]
    total = sum(len(x) for x in a)
    print(f"{name}: {len(texts):,} texts, {total:,} mentions, {len(bad)} texts differ")
    for i in bad[:3]:
        print(f"  text {i}: {a[i][:3]} ... against {b[i][:3]} ...")
    return len(bad)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", default="ac6ad2f")
    ap.add_argument("--max-mb", type=float, default=0.0, help="0: the whole corpus")
    args = ap.parse_args()
    print(machine())
    import pyarrow as pa
    import pyarrow.compute as pc

    from transforms.entities import EntityMatcher, MentionColumns, load_gazetteer

    t0 = time.perf_counter()
    texts = load_texts(args.max_mb)
    gz = load_gazetteer()
    fast, pure = EntityMatcher(gz), EntityMatcher(gz, compiled=False)
    print(f"compiled path: {fast.compiled}; {len(texts):,} texts loaded and cleaned")
    new = batched(fast.extract_batch, texts)
    bad = differences("compiled vs pure Python", batched(pure.extract_batch, texts), new, texts)
    parts = []
    for i in range(0, len(texts), BATCH):
        c = fast.extract_columns(texts[i : i + BATCH])
        parts.append(c._replace(row=pc.add(c.row, pa.scalar(i, pa.int32()))))
    cols = MentionColumns(*(pa.concat_arrays(list(p)) for p in zip(*parts, strict=True)))
    same = cols == MentionColumns.of(new)
    bad += not same
    print(f"extract_columns vs extract_batch: {'equal' if same else 'DIFFER'}")
    with tempfile.TemporaryDirectory() as work:
        old = base_mentions(args.base, texts, Path(work))
    bad += differences(f"base {args.base} vs this tree", old, new, texts)
    print(f"{time.perf_counter() - t0:.0f} s")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
