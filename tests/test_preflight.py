"""Bad S3 settings fail before any work, in one line naming the setting to fix
(flows/preflight.py), against real servers: the session's moto server, and one with moto's
credential and permission checks on (`--auth`: its user may write only under `rw/`)."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import obstore
import pytest
from click.testing import CliRunner

from flows.cli import main
from flows.object_store import bucket_store
from flows.preflight import LocationError, check_location
from tests import s3_server as s3
from tests.conftest import set_s3_env


@pytest.fixture(scope="module")
def auth_server() -> Iterator[s3.S3Server]:
    server = s3.start(auth=True, die_with_parent=True)
    try:
        yield server
    finally:
        s3.stop(server.pid)


@pytest.fixture
def auth_bucket(auth_server: s3.S3Server, monkeypatch: pytest.MonkeyPatch) -> str:
    set_s3_env(monkeypatch, auth_server.env)
    return auth_server.make_bucket(f"a-{uuid.uuid4().hex[:16]}")


def _fails(location: str, writable: bool) -> str:
    with pytest.raises(LocationError) as e:
        check_location(location, writable)
    msg = str(e.value)
    assert "\n" not in msg
    return msg


def test_good_locations_pass_and_the_probe_is_deleted(s3_bucket: str) -> None:
    check_location(f"{s3_bucket}/landing", writable=False)
    check_location(f"{s3_bucket}/lake", writable=True)
    left = [m["path"] for batch in obstore.list(bucket_store(s3_bucket)) for m in batch]
    assert left == []


def test_unreachable_endpoint_names_aws_endpoint_url(
    s3_env: s3.S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A port nothing listens on (a dead host would be the same after the 3 s connect timeout).
    monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{s3.free_port()}")
    assert "check AWS_ENDPOINT_URL" in _fails("s3://bucket/landing", writable=False)
    assert "check AWS_ENDPOINT_URL" in _fails("s3://bucket/lake", writable=True)


class _NotS3(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(404)
        self.end_headers()

    def log_message(self, *_args: object) -> None:
        pass


def test_endpoint_that_is_not_s3_names_aws_endpoint_url(
    s3_env: s3.S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A web server, a proxy or a gateway answering 404 to everything: not a missing bucket."""
    web = ThreadingHTTPServer(("127.0.0.1", 0), _NotS3)
    threading.Thread(target=web.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("AWS_ENDPOINT_URL", f"http://127.0.0.1:{web.server_address[1]}")
        msg = _fails("s3://bucket/landing", writable=False)
    finally:
        web.shutdown()
        web.server_close()
    assert "answered HTTP 404 without an S3 error code" in msg and "AWS_ENDPOINT_URL" in msg


def test_plain_http_endpoint_needs_aws_allow_http(
    s3_env: s3.S3Server, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AWS_ALLOW_HTTP")
    assert "set AWS_ALLOW_HTTP=true" in _fails("s3://bucket/landing", writable=False)


def test_half_the_credentials(s3_env: s3.S3Server, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert "AWS_SECRET_ACCESS_KEY is not set" in _fails("s3://bucket/x", writable=False)


def test_missing_bucket_names_the_bucket(s3_env: s3.S3Server) -> None:
    msg = _fails("s3://no-such-bucket-here/lake", writable=True)
    assert "bucket no-such-bucket-here does not exist" in msg and "--lake" in msg


def test_wrong_secret_names_aws_secret_access_key(
    auth_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    assert "check AWS_SECRET_ACCESS_KEY" in _fails(f"{auth_bucket}/landing", writable=False)


def test_unknown_key_names_aws_access_key_id(
    auth_bucket: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIANOBODYKNOWSTHIS")
    assert "check AWS_ACCESS_KEY_ID" in _fails(f"{auth_bucket}/lake", writable=True)


def test_read_only_prefix_fails_for_a_lake_not_for_landing(auth_bucket: str) -> None:
    check_location(f"{auth_bucket}/ro/landing", writable=False)
    msg = _fails(f"{auth_bucket}/ro/lake", writable=True)
    assert "no permission to write" in msg and "s3:PutObject" in msg and "--lake" in msg
    # Where the user may write, the check passes and leaves nothing behind.
    check_location(f"{auth_bucket}/{s3.RW_PREFIX}lake", writable=True)
    left = [m["path"] for batch in obstore.list(bucket_store(auth_bucket)) for m in batch]
    assert left == []


def test_local_lake_that_cannot_be_written(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("a file, not a dir")
    assert "is not a writable directory" in _fails(str(blocker / "lake"), writable=True)
    check_location(str(tmp_path / "new" / "lake"), writable=True)


@pytest.mark.parametrize(
    ("setting", "value", "expected"),
    [
        ("AWS_ENDPOINT_URL", "http://127.0.0.1:1", "check AWS_ENDPOINT_URL"),
        ("AWS_SECRET_ACCESS_KEY", "wrong", "check AWS_SECRET_ACCESS_KEY"),
        ("AWS_ACCESS_KEY_ID", "AKIAWRONGWRONGWRONG", "check AWS_ACCESS_KEY_ID"),
        (None, None, "does not exist"),
    ],
)
def test_cli_run_stops_before_any_work(
    auth_bucket: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    setting: str | None,
    value: str | None,
    expected: str,
) -> None:
    landing = f"{auth_bucket}/landing" if setting else "s3://no-such-bucket-at-all/landing"
    if setting:
        monkeypatch.setenv(setting, value)
    data = tmp_path / "data"
    res = CliRunner().invoke(main, ["run", "--landing", landing, "--data", str(data)])
    assert res.exit_code == 1
    assert res.output.startswith("Error: ") and res.output.count("\n") == 1
    assert expected in res.output and "Traceback" not in res.output
    assert "Prefect" not in res.output  # stopped before Prefect's server started
    assert not data.exists()  # nothing written, nothing committed
