"""Find landing files and decide what a run must read: new, changed, unchanged, deleted.

Unchanged files cost one `stat` (size and mtime against the manifest), never a read.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from transforms.readers import SUPPORTED_EXTS

_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE_DIR = re.compile(r"^(?:date=)?(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class LandingFile:
    path: str  # relative to the landing dir, '/' separators: the stable identity of a file
    abs_path: Path
    size: int
    mtime_ns: int
    ingest_date: dt.date


@dataclass(slots=True)
class Discovery:
    files: list[LandingFile]
    skipped: list[tuple[str, str]]  # (path, why): unknown extension, symlink outside, …
    date_dirs: list[dt.date]


def folder_date(name: str) -> dt.date | None:
    m = _DATE_DIR.match(name)
    if not m:
        return None
    try:
        return dt.date.fromisoformat(m.group(1))
    except ValueError:
        return None


def discover(landing: Path, logical_date: dt.date) -> Discovery:
    """Files directly in `landing` get the run's logical date; files in a `YYYY-MM-DD/` or
    `date=YYYY-MM-DD/` folder (searched recursively below it) get that folder's date."""
    landing = landing.resolve()
    files: list[LandingFile] = []
    skipped: list[tuple[str, str]] = []
    date_dirs: list[dt.date] = []
    visited: set[Path] = {landing}

    def visit(path: Path, day: dt.date) -> None:
        rel = path.relative_to(landing).as_posix()
        if not _utf8(rel):  # undecodable bytes in the name: Parquet could not store the path
            skipped.append((rel, "name_not_utf8: rename the file"))
            return
        if path.is_symlink():
            try:
                target = path.resolve()
            except (OSError, RuntimeError):  # a symlink loop
                skipped.append((rel, "unreadable: symlink loop"))
                return
            if not target.is_relative_to(landing):
                skipped.append((rel, "symlink_outside"))
                return
        if path.name.startswith("."):
            return
        if path.is_dir():
            real = path.resolve()
            if real in visited:  # a link back to a folder already walked (e.g. `ln -s . x`)
                skipped.append((rel, "unreadable: symlink loop"))
                return
            visited.add(real)
            for child in sorted(path.iterdir()):
                visit(child, day)
            return
        if not path.name.lower().endswith(SUPPORTED_EXTS):
            skipped.append((rel, "unknown_extension"))
            return
        try:
            st = path.stat()
        except OSError as e:
            skipped.append((rel, f"unreadable: {e.strerror}"))
            return
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read forever
            skipped.append((rel, "not_regular_file"))
            return
        files.append(LandingFile(rel, path, st.st_size, st.st_mtime_ns, day))

    if not landing.is_dir():
        raise FileNotFoundError(
            f"landing dir {landing} does not exist: create it or pass --landing"
        )
    for entry in sorted(landing.iterdir()):
        day = folder_date(entry.name) if entry.is_dir() else None
        if entry.is_dir() and day is not None and not entry.name.startswith("."):
            if entry.is_symlink() and not entry.resolve().is_relative_to(landing):
                skipped.append((entry.name, "symlink_outside"))
                continue
            date_dirs.append(day)
            visited.add(entry.resolve())
            for child in sorted(entry.iterdir()):
                visit(child, day)
        elif entry.is_dir():
            if not entry.name.startswith("."):
                skipped.append(
                    (entry.name + "/", "not a date folder (YYYY-MM-DD or date=YYYY-MM-DD)")
                )
        else:
            visit(entry, logical_date)
    # Names are reported, and stored with the run: never with undecodable bytes in them.
    shown = [
        (n if _utf8(n) else n.encode("utf-8", "backslashreplace").decode(), w) for n, w in skipped
    ]
    return Discovery(files, shown, sorted(set(date_dirs)))


def _utf8(name: str) -> bool:
    """False for a name holding the surrogates Python uses for undecodable file-name bytes."""
    return name.isascii() or not _SURROGATE.search(name)


def read_bytes(f: LandingFile, max_bytes: int) -> bytes:
    """Read a landing file; raise OSError for the caller to turn into a reject."""
    if f.size > max_bytes:
        raise ValueError(f"{f.size} bytes is over the limit of {max_bytes} (set --max-file-mb)")
    with open(f.abs_path, "rb") as fh:
        return fh.read()
