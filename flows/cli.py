"""`akhbar` command line: run, backfill, serve, query, views, report.

Prefect is imported only by the commands that run flows, so `akhbar query` answers in well
under a second.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import sys
from pathlib import Path

import click

import flows  # noqa: F401  (sets Prefect's environment before anything imports prefect)

DATE = click.DateTime(formats=["%Y-%m-%d"])


def _summary_lines(s: dict) -> list[str]:
    lines = [
        f"akhbar {s['flow']}: {s['status']} in {s['seconds']:.1f} s (run {s['run_id']})",
        f"  files    seen {s['files_seen']}  new {s['files_new']}  changed {s['files_changed']}  "
        f"re-read {s['files_reread']}  "
        f"unchanged {s['files_unchanged']}  skipped {s['files_skipped']}  "
        f"rejected {s['files_rejected']}  deleted {s['files_deleted']}",
        f"  records  read {s['records_read']}  articles {s['articles_loaded']}  "
        f"duplicates {s['duplicates']}  rejected {s['records_rejected']}",
        f"  entities hashtags {s['hashtags']}  mentions {s['mentions']}",
    ]
    t = s.get("timings") or {}
    if any(t.values()):
        w = s.get("workers", 1)
        summed = f" (summed over {w} worker processes)" if w > 1 else ""
        lines.append(
            f"  seconds  plan {t['plan']:.1f}  read {t['read'] + t['parse']:.1f}  "
            f"transform {t['transform']:.1f}{summed}  stage {t['stage']:.1f}  "
            f"lake write {t['lake_write']:.1f}  publish {t['publish']:.1f}"
        )
    if s["dates"]:
        lines.append(f"  dates    {', '.join(s['dates'])}")
    for label, key in (("skipped", "skipped_files"), ("deleted", "deleted_files")):
        if s[key]:
            shown = ", ".join(s[key][:5]) + (" …" if len(s[key]) > 5 else "")
            lines.append(f"  {label}  {shown}")
    if s.get("missing_dates"):
        lines.append(f"  no landing folder for: {', '.join(s['missing_dates'])} (left unchanged)")
    return lines


def _finish(summary: dict, data: str) -> None:
    for line in _summary_lines(summary):
        click.echo(line)
    if summary["status"] == "completed":
        click.echo(
            "\nQuery it:  akhbar query "
            f'"select key, count(*) from hashtags group by 1 order by 2 desc" --data {data}'
            f"\n      or:  duckdb -readonly {Path(data) / 'warehouse.duckdb'}"
        )


def _flow_on(with_runner, fn, runner: str, address: str | None):
    try:
        return with_runner(fn, runner, address)
    except (ValueError, RuntimeError) as e:
        raise click.ClickException(str(e)) from None


def _precheck(landing: str, data: str, wait: bool) -> None:
    """Fail in milliseconds, before Prefect starts, on what would fail the run anyway."""
    from flows.lock import RunLocked, check_free

    if not Path(landing).is_dir():
        raise click.ClickException(
            f"landing dir {landing} does not exist: create it or pass --landing"
        )
    if not wait:
        try:
            check_free(Path(data))
        except RunLocked as e:
            raise click.ClickException(str(e)) from None


def _run_flow(fn, **kwargs) -> None:
    import os

    from flows.lock import RunLocked

    if not os.environ.get("PREFECT_API_URL"):
        click.echo(
            "Starting Prefect's temporary API server (5-10 s; set PREFECT_API_URL to use "
            "a running server)…",
            err=True,
        )
    try:
        summary = fn(**kwargs)
    except RunLocked as e:
        raise click.ClickException(str(e)) from None
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None
    _finish(summary, kwargs["data"])


_RUNNER = click.option(
    "--runner",
    type=click.Choice(["default", "dask"]),
    default="default",
    show_default=True,
    help="Where read+transform batches run: this process, or a Dask cluster.",
)
_WORKERS = click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=0,
    show_default=True,
    help="Processes that read and transform (0: one per core; 1: this process only).",
)
_ADDRESS = click.option(
    "--address",
    default=None,
    help="Dask scheduler (tcp://HOST:PORT) for --runner dask; default: a local cluster.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="akhbar")
def main() -> None:
    """akhbar: batch ETL for Arabic news, from landing files to a Parquet lake and DuckDB."""


@main.command()
@click.option("--landing", default="seeds/landing", show_default=True, help="Landing dir to read.")
@click.option(
    "--data", default="data", show_default=True, help="Output dir: lake/, warehouse.duckdb."
)
@click.option(
    "--date",
    "date",
    type=DATE,
    default=None,
    help="Logical date for files directly in the landing dir (default: today).",
)
@click.option("--max-file-mb", default=20, show_default=True, help="Reject files larger than this.")
@click.option(
    "--wait", is_flag=True, help="Wait for a run holding the data dir instead of failing."
)
@_WORKERS
@_RUNNER
@_ADDRESS
def run(
    landing: str,
    data: str,
    date: dt.datetime | None,
    max_file_mb: int,
    wait: bool,
    workers: int,
    runner: str,
    address: str | None,
) -> None:
    """Nightly run: process every landing file that is new or changed since the last run."""
    _precheck(landing, data, wait)
    from flows.nightly import nightly
    from flows.runners import with_runner

    _run_flow(
        _flow_on(with_runner, nightly, runner, address),
        landing=landing,
        data=data,
        date=date.date() if date else None,
        max_file_mb=max_file_mb,
        wait=wait,
        workers=workers,
    )


@main.command()
@click.option("--start", type=DATE, required=True, help="First date to reprocess (YYYY-MM-DD).")
@click.option("--end", type=DATE, required=True, help="Last date to reprocess, inclusive.")
@click.option("--landing", default="seeds/landing", show_default=True, help="Landing dir to read.")
@click.option(
    "--data", default="data", show_default=True, help="Output dir: lake/, warehouse.duckdb."
)
@click.option("--max-file-mb", default=20, show_default=True, help="Reject files larger than this.")
@click.option(
    "--wait", is_flag=True, help="Wait for a run holding the data dir instead of failing."
)
@click.option("--dry-run", is_flag=True, help="List what would be replaced; change nothing.")
@_WORKERS
@_RUNNER
@_ADDRESS
def backfill(
    start: dt.datetime,
    end: dt.datetime,
    landing: str,
    data: str,
    max_file_mb: int,
    wait: bool,
    dry_run: bool,
    workers: int,
    runner: str,
    address: str | None,
) -> None:
    """Reprocess the landing folders of START..END and replace exactly those dates."""
    if end < start:
        raise click.BadParameter(f"--end {end.date()} is before --start {start.date()}")
    if dry_run:
        from flows.lake import Lake
        from flows.pipeline import Settings, plan_backfill

        lake = Lake(Path(data) / "lake")
        plan = plan_backfill(Settings(Path(landing), Path(data)), lake, start.date(), end.date())
        for day in plan.dates:
            files = [f.path for f in plan.to_read if f.ingest_date == day]
            rows = lake.read("articles", day, columns=["article_id"]).num_rows
            click.echo(f"{day}: would replace {rows} article rows from {len(files)} landing files")
        for day in plan.missing_dates:
            click.echo(f"{day}: no landing folder: would be left unchanged")
        return
    _precheck(landing, data, wait)
    from flows.nightly import backfill as backfill_flow
    from flows.runners import with_runner

    _run_flow(
        _flow_on(with_runner, backfill_flow, runner, address),
        start=start.date(),
        end=end.date(),
        landing=landing,
        data=data,
        max_file_mb=max_file_mb,
        wait=wait,
        workers=workers,
    )


@main.command()
@click.option("--cron", default="0 2 * * *", show_default=True, help="Nightly schedule (cron).")
@click.option("--timezone", default="UTC", show_default=True, help="IANA zone for the cron.")
@click.option("--landing", default="seeds/landing", show_default=True, help="Landing dir to read.")
@click.option(
    "--data", default="data", show_default=True, help="Output dir: lake/, warehouse.duckdb."
)
def serve(cron: str, timezone: str, landing: str, data: str) -> None:
    """Register the nightly and backfill deployments with a Prefect server and serve them.

    Needs PREFECT_API_URL pointing at a running `prefect server start`. Runs until stopped
    (SIGTERM/Ctrl-C); Prefect then pauses the nightly schedule until serve starts again.
    """
    import os

    if not os.environ.get("PREFECT_API_URL"):
        raise click.ClickException(
            "PREFECT_API_URL is not set: start `prefect server start` and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (see README, Scheduling)"
        )
    from flows.serve import serve_forever

    landing_abs, data_abs = str(Path(landing).resolve()), str(Path(data).resolve())
    serve_forever(cron, timezone, landing_abs, data_abs)


@main.command()
@click.argument("sql")
@click.option("--data", default="data", show_default=True, help="Dir holding warehouse.duckdb.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "csv", "json", "parquet"]),
    default="table",
    show_default=True,
    help="parquet needs --output.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="Write the result to this file instead of stdout.",
)
@click.option("--limit", default=1000, show_default=True, help="Rows to print in table format.")
def query(sql: str, data: str, fmt: str, output: str | None, limit: int) -> None:
    """Run SQL against the warehouse, read-only.

    Views and macros are listed by `akhbar views`; e.g.
    akhbar query "from search_articles('مدرسة')" --format csv -o hits.csv
    """
    import duckdb

    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet writes a file: add --output FILE.parquet")
    path = Path(data) / "warehouse.duckdb"
    if not path.exists():
        raise click.ClickException(
            f"no warehouse at {path}: run `akhbar run` first (or pass --data)"
        )
    with duckdb.connect(str(path), read_only=True) as con:
        try:
            rel = con.sql(sql)
            if rel is None:
                return
            cols = rel.columns
            if cols == ["Success"] and fmt != "parquet" and not rel.fetchall():
                return  # a statement with no result (SET, PRAGMA …): nothing to print
            if fmt == "parquet":
                table = rel.to_arrow_table()
            else:
                rows = rel.fetchall()
        except duckdb.Error as e:
            raise click.ClickException(f"{e}\n  in: {sql}") from None
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(table, output, compression="zstd")
        click.echo(f"wrote {table.num_rows} rows to {output}", err=True)
        return
    out = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        if fmt == "json":
            text = json.dumps(
                [dict(zip(cols, map(_json_safe, r), strict=True)) for r in rows],
                ensure_ascii=False,
                default=str,
                indent=1,
                allow_nan=False,
            )
            click.echo(text, file=out)
        elif fmt == "csv":
            import csv

            w = csv.writer(out, lineterminator="\n")
            w.writerow(cols)
            w.writerows([[_csv_cell(v) for v in r] for r in rows])
        else:
            isolate = output is None and sys.stdout.isatty()
            click.echo(_table(cols, rows[:limit], isolate=isolate), file=out)
            if len(rows) > limit:
                click.echo(
                    f"… {len(rows) - limit} more rows (raise --limit or use --format csv)",
                    file=out,
                )
    finally:
        if output:
            out.close()
    if output:
        shown = min(len(rows), limit) if fmt == "table" else len(rows)
        click.echo(f"wrote {shown} rows to {output}", err=True)


def _json_safe(v: object) -> object:
    """NaN and infinities are not JSON: write null."""
    return None if isinstance(v, float) and not math.isfinite(v) else v


def _csv_cell(v: object) -> object:
    """Lists and structs as JSON (readable back by DuckDB and most tools), not Python reprs."""
    return json.dumps(v, ensure_ascii=False, default=str) if isinstance(v, list | dict) else v


def _table(cols: list[str], rows: list[tuple], isolate: bool = False) -> str:
    import unicodedata

    def width(s: str) -> int:
        return sum(
            0
            if unicodedata.combining(c) or unicodedata.category(c) == "Cf"
            else 2
            if unicodedata.east_asian_width(c) in "WF"
            else 1
            for c in s
        )

    def cell(v: object) -> str:
        s = "" if v is None else str(v)
        s = s.replace("\n", " ")
        return s if len(s) <= 60 else s[:59] + "…"

    cells = [[cell(v) for v in r] for r in rows]
    widths = [max([width(c), *(width(r[i]) for r in cells)]) for i, c in enumerate(cols)]

    def line(vals: list[str]) -> str:
        # On a terminal each cell is isolated (FSI…PDI) so that a bidi-aware terminal cannot
        # reorder a right-to-left value with its neighbours; pipes get the plain text.
        fsi, pdi = ("\u2068", "\u2069") if isolate else ("", "")
        return " | ".join(
            fsi + v + pdi + " " * (w - width(v)) for v, w in zip(vals, widths, strict=True)
        )

    out = [line(list(cols)), "-+-".join("-" * w for w in widths)]
    out += [line(r) for r in cells]
    out.append(f"({len(rows)} rows)")
    return "\n".join(out)


@main.command()
@click.option("--data", default="data", show_default=True, help="Dir holding warehouse.duckdb.")
@click.option("--examples", "-e", is_flag=True, help="Show each object's example query too.")
def views(data: str, examples: bool) -> None:
    """List the views and macros analysts can query, with their purpose.

    Read from the header comments in sql/ (works without a warehouse). When DATA has a
    warehouse, each object is marked: + present in it, - not (yet) in it.
    """
    import duckdb

    from flows.sql_objects import installed_objects, sql_catalog

    objs = sql_catalog()
    path = Path(data) / "warehouse.duckdb"
    have: set[str] | None = None
    if path.exists():
        try:
            with duckdb.connect(str(path), read_only=True) as con:
                have = installed_objects(con)
        except duckdb.Error as e:
            click.echo(f"(could not read {path}: {e})", err=True)
    width = max(len(o.signature) for o in objs) + 2
    for kind, title in (("view", "views (sql/views)"), ("macro", "macros (sql/macros)")):
        click.echo(title)
        rows = [(o.name, o.signature, o.purpose, o.example) for o in objs if o.kind == kind]
        for name, sig, purpose, example in rows:
            mark = "" if have is None else ("+ " if name in have else "- ")
            click.echo(f"  {mark}{sig:<{width}}{purpose}")
            if examples and example:
                click.echo(f"  {' ' * len(mark)}{'':<{width}}e.g. {example}")
    if have is None:
        click.echo(f"\n(no warehouse at {path}: listed from sql/ only)")


@main.command()
@click.option("--data", default="data", show_default=True, help="Dir holding warehouse.duckdb.")
@click.option(
    "--days",
    default=30,
    show_default=True,
    type=click.IntRange(min=1),
    help="Days shown, ending on the newest ingest date in the warehouse.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, writable=True),
    default=None,
    help="HTML file to write [default: DATA/report.html].",
)
def report(data: str, days: int, output: str | None) -> None:
    """Write one self-contained HTML report (no network needed): top and trending hashtags, a
    daily chart of the top tags, mentions, articles per source per day, recent runs, rejects."""
    import duckdb

    from flows.report import write_report

    try:
        out = write_report(Path(data), Path(output) if output else None, days)
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None
    except duckdb.CatalogException as e:
        # A warehouse published by an older akhbar lacks newer views; any run re-creates them.
        raise click.ClickException(
            f"{e}\nThe warehouse in {data} predates this version of akhbar's views: "
            f"run `akhbar run --data {data}` (nothing new is re-read) to refresh them."
        ) from None
    click.echo(f"wrote {out}")


if __name__ == "__main__":
    main()
