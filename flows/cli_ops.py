"""The operators' read-only commands: `akhbar status`, and `akhbar run --dry-run` (the `run`
command in flows/cli.py hands over here). Neither starts Prefect, takes a lock or writes a
file; the logic is in flows/status.py and flows/dry_run.py."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from flows import cli_options as opt


def dry_run(landing: str, data: str, lake: str | None, date: dt.date | None, max_mb: int) -> None:
    """Print the plan a nightly run would make now (flows/dry_run.py)."""
    from flows.dry_run import dry_run_lines, preview
    from flows.landing import location
    from flows.settings import MB, Settings

    _check_readable(landing, lake)
    settings = Settings(location(landing), Path(data), max_mb * MB, lake=lake)
    try:
        p = preview(settings, date or dt.date.today())
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None
    for line in dry_run_lines(p):
        click.echo(line)


def _check_readable(landing: str, lake: str | None) -> None:
    """The S3 locations listed, never written (a run's preflight writes a probe to its lake)."""
    from flows.preflight import LocationError, check_location
    from flows.storage import is_remote

    for loc, option in ((landing, "--landing"), (lake, "--lake")):
        if loc is not None and is_remote(loc):
            try:
                check_location(loc, writable=False, option=option)
            except LocationError as e:
                raise click.ClickException(str(e)) from None


@click.command()
@opt.data_in
@opt.lake
@click.option(
    "--landing",
    default=None,
    help="Landing dir or s3://bucket/prefix whose pending files to list "
    "[default: the one the last run read, else seeds/landing].",
)
@opt.max_file_mb
@click.option(
    "--runs",
    "recent",
    default=5,
    show_default=True,
    type=click.IntRange(min=1),
    help="Recent runs to list.",
)
@click.option("--json", "as_json", is_flag=True, help="One JSON object, for scripts.")
def status(
    data: str, lake: str | None, landing: str | None, max_file_mb: int, recent: int, as_json: bool
) -> None:
    """Where a data dir stands, read-only: the last runs and their outcome, a run in progress,
    the landing files a run would read now (new, changed) and those deleted, the warehouse's
    rows per table, age and size, and whether it is behind the lake.

    Takes no lock and never waits: safe while a run is going. Exits 0 whenever it could
    report, also for an empty or missing data dir (it says so).
    """
    from flows.status import StatusOptions, gather
    from flows.status_lines import status_lines

    s = gather(StatusOptions(Path(data), lake, landing, max_file_mb, recent))
    if as_json:
        click.echo(json.dumps(s.to_dict(), ensure_ascii=False, indent=2))
        return
    for line in status_lines(s):
        click.echo(line)
