"""A fake OpenCX API over loopback HTTP.

Demo mode serves its sample organization from here, so demo data goes through the very same
HTTP client as production; the tests use it as the stand-in for OpenCX. It checks the Bearer
token like the real API and can be told to misbehave in the ways the real one might.
"""

import contextlib
import json
import socket
import sys
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Self

UNAUTHORIZED_BODY = json.dumps({"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"})

# name -> what the upstream does instead of answering properly
FAULTS: dict[str, str] = {
    "401": "rejects the token (HTTP 401)",
    "403": "refuses the token access (HTTP 403)",
    "429": "rate limits (HTTP 429, Retry-After: 30)",
    "429-brief": "rate limits briefly (HTTP 429, Retry-After: 1)",
    "502": "has a bad gateway (HTTP 502)",
    "500": "fails (HTTP 500)",
    "503": "is unavailable (HTTP 503)",
    "slow": "answers after a long delay",
    "truncated": "sends truncated JSON",
    "not-a-list": "sends a JSON object instead of a list",
    "html": "sends an HTML page instead of JSON",
    "drop": "drops the connection",
    "drip": "sends its answer one byte at a time, never quite timing out",
    "redirect": "redirects to another address (HTTP 302)",
}


class _ConnectionsServer(ThreadingHTTPServer):
    """A threading HTTP server that knows its open connections and their threads, so that it can end
    them: a keep-alive connection otherwise holds its thread until the client closes it."""

    daemon_threads = True  # a process with a demo API running still exits

    def __init__(self, *args: Any) -> None:
        super().__init__(*args)
        self._open: dict[threading.Thread, Any] = {}
        self._open_lock = threading.Lock()
        self.stopping = threading.Event()  # set by stop(): a handler waiting on purpose gives up

    def process_request(self, request: Any, client_address: Any) -> None:
        thread = threading.Thread(
            target=self._handle, args=(request, client_address), name=f"{self.name}-connection", daemon=True
        )
        with self._open_lock:
            self._open[thread] = request
        thread.start()

    def _handle(self, request: Any, client_address: Any) -> None:
        try:
            self.process_request_thread(request, client_address)
        finally:
            with self._open_lock:
                self._open.pop(threading.current_thread(), None)

    def handle_error(self, request: Any, client_address: Any) -> None:
        """Quiet about a client that hung up mid-answer (one that stopped reading a body too large
        for it, say); other errors are printed as usual."""
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)

    def end_connections(self, timeout: float) -> None:
        """Ends every open connection and waits for its thread."""
        self.stopping.set()
        with self._open_lock:
            open_now = dict(self._open)
        for request in open_now.values():
            with contextlib.suppress(OSError):  # closed meanwhile
                request.shutdown(socket.SHUT_RDWR)
        for thread in open_now:
            thread.join(timeout)


class LoopbackServer:
    """An HTTP server on 127.0.0.1 (a free port) in a thread of its own: `start()`/`stop()`, or `with`.
    `stop()` also ends the open connections and waits for their threads."""

    name = "loopback-server"

    def _serve(self, handler: type[BaseHTTPRequestHandler]) -> None:
        self._server = _ConnectionsServer(("127.0.0.1", 0), handler)
        self._server.name = self.name
        # A short poll interval lets stop() return quickly.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=self.name, daemon=True
        )

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    @property
    def stopping(self) -> threading.Event:
        return self._server.stopping

    def start(self) -> Self:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._server.end_connections(timeout=10)
        self._thread.join(10)

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


class FakeOpenCX(LoopbackServer):
    """A running fake API: `url` to point a client at, `token` to authenticate with."""

    name = "fake-opencx"

    def __init__(
        self, agents: list[Any], *, token: str, voices: list[Any] | None = None, actions: list[Any] | None = None
    ) -> None:
        self.token = token
        self.fault: str | None = None  # the fault in force, by name (see FAULTS)
        self._queued_faults: list[str | None] = []
        self.slow_seconds = 30.0
        self.drip_seconds = 0.2  # between two bytes of a dripped answer: shorter than any read timeout
        self.redirect_to = "http://127.0.0.1:9/phone"  # where the `redirect` fault sends the client
        self.calls = 0  # requests for GET /phone; faults apply to those only
        self.in_flight = 0  # requests for GET /phone being answered right now ...
        self.most_in_flight = 0  # ... and the most there were at once
        self.voice_calls = 0  # requests for GET /phone/voices
        self.action_calls = 0  # requests for GET /actions
        self._lock = threading.Lock()
        self._bodies: dict[str, bytes] = {}
        self.set_agents(agents)
        if voices is not None:  # else the endpoint is missing, as on an API without it
            self.set_voices(voices)
        if actions is not None:  # likewise
            self.set_actions(actions)
        self._serve(self._handler_class())

    def set_agents(self, agents: list[Any] | bytes) -> None:
        """What `GET /phone` returns: JSON-able data, or raw bytes sent as they are."""
        self._bodies["/phone"] = agents if isinstance(agents, bytes) else json.dumps(agents).encode()

    def set_voices(self, voices: Any) -> None:
        self._bodies["/phone/voices"] = json.dumps(voices).encode()

    def set_actions(self, actions: Any) -> None:
        """What `GET /actions` returns (JSON-able data)."""
        self._bodies["/actions"] = json.dumps(actions).encode()

    def queue_faults(self, faults: list[str | None]) -> None:
        """Faults (None: a proper answer) for the next requests, in order, before `fault` applies again."""
        with self._lock:
            self._queued_faults.extend(faults)

    def _next_fault(self) -> str | None:
        with self._lock:
            self.calls += 1
            if self._queued_faults:
                return self._queued_faults.pop(0)
        return self.fault

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            # Headers and body go out in two writes; on a kept-alive connection Nagle's algorithm
            # held the second until the client's delayed ACK of the first, 40 ms a response.
            disable_nagle_algorithm = True

            def do_GET(self) -> None:
                path = self.path.split("?", 1)[0]
                body = fake._bodies.get(path)
                if path in ("/phone/voices", "/actions"):
                    with fake._lock:
                        if path == "/actions":
                            fake.action_calls += 1
                        else:
                            fake.voice_calls += 1
                if body is None:
                    return self._send(404, b'{"statusCode": 404, "message": "Not Found"}')
                if path != "/phone":
                    return self._answer(None, body)
                fault = fake._next_fault()  # faults are for the agent list
                with fake._lock:
                    fake.in_flight += 1
                    fake.most_in_flight = max(fake.most_in_flight, fake.in_flight)
                try:
                    self._answer(fault, body)
                finally:
                    with fake._lock:
                        fake.in_flight -= 1

            def _answer(self, fault: str | None, body: bytes) -> None:
                if self.headers.get("Authorization") != f"Bearer {fake.token}":
                    return self._send(401, UNAUTHORIZED_BODY.encode())
                action = FAULT_ACTIONS.get(fault or "")
                if action is not None:
                    return action(self, fake)
                return self._send(200, body)

            def _send(
                self,
                status: int,
                body: bytes,
                content_type: str = "application/json",
                headers: dict[str, str] | None = None,
            ) -> None:
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the dashboard logs what matters about upstream calls itself."""

        return Handler


def _status(code: int, headers: dict[str, str] | None = None) -> Callable[[Any, FakeOpenCX], None]:
    def act(handler: Any, fake: FakeOpenCX) -> None:
        body = UNAUTHORIZED_BODY.encode() if code == 401 else json.dumps({"statusCode": code}).encode()
        handler._send(code, body, headers=headers)

    return act


def _slow(handler: Any, fake: FakeOpenCX) -> None:
    if fake.stopping.wait(fake.slow_seconds):  # stopped meanwhile: no answer
        handler.close_connection = True
        return
    handler._send(200, fake._bodies["/phone"])


def _truncated(handler: Any, fake: FakeOpenCX) -> None:
    body = fake._bodies["/phone"]
    handler._send(200, body[: max(1, len(body) // 2)])


def _drop(handler: Any, fake: FakeOpenCX) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    handler.wfile.write(b'[{"id": "')
    handler.close_connection = True


def _drip(handler: Any, fake: FakeOpenCX) -> None:
    """The proper answer, a byte every `drip_seconds`, until it is all sent, the client goes or the server stops."""
    body = fake._bodies["/phone"]
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.close_connection = True
    for offset in range(len(body)):
        if fake.stopping.wait(fake.drip_seconds):
            return
        try:
            handler.wfile.write(body[offset : offset + 1])
            handler.wfile.flush()
        except OSError:  # the client gave up
            return


def _redirect(handler: Any, fake: FakeOpenCX) -> None:
    handler._send(302, b"", headers={"Location": fake.redirect_to})


FAULT_ACTIONS: dict[str, Callable[[Any, FakeOpenCX], None]] = {
    "401": _status(401),
    "403": _status(403),
    "429": _status(429, {"Retry-After": "30"}),
    "429-brief": _status(429, {"Retry-After": "1"}),
    "502": _status(502),
    "500": _status(500),
    "503": _status(503),
    "slow": _slow,
    "truncated": _truncated,
    "not-a-list": lambda handler, fake: handler._send(200, b'{"data": []}'),
    "html": lambda handler, fake: handler._send(
        200, b"<html><body><h1>Sign in to continue</h1></body></html>", "text/html"
    ),
    "drop": _drop,
    "drip": _drip,
    "redirect": _redirect,
}
