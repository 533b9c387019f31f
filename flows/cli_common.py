"""What the commands that start a run share: the checks made before Prefect starts, running a
flow with a clear error for what the user can fix, and printing the run's summary."""

from __future__ import annotations

from pathlib import Path

import click

from flows.run_summary import next_steps, summary_lines


def finish(summary: dict, data: str) -> None:
    from flows.wall_clock import wall_seconds

    wall = wall_seconds()  # to this moment: the operator's wait, Prefect's start included
    if wall is not None:
        summary = {**summary, "wall_seconds": round(wall, 2)}
    for line in summary_lines(summary):
        click.echo(line)
    if summary["status"] == "completed":
        click.echo(next_steps(data))


def flow_on(with_runner, fn, runner: str, address: str | None):
    try:
        return with_runner(fn, runner, address)
    except (ValueError, RuntimeError) as e:
        raise click.ClickException(str(e)) from None


def precheck(
    landing: str | None, data: str, wait: bool, entities: str | None, lake: str | None = None
) -> None:
    """Fail in milliseconds (seconds for an S3 lake), before Prefect starts, on what would
    fail the run anyway."""
    from flows.lake_lease import LakeUnreachable, probe
    from flows.lock import RunLocked, check_free
    from flows.storage import is_remote

    if landing is not None:
        check(landing, writable=False, option="--landing")
    _check_gazetteer(entities, data)
    if lake is not None and is_remote(lake):
        check(lake, writable=True, option="--lake")  # the same preflight as --landing's
    elif lake is not None:
        try:
            probe(lake)
        except LakeUnreachable as e:
            raise click.ClickException(str(e)) from None
    if not wait:
        try:
            check_free(Path(data))
        except RunLocked as e:
            raise click.ClickException(str(e)) from None


def check(location: str, writable: bool, option: str) -> None:
    """A landing zone that cannot be listed, or a lake that cannot be written (flows/preflight.py:
    S3 settings are checked in seconds): one line naming what to fix, before any work."""
    from flows.preflight import LocationError, check_location

    try:
        check_location(location, writable, option)
    except LocationError as e:
        raise click.ClickException(str(e)) from None


def run_flow(fn, **kwargs) -> None:
    """Run the flow under the data dir's lock, taken before Prefect starts (flows/lock.py)."""
    from flows.lake_check import LakeDamaged
    from flows.lake_lease import LakeUnreachable
    from flows.lock import RunLocked, held_by_command
    from flows.run import PublishFailed
    from flows.run_invalid import InvalidRun
    from flows.wall_clock import command_running

    try:
        with held_by_command(Path(kwargs["data"]), kwargs.get("wait", False)), command_running():
            _start_prefect()
            summary = fn(**kwargs)
    except (RunLocked, LakeUnreachable, PublishFailed, LakeDamaged, InvalidRun) as e:
        raise click.ClickException(str(e)) from None
    except FileNotFoundError as e:
        raise click.ClickException(str(e)) from None
    finish(summary, kwargs["data"])


def _start_prefect() -> None:
    from prefect.settings import get_current_settings

    if get_current_settings().api.url:  # a server of its own (environment, profile, tests)
        return
    click.echo(
        "Starting Prefect's temporary API server (5-10 s; set PREFECT_API_URL to use "
        "a running server)…",
        err=True,
    )
    from flows.lifeline import start_prefect_server

    start_prefect_server()


def _check_gazetteer(entities: str | None, data: str) -> None:
    """A bad gazetteer CSV stops the run here, naming the file, line and problem."""
    from flows import gazetteer_step
    from transforms.gazetteer import GazetteerError

    try:
        gazetteer_step.load(Path(entities) if entities else None, Path(data))
    except GazetteerError as e:
        raise click.ClickException(f"bad entities file: {e}") from None
