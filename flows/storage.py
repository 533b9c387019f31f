"""Where the landing files and the lake live: a local directory or `s3://bucket/prefix`.

S3 settings come from the standard variables only (`AWS_ENDPOINT_URL`, `AWS_ACCESS_KEY_ID`,
`AWS_SECRET_ACCESS_KEY`, `AWS_REGION`, `AWS_ALLOW_HTTP` for a local server), so the same
environment serves delta-rs (the lake), obstore (landing files, the writers' lease) and any
other S3 client an operator uses. This module only names locations; reading and writing live in
the steps that do them.
"""

from __future__ import annotations

import os
from pathlib import Path

S3_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_SESSION_TOKEN",
    "AWS_REGION",
    "AWS_ALLOW_HTTP",
)


def is_remote(location: str | Path) -> bool:
    return str(location).startswith("s3://")


def uri(location: str | Path) -> str:
    """The location as delta-rs and obstore name it: `s3://…` as given, a local path absolute."""
    s = str(location)
    return s.rstrip("/") if is_remote(s) else str(Path(s).resolve())


def join(location: str | Path, *parts: str) -> str:
    return "/".join([uri(location), *parts])


def storage_options(location: str | Path) -> dict[str, str]:
    """delta-rs `storage_options` for a location: the S3 variables that are set (none locally)."""
    if not is_remote(location):
        return {}
    opts = {k: os.environ[k] for k in S3_VARIABLES if os.environ.get(k)}
    if "AWS_REGION" not in opts:
        opts["AWS_REGION"] = os.environ.get("AWS_DEFAULT_REGION", "us-east-1")
    return opts


def split_s3(location: str) -> tuple[str, str]:
    """`s3://bucket/a/b` -> (`bucket`, `a/b`)."""
    rest = location.removeprefix("s3://")
    bucket, _, prefix = rest.partition("/")
    return bucket, prefix.strip("/")
