"""`akhbar run --dry-run`: the nightly run's plan (flows/plan.py), made exactly as a run makes it
and printed, with nothing written: no data dir, no lake, no lock file, no Prefect.

A run's steps before its plan (flows/run.py, step 1) only repair what an interrupted run left;
the plan reads the lake at the versions the last ledger commit pinned, so it is the same plan
with or without that repair. `akhbar status` shows its pending files from the same preview.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from flows.lake import Lake
from flows.landing import LandingFile
from flows.plan import Plan, plan_nightly
from flows.settings import MB, Settings
from flows.storage import uri
from transforms.readers import unsupported

SHOWN_PER_DATE = 200  # files named per date in the text output


@dataclass
class Preview:
    """What a nightly run would read, skip and find deleted, and where."""

    plan: Plan
    landing: str
    lake: str
    max_file_bytes: int
    # why each file of plan.to_read is read: new, changed, re-read (unchanged, holds a
    # duplicate of changed content) or retry (unchanged, but not read last time)
    why: dict[str, str] = field(default_factory=dict)
    note: str | None = None  # what makes the run's plan differ from this one

    @property
    def too_large(self) -> list[LandingFile]:
        return [f for f in self.plan.to_read if f.size > self.max_file_bytes]

    @property
    def bytes(self) -> int:
        return sum(f.size for f in self.plan.to_read)

    def to_dict(self) -> dict:
        plan = self.plan
        return {
            "landing": self.landing,
            "lake": self.lake,
            "logical_date": plan.logical_date.isoformat(),
            "counts": plan.counts,
            "bytes": self.bytes,
            "to_read": [
                {
                    "path": f.path,
                    "ingest_date": f.ingest_date.isoformat(),
                    "bytes": f.size,
                    "why": self.why[f.path],
                    "too_large": f.size > self.max_file_bytes,
                }
                for f in plan.to_read
            ],
            "skipped": [{"path": p, "why": why} for p, why in plan.skipped],
            "deleted": plan.deleted,
            "note": self.note,
        }


def preview(settings: Settings, logical_date: dt.date) -> Preview:
    """The plan a nightly run on `logical_date` would make now, reading only."""
    lake = Lake(settings.lake_location)
    plan = plan_nightly(settings, lake, logical_date)
    return Preview(
        plan=plan,
        landing=uri(settings.landing),
        lake=lake.uri,
        max_file_bytes=settings.max_file_bytes,
        why=_reasons(lake, plan),
        note=_unconverted(lake),
    )


def _reasons(lake: Lake, plan: Plan) -> dict[str, str]:
    cols = ["path", "size", "mtime_ns", "content_hash"]
    t = lake.read("file_manifest", columns=cols).to_pydict()
    known = {
        p: (s, m, bool(h))
        for p, s, m, h in zip(t["path"], t["size"], t["mtime_ns"], t["content_hash"], strict=True)
    }
    out = {}
    for f in plan.to_read:
        prev = known.get(f.path)
        if prev is None:
            out[f.path] = "new"
        elif (prev[0], prev[1]) != (f.size, f.mtime_ns):
            out[f.path] = "changed"
        else:
            out[f.path] = "re-read" if prev[2] else "retry"
    return out


def _unconverted(lake: Lake) -> str | None:
    """A lake of an earlier akhbar version, which the next run converts to Delta tables first:
    until then nothing in it is visible, so every file shows as new."""
    if lake.remote or not (lake.root / "_state.json").exists():
        return None
    return (
        f"the lake {lake.uri} is in an earlier akhbar format: the next run converts it first "
        "(flows/lake_migrate.py); this plan sees it as empty"
    )


def files(n: int) -> str:
    return f"{n} file" if n == 1 else f"{n} files"


def human_bytes(n: int) -> str:
    for unit, size in (("GB", MB * 1024), ("MB", MB), ("kB", 1024)):
        if n >= size:
            return f"{n / size:.1f} {unit}"
    return f"{n} B"


def headline(p: Preview) -> str:
    """One line: how many files a run would read, and why."""
    c, n = p.plan.counts, len(p.plan.to_read)
    if not n:
        return f"nothing new or changed ({files(c['files_unchanged'])} unchanged)"
    retry = sum(1 for w in p.why.values() if w == "retry")
    parts = [f"{c['files_new']} new", f"{c['files_changed'] - retry} changed"]
    parts += [f"{c['files_reread']} re-read"] + ([f"{retry} retried"] if retry else [])
    return (
        f"{files(n)}, {human_bytes(p.bytes)} ({', '.join(parts)}); {c['files_unchanged']} unchanged"
    )


def file_lines(p: Preview, shown_per_date: int = SHOWN_PER_DATE) -> list[str]:
    """Per ingest date: its files to read, with counts and bytes; then what is skipped, too
    large, and deleted from the landing zone."""
    lines: list[str] = []
    limit_mb = p.max_file_bytes / MB
    for day in sorted({f.ingest_date for f in p.plan.to_read}):
        todo = [f for f in p.plan.to_read if f.ingest_date == day]
        kinds: dict[str, int] = {}
        for f in todo:
            kinds[p.why[f.path]] = kinds.get(p.why[f.path], 0) + 1
        size = human_bytes(sum(f.size for f in todo))
        what = ", ".join(f"{v} {k}" for k, v in kinds.items())
        lines.append(f"  {day}  {files(len(todo))}  {size}  ({what})")
        for f in todo[:shown_per_date]:
            note = (
                f"  too large: over {limit_mb:g} MB, rejected unread"
                if f.size > p.max_file_bytes
                else "  no reader for its extension: rejected unread, once"
                if unsupported(f.path) is not None
                else ""
            )
            lines.append(f"    {p.why[f.path]:<8} {f.path}  {human_bytes(f.size)}{note}")
        if len(todo) > shown_per_date:
            lines.append(f"    … and {len(todo) - shown_per_date} more")
    if p.plan.skipped:
        lines.append(f"  skipped, not read: {files(len(p.plan.skipped))}")
        lines += [f"    {why}  {path}" for path, why in p.plan.skipped]
    if p.plan.deleted:
        lines.append(
            f"  deleted from the landing zone since loaded: {files(len(p.plan.deleted))} "
            "(their rows stay in the lake)"
        )
        lines += [f"    {path}" for path in p.plan.deleted]
    return lines


def dry_run_lines(p: Preview) -> list[str]:
    """What `akhbar run --dry-run` prints."""
    lines = [
        f"dry run, nothing written: landing {p.landing}, lake {p.lake}, date {p.plan.logical_date}"
    ]
    if p.note:
        lines.append(f"note: {p.note}")
    lines.append(f"would read {headline(p)}")
    lines += file_lines(p)
    big = p.too_large
    if big:
        lines.append(
            f"would reject {files(len(big))} as too large (over --max-file-mb "
            f"{p.max_file_bytes / MB:g}): raise it to read them"
        )
    return lines
