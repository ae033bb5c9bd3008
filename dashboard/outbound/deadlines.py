"""Deadlines for whole requests, and bodies read with a size cap.

A timeout given to requests bounds each socket operation, not the request: an answer sent one
byte at a time, each just within it, keeps a read going for as long as the other side likes.
So a `Deadline` is kept another way: a timer that, when the deadline passes, shuts down the
socket of every connection the request used. Whatever the request is doing then (connecting,
the TLS handshake, waiting for the status line, reading the body, between retries) stops at
once with an error, and `Deadline.passed` says why. Reads bounded by the time left would need
the same bookkeeping in every place a library reads (status line, headers, chunk sizes, TLS
records) and still miss some; shutting the socket needs none. A deadline that passes while a
name is looked up or a connection made (no socket yet to shut) shuts the socket as soon as
there is one, and a connection is not begun once it has passed.

Connections join the deadline in force on their thread when they connect or send a request
(`DeadlineAdapter` puts such connections in requests' pools); after the `with` block no
connection is touched, so one kept alive in a pool and used later is not shut.
"""

import contextlib
import socket
import threading
import time
from contextvars import ContextVar
from types import TracebackType
from typing import Any, Self

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError

CHUNK = 64 * 1024

_current: ContextVar["Deadline | None"] = ContextVar("outbound_deadline", default=None)


class BodyTooLarge(Exception):
    """The answer's body is larger than the caller's limit; nothing more of it was read."""


class Deadline:
    """`with Deadline(seconds) as deadline:` every request made on this thread in the block ends by then."""

    def __init__(self, seconds: float) -> None:
        self.seconds = seconds
        self.ends = time.monotonic() + seconds
        self.passed = False  # set when the deadline passed and the connections were shut
        self._connections: list[HTTPConnection] = []
        self._lock = threading.Lock()
        self._over = False
        self._timer = threading.Timer(seconds, self._expire)
        self._timer.daemon = True

    def remaining(self) -> float:
        return max(0.0, self.ends - time.monotonic())

    def watch(self, connection: HTTPConnection) -> None:
        with self._lock:
            if connection not in self._connections:
                self._connections.append(connection)

    def __enter__(self) -> Self:
        self._token = _current.set(self)
        self._timer.start()
        return self

    def __exit__(self, *exc_info: type[BaseException] | BaseException | TracebackType | None) -> None:
        with self._lock:  # after this, _expire shuts nothing: the connections may serve others
            self._over = True
        self._timer.cancel()
        _current.reset(self._token)

    def _expire(self) -> None:
        with self._lock:
            if self._over:
                return
            self.passed = True
            for connection in self._connections:
                _shut(connection)

    def connected(self, connection: HTTPConnection) -> None:
        """After `connection` got its socket: shut it if the deadline passed meanwhile. While the
        name was being looked up or the connection made there was no socket for `_expire` to shut,
        and the timer does not fire twice."""
        with self._lock:
            if self.passed and not self._over:
                _shut(connection)


def _shut(connection: HTTPConnection) -> None:
    sock = connection.sock
    if sock is not None:
        with contextlib.suppress(OSError):  # closed meanwhile
            sock.shutdown(socket.SHUT_RDWR)


class _Watched:
    """A connection that joins the deadline in force on its thread whenever it is used."""

    def connect(self) -> None:
        deadline = _join(self)
        if deadline is not None:
            left = deadline.remaining()
            if left <= 0:
                raise ConnectTimeoutError(self, "the request's deadline passed before it could connect")
            if isinstance(self.timeout, int | float):  # type: ignore[attr-defined]
                self.timeout = min(self.timeout, left)  # type: ignore[attr-defined]
        super().connect()  # type: ignore[misc]
        if deadline is not None:
            deadline.connected(self)  # type: ignore[arg-type]

    def request(self, *args: Any, **kwargs: Any) -> None:
        _join(self)
        super().request(*args, **kwargs)  # type: ignore[misc]


def _join(connection: Any) -> "Deadline | None":
    deadline = _current.get()
    if deadline is not None:
        deadline.watch(connection)
    return deadline


class _WatchedHTTPConnection(_Watched, HTTPConnection):
    pass


class _WatchedHTTPSConnection(_Watched, HTTPSConnection):
    pass


class _HTTPPool(HTTPConnectionPool):
    ConnectionCls = _WatchedHTTPConnection


class _HTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _WatchedHTTPSConnection


POOLS = {"http": _HTTPPool, "https": _HTTPSPool}


class DeadlineAdapter(HTTPAdapter):
    """requests' adapter whose connections keep the `Deadline` they are used under (mount it for http and https)."""

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = POOLS

    def proxy_manager_for(self, *args: Any, **kwargs: Any) -> Any:
        manager = super().proxy_manager_for(*args, **kwargs)
        manager.pool_classes_by_scheme = POOLS
        return manager


def deadline_session(adapter: DeadlineAdapter | None = None) -> requests.Session:
    """A `requests.Session` whose http and https requests keep their `Deadline`."""
    session = requests.Session()
    # Only what was checked is contacted, with nothing added: no proxy, CA bundle or .netrc
    # credentials from the environment.
    session.trust_env = False
    adapter = adapter or DeadlineAdapter(max_retries=0)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    return session


def read_capped(response: requests.Response, limit: int) -> bytes:
    """The body of a response requested with `stream=True`, decoded; raises `BodyTooLarge` as soon as
    it is known to exceed `limit` bytes (from its Content-Length, or while reading)."""
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks, size = [], 0
    for chunk in response.iter_content(CHUNK):
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)
