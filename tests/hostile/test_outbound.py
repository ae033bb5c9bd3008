"""Outbound requests (issue 23, items 1 and 2): what OpenCX or a webhook receiver sends back cannot
make the server contact another host, read for ever, or read without end."""

import json
import os
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from django.utils import timezone

from dashboard.demo.server import FakeOpenCX, LoopbackServer
from dashboard.digests import delivery
from dashboard.digests.models import Delivery, Subscription
from dashboard.opencx.client import OpenCXClient
from dashboard.opencx.errors import OpenCXError
from dashboard.orgs.models import Organization
from dashboard.orgs.registry import forget_admin_orgs
from dashboard.snapshots import service
from tests.conftest import TEST_TOKEN, agent_record, expire_and_refresh, user_in
from tests.webhooks import WebhookReceiver

ROOT = Path(__file__).resolve().parents[2]
# Generous: the promise is "within the deadline"; a busy machine may add a little.
SLACK = 1.0


def hostile_urls(port: int) -> dict[str, tuple[str, str]]:
    """name -> (URL, what the refusal says): each would reach 127.0.0.1:port while looking like Slack."""
    return {
        "backslash": (f"https://127.0.0.1:{port}\\@hooks.slack.com/x", "backslash"),
        "userinfo": (f"https://hooks.slack.com:x@127.0.0.1:{port}/x", "user name"),
        "control character": (f"https://127.0.0.1:{port}/a\tb", "space or control character"),
        "plain http": ("http://hooks.slack.com/x", "https"),
    }


def pending_webhook(user, url: str) -> Delivery:
    user.email = "ops@example.com"
    user.save()
    subscription = Subscription.objects.create(
        user=user, name="Hook", webhook_url=url, email=False, covered_until=timezone.now()
    )
    return Delivery.objects.create(
        subscription=subscription, channel=Delivery.WEBHOOK, subject="s", text="t", payload={"text": "t"}
    )


# --- item 1: the address that is checked is the one contacted ------------------------------------


@pytest.mark.parametrize("case", ["backslash", "userinfo", "control character", "plain http"])
def test_it_refuses_a_webhook_url_that_would_reach_another_host_than_the_allowed_one(
    viewer_client, receiver, settings, case
):
    settings.DIGEST_WEBHOOK_HOSTS = ["hooks.slack.com"]
    url, says = hostile_urls(int(receiver.url.rsplit(":", 1)[1].split("/")[0]))[case]

    page = viewer_client.post(
        "/digests/", {"name": "Hook", "frequency": "refresh", "changes": "on", "webhook_url": url}
    ).content.decode()

    assert says in page
    assert not Subscription.objects.exists()


def test_it_does_not_post_to_a_hostile_url_stored_before_the_check(db, django_user_model, receiver, settings):
    settings.DIGEST_WEBHOOK_HOSTS = ["hooks.slack.com"]
    port = int(receiver.url.rsplit(":", 1)[1].split("/")[0])
    item = pending_webhook(user_in(django_user_model, "ops", "Operator"), hostile_urls(port)["backslash"][0])

    assert not delivery.attempt(item)

    item.refresh_from_db()
    assert receiver.received == []
    assert "backslash" in item.last_error and "127.0.0.1" not in item.last_error


def start(tmp_path, **env: str) -> subprocess.CompletedProcess:
    """Django started in a fresh interpreter with only these variables, running the start-up checks."""
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from dashboard.checks import stop_on_errors; stop_on_errors()",
        ],
        cwd=ROOT,
        env={
            "PATH": os.environ["PATH"],
            "DATA_DIR": str(tmp_path),
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            **env,
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"OPENCX_API_TOKEN": "ocx_live_x", "OPENCX_API_URL": "https://127.0.0.1:9\\@api.open.cx"},
            "OPENCX_API_URL has a backslash",
        ),
        (
            {"OPENCX_ORGS": json.dumps([{"slug": "a", "name": "A", "token": "t", "url": "https://u:p@api.open.cx"}])},
            "OPENCX_ORGS, organization 1: a's url has a user name",
        ),
    ],
)
def test_it_stops_start_up_on_an_opencx_url_that_would_reach_another_host(tmp_path, env, message):
    result = start(tmp_path, **env)

    assert result.returncode != 0
    assert message in result.stderr
    assert "ocx_live_x" not in result.stderr


def test_it_refuses_an_organization_url_that_would_reach_another_host_in_the_admin(client, django_user_model, settings):
    settings.ORG_TOKEN_KEYS = [Fernet.generate_key().decode()]
    settings.OPENCX_ORGS = []
    settings.OPENCX_API_TOKEN = ""
    settings.DEMO_MODE = False
    forget_admin_orgs()
    client.force_login(user_in(django_user_model, "admin", "Staff"))

    page = client.post(
        "/admin/orgs/organization/add/",
        {"slug": "acme", "name": "Acme", "api_url": "https://127.0.0.1:9\\@api.open.cx", "token": "t", "_save": "1"},
    ).content.decode()

    assert "backslash" in page
    assert not Organization.objects.exists()
    forget_admin_orgs()


# --- item 2: no redirect is followed ---------------------------------------------------------------


@pytest.fixture
def internal():
    """Another loopback service a redirect could point at, with JSON that must never reach a page."""
    with FakeOpenCX([agent_record(id="internal", name="INTERNAL-ONLY")], token=TEST_TOKEN) as fake:
        yield fake


def test_it_does_not_follow_a_redirect_from_opencx_and_names_its_target(signed_in, upstream, internal, clock):
    service.get_snapshot()
    upstream.fault, upstream.redirect_to = "redirect", internal.url + "/phone?token=SECRETQUERY"
    expire_and_refresh(clock)

    page = signed_in.get("/agents/").content.decode()

    assert internal.calls == 0
    assert "Stale data" in page and "redirect (HTTP 302) to 127.0.0.1" in page
    assert "INTERNAL-ONLY" not in page and "SECRETQUERY" not in page and TEST_TOKEN not in page


def test_it_does_not_follow_a_redirect_from_a_webhook_receiver(db, django_user_model, receiver):
    with WebhookReceiver() as target:
        receiver.answer, receiver.redirect_to = "redirect", target.url + "?secret=SECRETQUERY"
        item = pending_webhook(user_in(django_user_model, "ops", "Operator"), receiver.url)

        assert not delivery.attempt(item)

        item.refresh_from_db()
        assert target.received == []
        assert item.last_error == "127.0.0.1 answered HTTP 302, a redirect to 127.0.0.1, which is not followed"


# --- deadlines and size caps ----------------------------------------------------------------------


def test_it_ends_a_dripped_read_by_its_deadline_with_the_stale_banner_and_no_second_read(
    signed_in, upstream, settings, clock, background_refreshes
):
    service.get_snapshot()
    assert service.wait_for_refresh(timeout=30)
    upstream.fault = "drip"
    clock.shift(600)
    started = time.monotonic()
    try:
        signed_in.get("/agents/")  # starts the read in the background ...
        # ... and more page views while it runs, none of which may start another
        while not service.wait_for_refresh(timeout=0.1) and time.monotonic() - started < settings.OPENCX_TIMEOUT + 5:
            signed_in.get("/agents/")
        ended = time.monotonic() - started
    finally:
        upstream.stopping.set()  # a read still under way (before the fix) ends now

    assert ended <= settings.OPENCX_TIMEOUT + SLACK
    assert upstream.most_in_flight == 1 and upstream.calls == 2
    page = signed_in.get("/agents/").content.decode()
    assert "Stale data" in page and "did not answer GET /phone within the 1 s budget" in page


def test_it_ends_a_read_whose_name_lookup_outlasts_the_deadline(upstream, monkeypatch):
    lookup = socket.getaddrinfo

    def slow_lookup(host, *args, **kwargs):
        if host == "localhost":
            time.sleep(1.2)  # a slow resolver: the deadline passes before there is a socket to shut
        return lookup(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", slow_lookup)
    upstream.fault = "drip"
    client = OpenCXClient(upstream.url.replace("127.0.0.1", "localhost"), TEST_TOKEN, timeout=1, retries=0)
    failed = []

    def read() -> None:
        try:
            client.fetch_phone_agents()
        except OpenCXError as error:
            failed.append(str(error))

    started = time.monotonic()
    reader = threading.Thread(target=read)
    reader.start()
    try:
        reader.join(timeout=1 + SLACK + 5)
        ended = time.monotonic() - started
    finally:
        upstream.stopping.set()  # a read still under way (before the fix) ends now
        reader.join()

    assert ended <= 1 + SLACK
    assert failed and "within the 1 s budget" in failed[0]


def test_it_refuses_an_answer_larger_than_OPENCX_MAX_BODY_MB_naming_the_setting(signed_in, upstream, settings, clock):
    service.get_snapshot()
    settings.OPENCX_MAX_BODY_MB = 1
    upstream.set_agents([agent_record(id=f"agent-{n}", first_message="x" * 2000) for n in range(600)])
    expire_and_refresh(clock)

    page = signed_in.get("/agents/").content.decode()

    assert "Stale data" in page and "larger than OPENCX_MAX_BODY_MB (1 MB)" in page


def test_it_ends_a_delivery_to_a_dripping_receiver_by_its_deadline(db, django_user_model, receiver, monkeypatch):
    monkeypatch.setattr(delivery, "WEBHOOK_TIMEOUT", 1)
    receiver.answer = "drip"
    item = pending_webhook(user_in(django_user_model, "ops", "Operator"), receiver.url)
    started = time.monotonic()
    try:
        sent = delivery.attempt(item)
        ended = time.monotonic() - started
    finally:
        receiver.stopping.set()

    assert ended <= 1 + SLACK
    assert not sent
    item.refresh_from_db()
    assert item.last_error == "127.0.0.1 did not answer within 1 s"


def test_it_does_not_read_a_huge_receiver_answer_whole(db, django_user_model, receiver):
    receiver.answer, receiver.huge_bytes = "huge", 300 * 1024 * 1024
    item = pending_webhook(user_in(django_user_model, "ops", "Operator"), receiver.url)

    assert delivery.attempt(item)  # a 200 is delivered, whatever follows it

    assert receiver.answered.wait(30)
    assert receiver.bytes_sent < 64 * 1024 * 1024


class RecordingProxy(LoopbackServer):
    """Stands where an HTTP(S)_PROXY variable points: records what it is asked for, answers 502."""

    name = "recording-proxy"

    def __init__(self) -> None:
        self.asked: list[str] = []
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                proxy.asked.append(self.path)
                self.send_response(502)
                self.send_header("Content-Length", "0")
                self.end_headers()

            do_POST = do_CONNECT = do_GET

            def log_message(self, format: str, *args) -> None:
                """Quiet."""

        self._serve(Handler)


def test_it_contacts_opencx_and_receivers_directly_whatever_proxy_the_environment_names(
    upstream, receiver, monkeypatch, db, django_user_model
):
    with RecordingProxy() as proxy:
        for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
            monkeypatch.setenv(name, proxy.url)
        for name in ("NO_PROXY", "no_proxy"):
            monkeypatch.delenv(name, raising=False)

        agents = OpenCXClient(upstream.url, TEST_TOKEN, timeout=5).fetch_phone_agents().records
        sent = delivery.attempt(pending_webhook(user_in(django_user_model, "ops", "Operator"), receiver.url))

    assert len(agents) == 30 and sent
    assert proxy.asked == []
