"""SENTRY_DSN turns on error reporting; no token, key or share link leaves in an event."""

import gzip
import os
import subprocess
import sys
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from dashboard.ops.error_reporting import FILTERED, scrub
from tests.test_settings import ROOT, production_env

TOKEN = "ocx_live_sentry_test_SECRET_77c2"
REPORT = """
import logging, django, sentry_sdk
django.setup()
from django.conf import settings
api_token = settings.OPENCX_API_TOKEN
headers = {"Authorization": f"Bearer {api_token}"}
try:
    raise RuntimeError(f"the upstream refused {api_token} at /s/12:abcdefSIGNATURE/")
except RuntimeError:
    logging.getLogger("dashboard.test").exception("Reading failed for /s/12:abcdefSIGNATURE/")
sentry_sdk.flush(timeout=10)
"""


class Collector(BaseHTTPRequestHandler):
    """A stand-in for Sentry's ingestion endpoint on loopback: keeps every envelope it is sent."""

    received: list[bytes] = []

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding", "")
        if encoding == "gzip":
            body = gzip.decompress(body)
        elif encoding == "deflate":
            body = zlib.decompress(body)
        self.received.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def sentry():
    Collector.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    yield f"http://publickey@127.0.0.1:{server.server_address[1]}/1", Collector.received
    server.shutdown()
    server.server_close()
    thread.join()


def test_an_error_is_reported_without_the_token_or_share_link(tmp_path, sentry):
    dsn, received = sentry
    env = {
        **production_env(tmp_path),
        "OPENCX_API_TOKEN": TOKEN,
        "SENTRY_DSN": dsn,
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "LOG_LEVEL": "error",
    }

    result = subprocess.run(
        [sys.executable, "-c", REPORT], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60, check=False
    )
    sent = b"".join(received).decode(errors="replace")

    assert result.returncode == 0, result.stderr
    assert "RuntimeError" in sent and "Reading failed" in sent
    assert TOKEN not in sent and "abcdefSIGNATURE" not in sent
    assert FILTERED in sent and "/s/<hidden>/" in sent
    assert "SENTRY_DSN" not in os.environ  # the test process itself reports nothing


def test_scrub_replaces_secrets_wherever_they_are(settings):
    settings.OPENCX_API_TOKEN = TOKEN
    settings.SECRET_KEY = "k" * 50
    event = {
        "message": f"failed with {TOKEN}",
        "extra": {"nested": [{"value": "key " + "k" * 50}], "header": "Authorization: Bearer something-else"},
        "request": {"url": "https://switchboard.example.com/s/3:xyzSIGNATURE/"},
    }

    scrubbed = scrub(event)

    assert scrubbed == {
        "message": f"failed with {FILTERED}",
        "extra": {"nested": [{"value": f"key {FILTERED}"}], "header": f"Authorization: Bearer {FILTERED}"},
        "request": {"url": "https://switchboard.example.com/s/<hidden>/"},
    }
