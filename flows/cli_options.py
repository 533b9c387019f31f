"""The options that several `akhbar` commands share, each defined once, with its default from
flows/settings.py (the defaults the flows and the library calls use too).

Importing this module must stay cheap and free of Prefect and pyarrow: the CLI imports it
before `flows.env.setup()` has run.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from flows.runners import RUNNERS
from flows.settings import (
    DEFAULT_CRON,
    DEFAULT_DATA,
    DEFAULT_LANDING,
    DEFAULT_MAX_FILE_MB,
    DEFAULT_REPORT_DAYS,
    DEFAULT_TIMEZONE,
    DEFAULT_WORKERS,
)

F = TypeVar("F", bound=Callable[..., Any])

DATE = click.DateTime(formats=["%Y-%m-%d"])

landing = click.option(
    "--landing",
    default=DEFAULT_LANDING,
    show_default=True,
    help="Landing dir, or s3://bucket/prefix (S3 settings: the AWS_* variables), to read.",
)
# The commands that write a data dir, and those that only read its warehouse.
data_out = click.option(
    "--data",
    default=DEFAULT_DATA,
    show_default=True,
    help="Output dir: warehouse.duckdb (and lake/ unless --lake).",
)
lake = click.option(
    "--lake",
    default=None,
    metavar="DIR|S3URL",
    help="Where the lake's Delta tables live: a dir or s3://bucket/prefix (default: "
    "<data>/lake). S3 settings come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, "
    "AWS_SECRET_ACCESS_KEY, AWS_REGION, AWS_ALLOW_HTTP.",
)
data_in = click.option(
    "--data", default=DEFAULT_DATA, show_default=True, help="Dir holding warehouse.duckdb."
)
max_file_mb = click.option(
    "--max-file-mb",
    default=DEFAULT_MAX_FILE_MB,
    show_default=True,
    help="Reject files larger than this.",
)
wait = click.option(
    "--wait", is_flag=True, help="Wait for a run holding the data dir or lake instead of failing."
)
workers = click.option(
    "--workers",
    type=click.IntRange(min=0),
    default=DEFAULT_WORKERS,
    show_default=True,
    help="Processes that read and transform (0: one per core; 1: this process only).",
)
runner = click.option(
    "--runner",
    type=click.Choice(RUNNERS),
    default="default",
    show_default=True,
    help="Where read+transform batches run: this process, or a Dask cluster.",
)
address = click.option(
    "--address",
    default=None,
    help="Dask scheduler (tcp://HOST:PORT) for --runner dask; default: a local cluster.",
)
entities = click.option(
    "--entities",
    type=click.Path(dir_okay=False),
    default=None,
    help="Your own gazetteer CSV, merged over the shipped one "
    "(default: <data>/entities.csv when it exists).",
)
cron = click.option(
    "--cron", default=DEFAULT_CRON, show_default=True, help="Nightly schedule (cron)."
)
timezone = click.option(
    "--timezone", default=DEFAULT_TIMEZONE, show_default=True, help="IANA zone for the cron."
)
days = click.option(
    "--days",
    default=DEFAULT_REPORT_DAYS,
    show_default=True,
    type=click.IntRange(min=1),
    help="Days shown, ending on the newest ingest date in the warehouse.",
)


def output(text: str) -> Callable[[F], F]:
    """`--output/-o FILE`, with the command's own help `text`."""
    return click.option(
        "--output",
        "-o",
        type=click.Path(dir_okay=False, writable=True),
        default=None,
        help=text,
    )
