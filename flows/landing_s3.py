"""Landing files in object storage (`--landing s3://bucket/prefix`), through obstore: one
listing finds them (with size, time and ETag: no object is read to decide whether it changed),
and a worker reads a file's bytes itself, from its `s3://` address.

The layout rules are the local landing dir's (flows/landing.py): objects directly under the
prefix get the run's logical date; objects under a `YYYY-MM-DD/` or `date=YYYY-MM-DD/` folder
(at any depth below it) get that folder's date; another top-level folder is skipped and
reported; names with a component starting with "." are ignored.
"""

from __future__ import annotations

import datetime as dt
import hashlib

import obstore
from obstore.exceptions import NotFoundError

from flows.landing import Discovery, LandingFile, folder_date
from flows.object_store import bucket_store
from flows.storage import split_s3, uri

NS = 1_000_000_000
NOT_A_DATE_FOLDER = "not a date folder (YYYY-MM-DD or date=YYYY-MM-DD)"


def mtime_ns(last_modified: dt.datetime, etag: str | None) -> int:
    """The manifest's change detection compares size and mtime_ns. S3 keeps whole seconds, so a
    file rewritten at the same size within a second would look unchanged: the sub-second digits
    carry a digest of the object's ETag instead, and new content changes mtime_ns."""
    seconds = int(last_modified.timestamp())
    digest = hashlib.blake2b((etag or "").encode(), digest_size=8).digest()
    return seconds * NS + int.from_bytes(digest, "big") % NS


def discover(location: str, logical_date: dt.date) -> Discovery:
    """Every landing object under `location` (`s3://bucket/prefix`), as LandingFiles whose
    `abs_path` is the object's `s3://` address."""
    location = uri(location)
    prefix = split_s3(location)[1]
    base = prefix + "/" if prefix else ""
    store = bucket_store(location)
    files: list[LandingFile] = []
    skipped: set[tuple[str, str]] = set()
    date_dirs: set[dt.date] = set()
    for batch in obstore.list(store, prefix=base or None):
        for meta in batch:
            rel = meta["path"][len(base) :]
            parts = rel.split("/")
            if not rel or any(p.startswith(".") for p in parts if p):
                continue
            if len(parts) == 1:
                day = logical_date
            else:
                day = folder_date(parts[0])
                if day is None:
                    skipped.add((parts[0] + "/", NOT_A_DATE_FOLDER))
                    continue
                date_dirs.add(day)
            if rel.endswith("/"):  # a folder marker object, as consoles create them
                continue
            when = mtime_ns(meta["last_modified"], meta.get("e_tag"))
            files.append(LandingFile(rel, f"{location}/{rel}", meta["size"], when, day))
    files.sort(key=lambda f: f.path)
    return Discovery(files, sorted(skipped), sorted(date_dirs))


def read(address: str) -> bytes:
    """The bytes of the object at `address` (`s3://bucket/key`). An object deleted since the
    listing is a FileNotFoundError (the file is rejected as unreadable); any other error (the
    endpoint, the credentials) fails the run, before its commit."""
    bucket, key = split_s3(address)
    try:
        return bytes(obstore.get(bucket_store(f"s3://{bucket}"), key).bytes())
    except NotFoundError as e:
        raise FileNotFoundError(2, f"{address} is gone: deleted since the listing") from e
