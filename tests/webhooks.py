"""A webhook receiver on loopback for the digest tests: records what it is sent, answers as told."""

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from dashboard.demo.server import LoopbackServer

CHUNK = 64 * 1024


class WebhookReceiver(LoopbackServer):
    name = "webhook-receiver"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # {"headers": …, "body": bytes}
        self.statuses: list[int] = []  # answers for the next requests, then 200
        # How it answers: "" properly; "drip" a byte every `drip_seconds` (status line included); "redirect" a 302 to
        # `redirect_to`; "huge" a body of `huge_bytes` (counting in `bytes_sent` what went out).
        self.answer = ""
        self.drip_seconds = 0.2
        self.redirect_to = ""
        self.huge_bytes = 300 * 1024 * 1024
        self.bytes_sent = 0
        self.answered = threading.Event()  # set when an answer has ended, sent whole or not
        self._lock = threading.Lock()
        self._serve(self._handler())

    @property
    def url(self) -> str:
        return super().url + "/hook"

    def bodies(self) -> list[dict[str, Any]]:
        with self._lock:
            return [json.loads(item["body"]) for item in self.received]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                with receiver._lock:
                    receiver.received.append({"headers": dict(self.headers), "body": body})
                    status = receiver.statuses.pop(0) if receiver.statuses else 200
                try:
                    {"drip": self._drip, "redirect": self._redirect, "huge": self._huge}.get(
                        receiver.answer, self._plain
                    )(status)
                except OSError:  # the sender hung up
                    self.close_connection = True
                finally:
                    receiver.answered.set()

            def _plain(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _redirect(self, status: int) -> None:
                self.send_response(302)
                self.send_header("Location", receiver.redirect_to)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def _drip(self, status: int) -> None:
                """The whole answer, status line first, a byte every `drip_seconds`: longer than any deadline here."""
                text = f"HTTP/1.1 {status} OK\r\nContent-Length: 12\r\n\r\n" + '{"ok": true}'
                self.close_connection = True
                for byte in text.encode():
                    if receiver.stopping.wait(receiver.drip_seconds):
                        return
                    self.wfile.write(bytes([byte]))
                    self.wfile.flush()

            def _huge(self, status: int) -> None:
                self.send_response(status)
                self.send_header("Content-Length", str(receiver.huge_bytes))
                self.end_headers()
                self.close_connection = True
                chunk = b"x" * CHUNK
                while receiver.bytes_sent < receiver.huge_bytes and not receiver.stopping.is_set():
                    self.wfile.write(chunk)
                    receiver.bytes_sent += len(chunk)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler
