"""`akhbar` command line: run, backfill, entities, serve, query, views, report, status.

Each command parses its options and hands over: the runs to the Prefect flows (flows/nightly.py),
query's output to flows/formatting.py, the run summary to flows/run_summary.py, the report to
flows/report.py, `status` and `run --dry-run` to flows/cli_ops.py. The shared options and
their defaults are in flows/cli_options.py.

The command group calls `flows.env.setup()` before any command runs, and this module imports
neither Prefect nor pyarrow (they read that environment when first imported): Prefect is
imported only by the commands that run flows, so `akhbar query` answers in well under a second.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from flows import cli_options as opt
from flows import env, wall_clock
from flows.cli_common import flow_on, precheck, run_flow
from flows.cli_entities import entities_group
from flows.cli_lake import lake_group
from flows.cli_ops import dry_run as dry_run_plan
from flows.cli_ops import status
from flows.formatting import FORMATS, write_rows

if TYPE_CHECKING:
    import duckdb
    import pyarrow as pa


def _warehouse(data: str) -> Path:
    path = Path(data) / "warehouse.duckdb"
    if not path.exists():
        raise click.ClickException(
            f"no warehouse at {path}: run `akhbar run` first (or pass --data)"
        )
    return path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="akhbar")
def main() -> None:
    """akhbar: batch ETL for Arabic news, from landing files to a Parquet lake and DuckDB."""
    wall_clock.mark_command_start()  # "completed in" counts from here (Prefect's start too)
    env.setup()  # before any command imports Prefect or pyarrow (flows/env.py)


@main.command()
@opt.landing
@opt.data_out
@opt.lake
@click.option(
    "--date",
    "date",
    type=opt.DATE,
    default=None,
    help="Logical date for files directly in the landing dir (default: today).",
)
@opt.max_file_mb
@opt.wait
@click.option(
    "--dry-run",
    is_flag=True,
    help="Print what the run would read (new and changed files per date), skip and find "
    "deleted; write nothing, start no Prefect.",
)
@opt.workers
@opt.runner
@opt.address
@opt.entities
def run(
    landing: str,
    data: str,
    lake: str | None,
    date: dt.datetime | None,
    max_file_mb: int,
    wait: bool,
    dry_run: bool,
    workers: int,
    runner: str,
    address: str | None,
    entities: str | None,
) -> None:
    """Nightly run: process every landing file that is new or changed since the last run."""
    if dry_run:
        dry_run_plan(landing, data, lake, date.date() if date else None, max_file_mb)
        return
    precheck(landing, data, wait, entities, lake)
    from flows.nightly import nightly
    from flows.runners import with_runner

    run_flow(
        flow_on(with_runner, nightly, runner, address),
        landing=landing,
        data=data,
        lake=lake,
        date=date.date() if date else None,
        max_file_mb=max_file_mb,
        wait=wait,
        workers=workers,
        entities=entities,
    )


@main.command()
@click.option("--start", type=opt.DATE, required=True, help="First date to reprocess (YYYY-MM-DD).")
@click.option("--end", type=opt.DATE, required=True, help="Last date to reprocess, inclusive.")
@opt.landing
@opt.data_out
@opt.lake
@opt.max_file_mb
@opt.wait
@click.option("--dry-run", is_flag=True, help="List what would be replaced; change nothing.")
@opt.workers
@opt.runner
@opt.address
@opt.entities
def backfill(
    start: dt.datetime,
    end: dt.datetime,
    landing: str,
    data: str,
    lake: str | None,
    max_file_mb: int,
    wait: bool,
    dry_run: bool,
    workers: int,
    runner: str,
    address: str | None,
    entities: str | None,
) -> None:
    """Reprocess the landing folders of START..END and replace exactly those dates."""
    if end < start:
        raise click.BadParameter(f"--end {end.date()} is before --start {start.date()}")
    if dry_run:
        from flows.lake import Lake
        from flows.lake_check import check as check_lake
        from flows.landing import location
        from flows.plan import plan_backfill
        from flows.settings import Settings

        settings = Settings(location(landing), Path(data), lake=lake)
        the_lake = Lake(settings.lake_location)
        the_lake.damage = check_lake(the_lake)  # the dates' damaged files are not counted
        plan = plan_backfill(settings, the_lake, start.date(), end.date())
        for day in plan.dates:
            files = [f.path for f in plan.to_read if f.ingest_date == day]
            rows = the_lake.read("articles", day, columns=["article_id"]).num_rows
            click.echo(f"{day}: would replace {rows} article rows from {len(files)} landing files")
        for day in plan.missing_dates:
            click.echo(f"{day}: no landing folder: would be left unchanged")
        return
    precheck(landing, data, wait, entities, lake)
    from flows.nightly import backfill as backfill_flow
    from flows.runners import with_runner

    run_flow(
        flow_on(with_runner, backfill_flow, runner, address),
        lake=lake,
        start=start.date(),
        end=end.date(),
        landing=landing,
        data=data,
        max_file_mb=max_file_mb,
        wait=wait,
        workers=workers,
        entities=entities,
    )


@main.command()
@opt.cron
@opt.timezone
@opt.landing
@opt.data_out
def serve(cron: str, timezone: str, landing: str, data: str) -> None:
    """Register the nightly and backfill deployments with a Prefect server and serve them.

    Needs PREFECT_API_URL pointing at a running `prefect server start`. Runs until stopped
    (SIGTERM/Ctrl-C); Prefect then pauses the nightly schedule until serve starts again.
    """
    if not os.environ.get("PREFECT_API_URL"):
        raise click.ClickException(
            "PREFECT_API_URL is not set: start `prefect server start` and export "
            "PREFECT_API_URL=http://127.0.0.1:4200/api (see README, Scheduling)"
        )
    from flows.serve import serve_forever
    from flows.storage import uri

    landing_abs, data_abs = uri(landing), str(Path(data).resolve())
    serve_forever(cron, timezone, landing_abs, data_abs)


@main.command()
@click.argument("sql")
@opt.data_in
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*FORMATS, "parquet"]),
    default="table",
    show_default=True,
    help="table: aligned, its cells bidi-isolated on a terminal only; plain: the same table, "
    "never any invisible character; csv, tsv, json hold exactly the values. parquet needs "
    "--output.",
)
@opt.output("Write the result to this file instead of stdout.")
@click.option("--limit", default=1000, show_default=True, help="Rows to print in table format.")
@click.option(
    "--as-of",
    "as_of",
    default=None,
    metavar="RUN_ID|TIMESTAMP",
    help="Query the lake as that run (or the last run at that UTC time) left it, "
    "instead of the warehouse.",
)
@opt.lake
def query(
    sql: str,
    data: str,
    fmt: str,
    output: str | None,
    limit: int,
    as_of: str | None,
    lake: str | None,
) -> None:
    """Run SQL against the warehouse, read-only.

    Views and macros are listed by `akhbar views`; e.g.
    akhbar query "from search_articles('الرياض')" --format csv -o hits.csv
    """
    if fmt == "parquet" and not output:
        raise click.UsageError("--format parquet writes a file: add --output FILE.parquet")
    source = _past(lake or Path(data) / "lake", as_of) if as_of else _warehouse(data)
    result = _fetch(source, sql, arrow=fmt == "parquet")
    if result is None:
        return
    if fmt == "parquet":
        import pyarrow.parquet as pq

        pq.write_table(result, output, compression="zstd")
        click.echo(f"wrote {result.num_rows} rows to {output}", err=True)
        return
    cols, rows = result
    if not output:
        write_rows(sys.stdout, fmt, cols, rows, limit, isolate=sys.stdout.isatty())
        return
    with open(output, "w", encoding="utf-8", newline="") as out:
        shown = write_rows(out, fmt, cols, rows, limit, isolate=False)
    click.echo(f"wrote {shown} rows to {output}", err=True)


def _past(lake: str | Path, as_of: str) -> duckdb.DuckDBPyConnection:
    from flows.query_as_of import connect_as_of

    try:
        return connect_as_of(lake, as_of)
    except ValueError as e:
        raise click.ClickException(str(e)) from None


def _fetch(
    source: Path | duckdb.DuckDBPyConnection, sql: str, arrow: bool
) -> tuple[list[str], list[tuple]] | pa.Table | None:
    """`sql`'s result on the warehouse at `source` (or an open connection), read-only:
    (columns, rows), or an Arrow table when `arrow`; None for a statement with no result."""
    import duckdb

    from flows.warehouse_open import WarehouseBusy, connect_read_only

    con = source if isinstance(source, duckdb.DuckDBPyConnection) else None
    try:
        con = con or connect_read_only(source)
    except WarehouseBusy as e:
        raise click.ClickException(str(e)) from None
    with con:
        try:
            rel = con.sql(sql)
            if rel is None:
                return None
            cols = rel.columns
            if cols == ["Success"] and not arrow and not rel.fetchall():
                return None
            return rel.to_arrow_table() if arrow else (cols, rel.fetchall())
        except duckdb.Error as e:
            raise click.ClickException(f"{e}\n  in: {sql}") from None


@main.command()
@opt.data_in
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
@opt.data_in
@opt.days
@opt.output("HTML file to write [default: DATA/report.html].")
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


main.add_command(entities_group)
main.add_command(lake_group)
main.add_command(status)
