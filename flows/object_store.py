"""obstore clients for `s3://bucket/prefix` locations, configured from the standard AWS_*
variables (flows/storage.py), one per process and location.

A run's reads retry (obstore's defaults: transient errors happen on real networks); the
preflight (flows/preflight.py) must answer in seconds, so its client does not retry and gives
up on a connection after CONNECT_TIMEOUT.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from obstore.store import S3Store

from flows.storage import split_s3, storage_options

CONNECT_TIMEOUT = dt.timedelta(seconds=3)
REQUEST_TIMEOUT = dt.timedelta(seconds=10)

# storage_options' names -> S3Store's keyword arguments.
_KEYS = {
    "AWS_ENDPOINT_URL": "endpoint",
    "AWS_ACCESS_KEY_ID": "access_key_id",
    "AWS_SECRET_ACCESS_KEY": "secret_access_key",
    "AWS_SESSION_TOKEN": "token",
    "AWS_REGION": "region",
}


def bucket_store(location: str, quick: bool = False) -> S3Store:
    """A client for the bucket of `location` (keys are full keys, prefix included).
    `quick`: no retries, short timeouts (the preflight)."""
    # The environment is part of the cache key: a process whose AWS_* variables change (a
    # test, a long-lived server) gets a client that uses the new ones.
    opts = tuple(sorted(storage_options(location).items()))
    return _store(split_s3(location)[0], opts, quick)


@lru_cache(maxsize=16)
def _store(bucket: str, opts: tuple[tuple[str, str], ...], quick: bool) -> S3Store:
    env = dict(opts)
    allow_http = env.get("AWS_ALLOW_HTTP", "").lower() in ("1", "true", "yes")
    client: dict = {"allow_http": allow_http}
    retry = None
    if quick:
        client |= {"connect_timeout": CONNECT_TIMEOUT, "timeout": REQUEST_TIMEOUT}
        retry = {"max_retries": 0, "retry_timeout": REQUEST_TIMEOUT}
    config = {_KEYS[k]: v for k, v in env.items() if k in _KEYS}
    return S3Store(bucket, client_options=client, retry_config=retry, **config)


def prefix_store(location: str) -> S3Store:
    """A client rooted at `location`'s prefix (keys relative to it), for the lake's own objects
    (the writers' lease, the probe): a few retries within seconds, never a run-long hang."""
    bucket, prefix = split_s3(location)
    env = storage_options(location)
    allow_http = env.get("AWS_ALLOW_HTTP", "").lower() in ("1", "true", "yes")
    config = {_KEYS[k]: v for k, v in env.items() if k in _KEYS}
    return S3Store(
        bucket,
        prefix=prefix or None,
        client_options={"allow_http": allow_http, "connect_timeout": "5s", "timeout": "30s"},
        retry_config={"max_retries": 2, "retry_timeout": dt.timedelta(seconds=10)},
        **config,
    )
