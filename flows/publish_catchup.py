"""A warehouse more than one lake version behind, brought up to date in place.

Runs that committed to the lake and then failed to publish (a full disk, the process killed
after its commit) leave the warehouse behind the lake: its metadata says which lake version it
was published from. Rather than rebuild the whole file (twice the warehouse on disk, the time
of a full run), the next run also applies the partitions that changed in the lake since then:
each data table's active files at the warehouse's version and at the lake's previous one
(both read from Delta's log at the pins the ledger recorded) are compared per date, and every
date whose files differ is replaced (an append-only table takes the files whose key it
lacks: warehouse_tables `apply_partitions`). When the ledger cannot say what the lake was at
the warehouse's version, the caller builds a new warehouse as before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from flows.lake import Lake
from flows.publish_meta import behind
from transforms import schemas

Touched = dict[str, set[dt.date]]


def _changed(old: Lake, new: Lake, table: str) -> set[dt.date]:
    days = set(old.dates(table)) | set(new.dates(table))
    return {
        d
        for d in days
        if {str(f) for f in old.files(table, d)} != {str(f) for f in new.files(table, d)}
    }


def missed(lake: Lake, meta: dict[str, str], upto: int) -> Touched | None:
    """The (table, dates) the lake changed between the version the warehouse was published
    from (`meta`) and version `upto`; None when the warehouse is not behind that (see
    `publish_meta.behind`) or the lake's history cannot tell (or is not the one the warehouse
    was published from: the run that published it must have made that ledger commit)."""
    published = behind(meta, upto + 1)
    if published is None:
        return None
    try:
        old = lake.at_version(published, run_id=meta.get("published_by_run") if published else None)
        new = lake.at_version(upto)
        if old is None or new is None:
            return None
        out: Touched = {}
        for table in schemas.TABLES:
            days = _changed(old, new, table)
            if days:
                out[table] = days
        return out
    except Exception:  # an expired or damaged log of an old version: rebuild instead
        return None


def merged(a: Touched, b: Touched) -> Touched:
    return {t: a.get(t, set()) | b.get(t, set()) for t in a.keys() | b.keys()}


def catch_up(
    lake: Lake, meta: dict[str, str], touched: Touched, say: Callable[[str], None]
) -> Touched | None:
    """`touched` and the partitions runs since the warehouse's version did not publish, when
    the warehouse published at `meta` is behind and the lake's history says what changed;
    None when it is not (then it is updated as usual, or built anew)."""
    # (the run's own commit, the last, is in `touched`)
    extra = missed(lake, meta, lake.version - 1)
    if extra is None:
        return None
    say(
        f"the warehouse was published from lake version {meta['lake_version']}, the lake is at "
        f"{lake.version}: the runs between did not publish, so their partitions are applied too"
    )
    return merged(touched, extra)
