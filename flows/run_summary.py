"""How a finished run reads on the terminal: the lines `akhbar run` and `akhbar backfill` print
from the run's summary (`RunOutcome.summary()`), and where to look next."""

from __future__ import annotations

from pathlib import Path

SHOWN_FILES = 5  # skipped or deleted files named in full; the rest are an ellipsis
ARTIFACT_FILES = 50  # files named in the Prefect artifact, which has room for a list


def summary_lines(s: dict) -> list[str]:
    """The funnel (files, records, entities), where the time went, and what was left out."""
    wall = s.get("wall_seconds")
    took = wall if wall is not None else s["seconds"]
    lines = [f"akhbar {s['flow']}: {s['status']} in {took:.1f} s (run {s['run_id']})"]
    if s["flow"] != "entities":  # a refresh reads no landing file: only its mentions count
        lines += [
            f"  files    seen {s['files_seen']}  new {s['files_new']}  "
            f"changed {s['files_changed']}  re-read {s['files_reread']}  "
            f"unchanged {s['files_unchanged']}  skipped {s['files_skipped']}  "
            f"rejected {s['files_rejected']}  deleted {s['files_deleted']}",
            f"  records  read {s['records_read']}  articles {s['articles_loaded']}  "
            f"duplicates {s['duplicates']}  rejected {s['records_rejected']}",
        ]
    lines.append(
        f"  entities hashtags {s['hashtags']}  mentions {s['mentions']}  "
        f"people/places/organisations {s.get('entity_mentions', 0)}"
    )
    lines += _wall_lines(s)
    lines += _timing_lines(s)
    if s["dates"]:
        lines.append(f"  dates    {', '.join(s['dates'])}")
    for label, key in (
        ("skipped", "skipped_files"),
        ("rejected", "rejected_files"),
        ("deleted", "deleted_files"),
    ):
        if s.get(key):
            more = " …" if len(s[key]) > SHOWN_FILES else ""
            lines.append(f"  {label:<8} {', '.join(s[key][:SHOWN_FILES])}{more}")
    if s.get("missing_dates"):
        lines.append(f"  no landing folder for: {', '.join(s['missing_dates'])} (left unchanged)")
    return lines


def _wall_lines(s: dict) -> list[str]:
    """Where the wait went before the run began: Prefect's start and the flow run's set-up."""
    wall = s.get("wall_seconds")
    if wall is None:
        return []
    return [
        f"  wall     {wall:.1f} s since the process started: Prefect's start and set-up "
        f"{max(0.0, wall - s['seconds']):.1f}, the run {s['seconds']:.1f}"
    ]


def _timing_lines(s: dict) -> list[str]:
    t = s.get("timings") or {}
    if not any(t.values()):
        return []
    w = s.get("workers", 1)
    summed = f" (summed over {w} worker processes)" if w > 1 else ""
    return [
        f"  seconds  plan {t['plan']:.1f}  read {t['read'] + t['parse']:.1f}  "
        f"transform {t['transform']:.1f}{summed}  stage {t['stage']:.1f}  "
        f"lake write {t['lake_write']:.1f}  publish {t['publish']:.1f}"
    ]


def next_steps(data: str) -> str:
    """After a completed run: how to query what it published."""
    return (
        "\nQuery it:  akhbar query "
        f'"select key, count(*) from hashtags group by 1 order by 2 desc" --data {data}'
        f"\n      or:  duckdb -readonly {Path(data) / 'warehouse.duckdb'}"
    )


def summary_markdown(s: dict, report: str | None = None) -> str:
    """The run's summary as a Prefect markdown artifact: the terminal's lines, then the files
    skipped, rejected and deleted (up to ARTIFACT_FILES each) and where the report is."""
    out = [f"# akhbar {s['flow']}: {s['status']}", "", "```", *summary_lines(s), "```", ""]
    if report:
        out += [f"**Report:** `{report}`", ""]
    for title, key in (
        ("Skipped files", "skipped_files"),
        ("Rejected files", "rejected_files"),
        ("Deleted files", "deleted_files"),
    ):
        names = s.get(key) or []
        if not names:
            continue
        out.append(f"## {title} ({len(names)})")
        out += [f"- `{n}`" for n in names[:ARTIFACT_FILES]]
        if len(names) > ARTIFACT_FILES:
            out.append(f"- … and {len(names) - ARTIFACT_FILES} more (the `rejects` table)")
        out.append("")
    return "\n".join(out)
