"""`akhbar lake …`: upkeep of the lake's Delta tables."""

from __future__ import annotations

import uuid
from pathlib import Path

import click

from flows import cli_options as opt

DEFAULT_RETENTION_HOURS = 168  # a week of time travel (`akhbar query --as-of`)


@click.group("lake")
def lake_group() -> None:
    """The lake's Delta tables: check their files, remove files no version needs any more."""


@lake_group.command()
@opt.data_out
@opt.lake
def check(data: str, lake: str | None) -> None:
    """Check that every file of the lake's current version is there, at the size its Delta
    log recorded (a stat per file, none opened). Lists damaged files by table and date with
    the backfill that repairs them; exits 1 if there are any."""
    from flows.lake import Lake
    from flows.lake_check import LakeLogDamaged, describe
    from flows.lake_check import check as check_lake

    try:
        damage = check_lake(Lake(lake or Path(data) / "lake"))
    except LakeLogDamaged as e:
        raise click.ClickException(str(e)) from None
    if damage:
        click.echo(describe(damage), err=True)
        raise SystemExit(1)
    click.echo("the lake is whole: every file of its current version is there, at its size")


@lake_group.command()
@opt.data_out
@opt.lake
@click.option(
    "--retention-hours",
    type=click.IntRange(min=0),
    default=DEFAULT_RETENTION_HOURS,
    show_default=True,
    help="Keep the files of versions younger than this (time travel reaches that far).",
)
@click.option("--dry-run", is_flag=True, help="List what would be removed; remove nothing.")
@opt.wait
def vacuum(data: str, lake: str | None, retention_hours: int, dry_run: bool, wait: bool) -> None:
    """Remove files replaced by later runs, and files of runs killed before their commit,
    older than the retention. Holds the writers' lease: no run writes meanwhile."""
    from flows.lake import Lake
    from flows.lake_lease import lake_lease
    from flows.lock import RunLocked
    from transforms import schemas

    the_lake = Lake(lake or Path(data) / "lake")
    try:
        with lake_lease(the_lake.location, f"vacuum-{uuid.uuid4()}", Path(data), wait=wait):
            for table in schemas.TABLES:
                d = the_lake.delta(table)
                if d is None:
                    continue
                gone = d.vacuum(
                    retention_hours,
                    dry_run=dry_run,
                    enforce_retention_duration=False,
                    full=True,
                )
                verb = "would remove" if dry_run else "removed"
                click.echo(f"{table}: {verb} {len(gone)} file(s)")
    except RunLocked as e:
        raise click.ClickException(str(e)) from None
