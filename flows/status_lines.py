"""How `akhbar status` reads on the terminal: the lines printed from a `Status`
(flows/status.py)."""

from __future__ import annotations

import datetime as dt
import textwrap

from flows.dry_run import file_lines, headline, human_bytes
from flows.status import Status


def status_lines(s: Status, now: dt.datetime | None = None) -> list[str]:
    now = now or dt.datetime.now(dt.UTC)
    lines = [f"data dir   {s.data}" + ("" if s.data_exists else "  (does not exist)")]
    lines.append(f"lake       {s.lake}" + _lake_state(s))
    lines.append(f"run now    {s.running or 'none'}")
    lines += _runs_lines(s)
    lines += _warehouse_lines(s, now)
    lines += _pending_lines(s)
    return lines


def _lake_state(s: Status) -> str:
    if s.lake_error:
        return f"  (cannot be read: {s.lake_error})"
    if not s.lake_version:
        return "  (empty: no run has committed to it)"
    return f"  (version {s.lake_version})"


def _runs_lines(s: Status) -> list[str]:
    if not s.runs:
        hint = f"akhbar run --data {s.data}"
        if not s.data_exists:
            return [f"last run   none: nothing has run with this data dir yet ({hint})"]
        return [f"last run   none recorded ({hint})"]
    last = s.runs[0]
    lines = [f"last run   {_run_line(last)}"]
    if s.runs_from == "warehouse":
        lines.append(f"           (from the warehouse's runs: {_no_lake_runs(s, last)})")
    c = last["counts"]
    if last["flow"] != "entities":
        lines.append(
            f"           files seen {c.get('files_seen', 0)}  new {c.get('files_new', 0)}  "
            f"changed {c.get('files_changed', 0)}  skipped {c.get('files_skipped', 0)}  "
            f"rejected {c.get('files_rejected', 0)}  deleted {c.get('files_deleted', 0)}"
        )
    lines.append(
        f"           records read {c.get('records_read', 0)}  "
        f"articles {c.get('articles_loaded', 0)}  duplicates {c.get('duplicates', 0)}  "
        f"rejected {c.get('records_rejected', 0)}"
    )
    if last["dates"]:
        lines.append(f"           dates {', '.join(last['dates'])}")
    if last["error"]:
        lines.append(f"           error: {last['error']}")
    if len(s.runs) > 1:
        lines.append(f"recent     the last {len(s.runs)} runs, newest first:")
        lines += [f"           {_run_line(r)}" for r in s.runs]
    return lines


def _no_lake_runs(s: Status, last: dict) -> str:
    if s.lake_error:
        return "the lake cannot be read"
    wrote = last["parameters"].get("lake")
    if wrote and wrote != s.lake:
        return f"the lake {s.lake} holds no run; the last run wrote {wrote}: pass --lake {wrote}"
    return f"the lake {s.lake} holds no run"


def _run_line(r: dict) -> str:
    started = (r["started_at"] or "?")[:19].replace("T", " ")
    secs = f"{r['seconds']:.1f} s" if r["seconds"] is not None else "? s"
    arts = r["counts"].get("articles_loaded", 0)
    return (
        f"{started} UTC  {r['flow']:<8} {r['status']:<10} {secs:>8}  "
        f"{arts} articles  run {r['run_id']}"
    )


def _warehouse_lines(s: Status, now: dt.datetime) -> list[str]:
    w = s.warehouse
    if w is None:
        return ["warehouse  none (a completed run publishes it)"]
    lines = [
        f"warehouse  {w.path}  {human_bytes(w.bytes)}, published {_age(now - w.modified)} ago "
        f"({w.modified:%Y-%m-%d %H:%M:%S} UTC)"
    ]
    if w.error:
        lines.append(f"           cannot be read now: {w.error}")
    behind = s.warehouse_behind
    if behind:
        lines.append(
            f"           BEHIND the lake: published from lake version {w.lake_version}, "
            f"the lake is at {s.lake_version} (the next run publishes it)"
        )
    elif w.lake_version is not None and w.lake_version == s.lake_version:
        lines.append(f"           up to date with the lake (version {w.lake_version})")
    elif w.lake_version is not None and s.lake_version is not None:
        lines.append(
            f"           published from lake version {w.lake_version}, but {s.lake} is at "
            f"{s.lake_version}: not the lake it was published from (--lake)?"
        )
    if w.rows:
        rows = "   ".join(f"{t} {n}" for t, n in w.rows.items())
        lines += textwrap.wrap(rows, 100, initial_indent="  rows     ", subsequent_indent=" " * 11)
    return lines


def _age(d: dt.timedelta) -> str:
    secs = max(0, int(d.total_seconds()))
    for unit, size in (("d", 86400), ("h", 3600), ("min", 60)):
        if secs >= size:
            return f"{secs // size} {unit}"
    return f"{secs} s"


def _pending_lines(s: Status) -> list[str]:
    where = f"{s.landing} ({s.landing_from})"
    if s.pending is None:
        return [f"pending    landing {where}: cannot be listed: {s.pending_error}"]
    p = s.pending
    lines = [f"pending    landing {where}: {headline(p)}"]
    if p.note:
        lines.append(f"           note: {p.note}")
    if s.running and p.plan.to_read:
        lines.append("           (a run is in progress: it may be reading these now)")
    return lines + file_lines(p, shown_per_date=10)
