"""Real PostgreSQL and Redis servers on loopback for the back-end tests, installed and started here;
and the dashboard itself under gunicorn, for the deployment tests.

    python -m tests.servers -- pytest tests/test_backends.py …

installs Debian's `postgresql` and `redis-server` when their programs are missing, starts a
throwaway PostgreSQL cluster and a Redis server in a temporary directory, listening on
127.0.0.1 only, runs the command with `DATABASE_URL` and `REDIS_URL` pointing at them, then
stops both and removes their files, whatever the command's outcome; its exit status is the
command's. Nothing is mocked: the tests talk to the real servers.
"""

import glob
import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

PACKAGES = {"postgresql": "initdb", "redis-server": "redis-server"}
START_TIMEOUT = 30


def _postgres_bin(program: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{program}"))
    return found[-1] if found else shutil.which(program)


def ensure_installed() -> None:
    """apt-get installs whichever of the two servers is missing (through sudo when not root)."""
    missing = [
        package
        for package, program in PACKAGES.items()
        if (_postgres_bin(program) if package == "postgresql" else shutil.which(program)) is None
    ]
    if not missing:
        return
    print(f"Installing Debian's {' and '.join(missing)} for the back-end tests", flush=True)
    sudo = [] if os.geteuid() == 0 else ["sudo"]
    env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
    subprocess.run([*sudo, "apt-get", "update", "-qq"], check=True, env=env)
    subprocess.run([*sudo, "apt-get", "install", "-y", "-qq", *missing], check=True, env=env, stdout=subprocess.DEVNULL)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until(ready, what: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited at start-up with status {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {START_TIMEOUT} s")
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _unprivileged() -> tuple[list[str], int | None, int | None]:
    """PostgreSQL refuses to run as root: as root, run it as the `postgres` system user."""
    if os.geteuid() != 0:
        return [], None, None
    account = pwd.getpwnam("postgres")
    return ["runuser", "-u", "postgres", "--"], account.pw_uid, account.pw_gid


@dataclass
class Cluster:
    """A running PostgreSQL cluster: its URL, and `stop()` to take it down before its context ends."""

    url: str
    server: subprocess.Popen

    def stop(self) -> None:
        _stop(self.server)


@contextmanager
def postgres() -> Iterator[str]:
    """A PostgreSQL cluster of its own; yields its URL (database `switchboard`, trust on loopback)."""
    with postgres_cluster() as cluster:
        yield cluster.url


@contextmanager
def postgres_cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of its own, which the caller may stop; removed when the context ends."""
    prefix, uid, gid = _unprivileged()
    root = Path(tempfile.mkdtemp(prefix="switchboard-postgres-"))
    if uid is not None:
        os.chown(root, uid, gid)
    data, port = root / "data", free_port()
    subprocess.run(
        [
            *prefix,
            _postgres_bin("initdb"),
            "-D",
            str(data),
            "-U",
            "switchboard",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
    )
    durability_off = ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]  # a test box
    server = subprocess.Popen(
        [
            *prefix,
            _postgres_bin("postgres"),
            "-D",
            str(data),
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
            "-k",
            str(root),
            *durability_off,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        ready = [_postgres_bin("pg_isready"), "-q", "-h", "127.0.0.1", "-p", str(port)]
        _wait_until(lambda: subprocess.run(ready, check=False).returncode == 0, "PostgreSQL", server)
        createdb = [_postgres_bin("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "switchboard", "switchboard"]
        subprocess.run(createdb, check=True)
        yield Cluster(f"postgres://switchboard@127.0.0.1:{port}/switchboard", server)
    finally:
        _stop(server)
        shutil.rmtree(root, ignore_errors=True)


def _answers_ping(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


@contextmanager
def redis() -> Iterator[str]:
    """A Redis server of its own, nothing persisted; yields its URL."""
    root, port = Path(tempfile.mkdtemp(prefix="switchboard-redis-")), free_port()
    nothing_kept = ["--save", "", "--appendonly", "no", "--daemonize", "no"]
    server = subprocess.Popen(
        [shutil.which("redis-server"), "--bind", "127.0.0.1", "--port", str(port), "--dir", str(root), *nothing_kept],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until(lambda: _answers_ping(port), "Redis", server)
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        _stop(server)
        shutil.rmtree(root, ignore_errors=True)


def _answers_http(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=1) as response:  # noqa: S310 (loopback, our own server)
            return response.status == 200
    except OSError:
        return False


@contextmanager
def gunicorn(env: dict[str, str], log: Path) -> Iterator[str]:
    """The dashboard under gunicorn with gunicorn.conf.py on a free loopback port, its standard
    error written to `log`; yields its base URL once /healthz answers, stops it at the end."""
    root = Path(__file__).resolve().parent.parent
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "-c", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}"]
    with log.open("wb") as errors:
        server = subprocess.Popen(command, cwd=root, env=env, stdout=errors, stderr=errors)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_until(lambda: _answers_http(base + "/healthz"), "gunicorn", server)
        yield base
    finally:
        _stop(server)


def main(argv: list[str]) -> int:
    command = argv[argv.index("--") + 1 :] if "--" in argv else argv
    if not command:
        print(__doc__)
        return 2
    ensure_installed()
    started = time.monotonic()
    with postgres() as database_url, redis() as redis_url:
        print(f"PostgreSQL and Redis up on loopback in {time.monotonic() - started:.1f} s", flush=True)
        env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": redis_url}
        return subprocess.run(command, env=env, check=False).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
