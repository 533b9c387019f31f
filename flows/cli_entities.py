"""`akhbar entities …`: the people, places and organisations side of the command line."""

from __future__ import annotations

import datetime as dt

import click

from flows import cli_options as opt
from flows.cli_common import precheck, run_flow


@click.group("entities")
def entities_group() -> None:
    """People, places and organisations: re-derive mentions, check a gazetteer CSV."""


@entities_group.command()
@click.option("--start", type=opt.DATE, default=None, help="First date (default: the first).")
@click.option(
    "--end", type=opt.DATE, default=None, help="Last date, inclusive (default: the last)."
)
@opt.data_out
@opt.lake
@opt.entities
@opt.wait
def refresh(
    start: dt.datetime | None,
    end: dt.datetime | None,
    data: str,
    lake: str | None,
    entities: str | None,
    wait: bool,
) -> None:
    """Derive the entity mentions of START..END again from the lake, with the gazetteer in
    force now (after editing your entities CSV, or after an upgrade). No landing file is
    read; those dates' mentions are replaced at once, like any run."""
    if start and end and end < start:
        raise click.BadParameter(f"--end {end.date()} is before --start {start.date()}")
    precheck(None, data, wait, entities, lake)
    from flows.nightly import entities_refresh

    run_flow(
        entities_refresh,
        data=data,
        start=start.date() if start else None,
        end=end.date() if end else None,
        entities=entities,
        wait=wait,
        lake=lake,
    )


@entities_group.command()
@opt.data_out
@opt.entities
def check(data: str, entities: str | None) -> None:
    """Validate the gazetteer in force (the shipped one plus yours) and say what it holds."""
    from pathlib import Path

    from flows import gazetteer_step
    from transforms.gazetteer import GazetteerError

    path = gazetteer_step.entities_file(Path(entities) if entities else None, Path(data))
    try:
        gz = gazetteer_step.load(path, Path(data))
    except GazetteerError as e:
        raise click.ClickException(f"bad entities file: {e}") from None
    types: dict[str, int] = {}
    for e in gz.entities.values():
        types[e.type] = types.get(e.type, 0) + 1
    aliases = sum(len(v) for v in gz.aliases.values())
    click.echo(f"gazetteer {gz.version}: {len(gz.entities)} entities, {aliases} names")
    click.echo("  " + "  ".join(f"{t} {n}" for t, n in sorted(types.items())))
    click.echo(f"  your file: {path}" if path else "  your file: none (shipped gazetteer only)")
