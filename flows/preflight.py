"""Check a location before a run starts: bad S3 settings fail in seconds, before Prefect
starts and before any work, with one line naming the setting to fix.

`check_location(location, writable)` takes a local dir or `s3://bucket/prefix`. Readable (the
landing zone): one listing of at most one key. Writable (a lake): the listing, then a probe
object written under the prefix (create-if-absent, as Delta's commit writes) and deleted.
The S3 client used here does not retry and gives up after seconds (flows/object_store.py).
"""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import obstore
from obstore.exceptions import BaseError

from flows.object_store import CONNECT_TIMEOUT, bucket_store
from flows.storage import is_remote, split_s3, storage_options, uri

PROBE_DIR = "_akhbar"
_STATUS = re.compile(r"status code: (\d{3})")


class LocationError(Exception):
    """A location that a run cannot use; the message is one line, for the user."""


def check_location(location: str | Path, writable: bool, option: str | None = None) -> None:
    """Raise LocationError unless `location` can be listed (and, if `writable`, written).
    `option` names the command-line option in messages (default --lake / --landing)."""
    option = option or ("--lake" if writable else "--landing")
    if not is_remote(location):
        _check_local(Path(location), writable, option)
        return
    loc = uri(location)
    bucket, prefix = split_s3(loc)
    if not bucket:
        raise LocationError(f"{option} {loc}: no bucket name (give s3://bucket/prefix)")
    _check_settings()
    store = bucket_store(loc, quick=True)
    try:
        next(iter(obstore.list(store, prefix=f"{prefix}/" if prefix else None, chunk_size=1)), None)
    except BaseError as e:
        raise LocationError(_explain(e, loc, option, "list")) from None
    if writable:
        _probe_write(store, loc, prefix, option)


def _check_local(path: Path, writable: bool, option: str) -> None:
    if not writable:
        if not path.is_dir():
            raise LocationError(f"landing dir {path} does not exist: create it or pass {option}")
        return
    existing = next((p for p in [path, *path.parents] if p.exists()), Path("/"))
    if not existing.is_dir() or not os.access(existing, os.W_OK | os.X_OK):
        raise LocationError(f"{option} {path}: {existing} is not a writable directory")


def _check_settings() -> None:
    env = storage_options("s3://")
    key, secret = env.get("AWS_ACCESS_KEY_ID"), env.get("AWS_SECRET_ACCESS_KEY")
    if bool(key) != bool(secret):
        missing = "AWS_SECRET_ACCESS_KEY" if key else "AWS_ACCESS_KEY_ID"
        raise LocationError(f"{missing} is not set (the other half of the S3 credentials is)")
    endpoint = env.get("AWS_ENDPOINT_URL", "")
    allow_http = env.get("AWS_ALLOW_HTTP", "").lower() in ("1", "true", "yes")
    if endpoint.startswith("http://") and not allow_http:
        raise LocationError(
            f"AWS_ENDPOINT_URL {endpoint} is plain http: set AWS_ALLOW_HTTP=true to allow it"
        )


def _probe_write(store: obstore.store.S3Store, loc: str, prefix: str, option: str) -> None:
    key = "/".join(p for p in (prefix, PROBE_DIR, f"probe-{uuid.uuid4().hex}") if p)
    try:
        obstore.put(store, key, b"akhbar write probe", mode="create")
    except BaseError as e:
        raise LocationError(_explain(e, loc, option, "write")) from None
    try:
        obstore.delete(store, key)
    except BaseError as e:
        raise LocationError(_explain(e, loc, option, "delete")) from None


def _explain(e: BaseError, loc: str, option: str, action: str) -> str:
    """One line naming what to fix, from the S3 error code in obstore's message."""
    text = str(e)
    env = storage_options(loc)
    endpoint = env.get("AWS_ENDPOINT_URL", "the AWS default endpoint")
    bucket = split_s3(loc)[0]
    if "InvalidAccessKeyId" in text:
        return f"S3 does not know the access key: check AWS_ACCESS_KEY_ID (for {loc})"
    if "SignatureDoesNotMatch" in text:
        return f"S3 refused the request signature: check AWS_SECRET_ACCESS_KEY (for {loc})"
    if "NoSuchBucket" in text:
        return f"bucket {bucket} does not exist at {endpoint}: create it, or fix {option} {loc}"
    if "AccessDenied" in text or "403 Forbidden" in text:
        grant = {"list": "s3:ListBucket", "write": "s3:PutObject", "delete": "s3:DeleteObject"}
        return (
            f"{option} {loc}: no permission to {action} there with AWS_ACCESS_KEY_ID "
            f"{env.get('AWS_ACCESS_KEY_ID', '(unset)')}: grant {grant[action]} or choose "
            f"another {option}"
        )
    if "error sending request" in text or "timed out" in text or "onnect" in text:
        return (
            f"cannot reach the S3 endpoint {endpoint} (within {CONNECT_TIMEOUT.seconds} s): "
            "check AWS_ENDPOINT_URL"
        )
    status = _STATUS.search(text)
    if status and "<Code>" not in text:  # an S3 server always says what went wrong
        return (
            f"the endpoint {endpoint} answered HTTP {status.group(1)} without an S3 error "
            "code: is it an S3 server? check AWS_ENDPOINT_URL"
        )
    first = text.strip().splitlines()[0] if text.strip() else type(e).__name__
    return f"{option} {loc}: S3 {action} failed: {first[:300]}"
