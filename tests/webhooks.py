"""A webhook receiver on loopback for the digest tests: records what it is sent, answers as told."""

import json
import threading
from http.server import BaseHTTPRequestHandler
from typing import Any

from dashboard.demo.server import LoopbackServer


class WebhookReceiver(LoopbackServer):
    name = "webhook-receiver"

    def __init__(self) -> None:
        self.received: list[dict[str, Any]] = []  # {"headers": …, "body": bytes}
        self.statuses: list[int] = []  # answers for the next requests, then 200
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
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet."""

        return Handler
