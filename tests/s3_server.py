"""A local S3 server for the tests and for manual use: moto's server mode on 127.0.0.1.

    python tests/s3_server.py start [--port N] [--pidfile F] [--auth]   # prints the env to export
    python tests/s3_server.py stop [--pidfile F]

moto enforces create-if-absent (`If-None-Match: *` on PUT), which Delta's commit relies on
(tests/test_s3_server.py checks it). By default moto accepts any credentials; `--auth` starts
it with IAM checks on (moto's INITIAL_NO_AUTH_ACTION_COUNT): the first few requests, made here,
create a user with an access key, allowed to read (and delete) everything and to write
only under `rw/` of any bucket. Then a wrong key or secret is refused, and so is a write elsewhere.

The tests start it from a session fixture (tests/conftest.py) with `die_with_parent`: the kernel
kills the server when the test process dies, even by SIGKILL, so no server outlives a session.
"""

from __future__ import annotations

import argparse
import ctypes
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"
DEFAULT_PIDFILE = ".s3-server.pid"
START_TIMEOUT = 30.0
# In --auth mode: the unauthenticated requests that provision the user (create user, create
# access key, put its policy); every request after them must be signed with a known key.
SETUP_REQUESTS = 3
RW_PREFIX = "rw/"
_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        # DeleteObject everywhere: obstore deletes through DeleteObjects (POST ?delete), which
        # moto checks against the bucket, not the keys. Writes are what `rw/` limits.
        {
            "Effect": "Allow",
            "Action": ["s3:Get*", "s3:List*", "s3:CreateBucket", "s3:DeleteObject"],
            "Resource": "*",
        },
        {"Effect": "Allow", "Action": ["s3:PutObject"], "Resource": f"arn:aws:s3:::*/{RW_PREFIX}*"},
    ],
}
_PR_SET_PDEATHSIG = 1
# Loaded here, not in the forked child: loading a library there could deadlock on a lock that
# another thread of the parent held at the fork.
_LIBC = ctypes.CDLL(None, use_errno=True)


@dataclass
class S3Server:
    """A running server: its process id, address, and the environment that points a client at
    it (the standard AWS_* variables, as flows/storage.py reads them)."""

    pid: int
    port: int
    env: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    def make_bucket(self, name: str) -> str:
        """Create bucket `name`; returns `s3://name`."""
        _client(self.env, "s3").create_bucket(Bucket=name)
        return f"s3://{name}"

    def put(self, address: str, data: bytes) -> None:
        """Write `data` to the object at `address` (`s3://bucket/key`)."""
        bucket, _, key = address.removeprefix("s3://").partition("/")
        _client(self.env, "s3").put_object(Bucket=bucket, Key=key, Body=data)

    def upload(self, src: Path, location: str) -> int:
        """Every file under the local dir `src`, to the same relative keys under `location`
        (`s3://bucket/prefix`); returns the number of files."""
        bucket, _, prefix = location.removeprefix("s3://").partition("/")
        client = _client(self.env, "s3")
        files = sorted(p for p in src.rglob("*") if p.is_file())
        for p in files:
            key = "/".join(x for x in (prefix.strip("/"), p.relative_to(src).as_posix()) if x)
            client.put_object(Bucket=bucket, Key=key, Body=p.read_bytes())
        return len(files)


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _moto_server() -> str:
    exe = Path(sys.executable).with_name("moto_server")
    if not exe.exists():
        raise SystemExit(f"{exe} not found: moto[server] is a dev dependency (make test)")
    return str(exe)


def _die_with_parent() -> None:
    """In the child before exec: the kernel sends SIGKILL when the parent thread dies."""
    _LIBC.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _wait_until_up(proc: subprocess.Popen, url: str) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"moto_server exited with code {proc.returncode} at start")
        try:
            # /moto-api/ is moto's own page: not an S3 action, so not counted in --auth mode.
            with urllib.request.urlopen(url + "/moto-api/", timeout=1):
                return
        except OSError:
            time.sleep(0.1)
    proc.kill()
    raise RuntimeError(f"moto_server did not answer on {url} within {START_TIMEOUT:.0f} s")


def start(port: int = 0, auth: bool = False, die_with_parent: bool = False) -> S3Server:
    """Start moto_server on 127.0.0.1 (a free port when 0) and wait until it answers."""
    port = port or free_port()
    env = dict(os.environ)
    if auth:
        env["INITIAL_NO_AUTH_ACTION_COUNT"] = str(SETUP_REQUESTS)
    proc = subprocess.Popen(
        [_moto_server(), "-H", HOST, "-p", str(port)],
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # its own process group: a Ctrl-C aimed at the caller misses it
        preexec_fn=_die_with_parent if die_with_parent else None,
    )
    server = S3Server(proc.pid, port)
    _wait_until_up(proc, server.url)
    key, secret = _provision(server.url) if auth else ("akhbar-test", "akhbar-test-secret")
    server.env = {
        "AWS_ENDPOINT_URL": server.url,
        "AWS_ACCESS_KEY_ID": key,
        "AWS_SECRET_ACCESS_KEY": secret,
        "AWS_REGION": "us-east-1",
        "AWS_ALLOW_HTTP": "true",
    }
    return server


def _client(env: dict[str, str], service: str):
    import boto3

    return boto3.client(
        service,
        endpoint_url=env["AWS_ENDPOINT_URL"],
        region_name=env.get("AWS_REGION", "us-east-1"),
        aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
        aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
    )


def _provision(url: str) -> tuple[str, str]:
    """The SETUP_REQUESTS unauthenticated requests: a user, its access key, its policy."""
    iam = _client(
        {"AWS_ENDPOINT_URL": url, "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}, "iam"
    )
    iam.create_user(UserName="akhbar")
    key = iam.create_access_key(UserName="akhbar")["AccessKey"]
    iam.put_user_policy(UserName="akhbar", PolicyName="rw", PolicyDocument=json.dumps(_POLICY))
    return key["AccessKeyId"], key["SecretAccessKey"]


def stop(pid: int, timeout: float = 10.0) -> None:
    """Stop the server by its process id (its process group: moto_server and any children)."""
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            done, _ = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # not our child (stopped from another process): poll it
            done = 0 if _alive(pid) else pid
        if done:
            return
        time.sleep(0.05)
    os.killpg(pid, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def _main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    st = sub.add_parser("start", help="start a server in the background and print its env")
    st.add_argument("--port", type=int, default=0, help="port (default: a free one)")
    st.add_argument("--pidfile", default=DEFAULT_PIDFILE, help="where to write its PID")
    st.add_argument("--auth", action="store_true", help="check credentials and permissions")
    sp = sub.add_parser("stop", help="stop the server whose PID is in --pidfile")
    sp.add_argument("--pidfile", default=DEFAULT_PIDFILE)
    args = p.parse_args(argv)
    pidfile = Path(args.pidfile)
    if args.cmd == "stop":
        if not pidfile.exists():
            print(f"no {pidfile}: no server started from here", file=sys.stderr)
            return 1
        pid = int(pidfile.read_text())
        stop(pid)
        pidfile.unlink()
        print(f"stopped the S3 server (pid {pid})")
        return 0
    server = start(args.port, auth=args.auth)
    pidfile.write_text(str(server.pid))
    print(f"# S3 server (moto) pid {server.pid} on {server.url}")
    print(f"# stop it: {sys.argv[0]} stop --pidfile {pidfile}")
    for k, v in server.env.items():
        print(f"export {k}={v}")
    return 0


if __name__ == "__main__":
    sys.exit(_main())
