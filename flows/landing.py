"""Find landing files and decide what a run must read: new, changed, unchanged, deleted.

Unchanged files cost one `stat` (size and mtime against the manifest), never a read. The
landing zone is a local dir or `s3://bucket/prefix` (flows/landing_s3.py: the same rules, one
listing); this module dispatches on the location.
"""

from __future__ import annotations

import datetime as dt
import re
import stat
from dataclasses import dataclass
from pathlib import Path

from flows.storage import is_remote

_SURROGATE = re.compile("[\ud800-\udfff]")
_DATE_DIR = re.compile(r"^(?:date=)?(\d{4}-\d{2}-\d{2})$")


@dataclass(frozen=True, slots=True)
class LandingFile:
    path: str  # relative to the landing dir, '/' separators: the stable identity of a file
    abs_path: Path | str  # a local path, or an object's `s3://bucket/key` address
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


class _Walk:
    """One walk of the landing dir: what it found, skipped, and the folders already seen."""

    def __init__(self, landing: Path) -> None:
        self.landing = landing
        self.files: list[LandingFile] = []
        self.skipped: list[tuple[str, str]] = []
        self.date_dirs: list[dt.date] = []
        self.visited: set[Path] = {landing}

    def visit(self, path: Path, day: dt.date) -> None:
        rel = path.relative_to(self.landing).as_posix()
        if not _utf8(rel):  # undecodable bytes in the name: Parquet could not store the path
            self.skipped.append((rel, "name_not_utf8: rename the file"))
            return
        if path.is_symlink() and not self._link_inside(path, rel):
            return
        if path.name.startswith("."):
            return
        if path.is_dir():
            real = path.resolve()
            if real in self.visited:  # a link back to a folder already walked (`ln -s . x`)
                self.skipped.append((rel, "unreadable: symlink loop"))
                return
            self.visited.add(real)
            for child in sorted(path.iterdir()):
                self.visit(child, day)
            return
        self._add_file(path, rel, day)

    def _link_inside(self, path: Path, rel: str) -> bool:
        try:
            target = path.resolve()
        except (OSError, RuntimeError):  # a symlink loop
            self.skipped.append((rel, "unreadable: symlink loop"))
            return False
        if not target.is_relative_to(self.landing):
            self.skipped.append((rel, "symlink_outside"))
            return False
        return True

    def _add_file(self, path: Path, rel: str, day: dt.date) -> None:
        # Any extension is a landing file: one without a reader is rejected unread by its
        # batch, once (transforms.readers.unsupported), and is in `rejects` with the fix.
        try:
            st = path.stat()
        except OSError as e:
            self.skipped.append((rel, f"unreadable: {e.strerror}"))
            return
        if not stat.S_ISREG(st.st_mode):  # a FIFO would block the read forever
            self.skipped.append((rel, "not_regular_file"))
            return
        self.files.append(LandingFile(rel, path, st.st_size, st.st_mtime_ns, day))

    def top(self, entry: Path, logical_date: dt.date) -> None:
        """An entry directly in the landing dir: a date folder, another folder, or a file."""
        if not entry.is_dir():
            self.visit(entry, logical_date)
            return
        if entry.name.startswith("."):
            return
        day = folder_date(entry.name)
        if day is None:
            self.skipped.append(
                (entry.name + "/", "not a date folder (YYYY-MM-DD or date=YYYY-MM-DD)")
            )
            return
        if entry.is_symlink() and not entry.resolve().is_relative_to(self.landing):
            self.skipped.append((entry.name, "symlink_outside"))
            return
        self.date_dirs.append(day)
        self.visited.add(entry.resolve())
        for child in sorted(entry.iterdir()):
            self.visit(child, day)


def discover(landing: Path | str, logical_date: dt.date) -> Discovery:
    """Files directly in `landing` get the run's logical date; files in a `YYYY-MM-DD/` or
    `date=YYYY-MM-DD/` folder (searched recursively below it) get that folder's date."""
    if is_remote(landing):
        from flows import landing_s3  # obstore only where it is used: workers start faster

        return landing_s3.discover(str(landing), logical_date)
    landing = Path(landing).resolve()
    if not landing.is_dir():
        raise FileNotFoundError(
            f"landing dir {landing} does not exist: create it or pass --landing"
        )
    walk = _Walk(landing)
    for entry in sorted(landing.iterdir()):
        walk.top(entry, logical_date)
    # Names are reported, and stored with the run: never with undecodable bytes in them.
    shown = [
        (n if _utf8(n) else n.encode("utf-8", "backslashreplace").decode(), w)
        for n, w in walk.skipped
    ]
    return Discovery(walk.files, shown, sorted(set(walk.date_dirs)))


def _utf8(name: str) -> bool:
    """False for a name holding the surrogates Python uses for undecodable file-name bytes."""
    return name.isascii() or not _SURROGATE.search(name)


def read_bytes(f: LandingFile, max_bytes: int) -> bytes:
    """Read a landing file; raise OSError for the caller to turn into a reject."""
    if f.size > max_bytes:
        raise ValueError(f"{f.size} bytes is over the limit of {max_bytes} (set --max-file-mb)")
    if is_remote(f.abs_path):
        from flows import landing_s3

        return landing_s3.read(str(f.abs_path))
    with open(f.abs_path, "rb") as fh:
        return fh.read()


def location(landing: str) -> Path | str:
    """`--landing` as the run keeps it: `s3://…` as given, else a path."""
    return landing if is_remote(landing) else Path(landing)
