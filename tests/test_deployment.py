"""The deployment kit: gunicorn with gunicorn.conf.py and production settings read from ENV_FILE,
as the systemd unit runs it (SQLite here; PostgreSQL and Redis in tests/test_deployment_backends.py).

One server for the module: two workers, JSON logs, a fake OpenCX on loopback.
"""

import json
import os
import secrets
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from dashboard.demo.fleet import demo_fleet
from dashboard.demo.server import FakeOpenCX
from tests.servers import gunicorn
from tests.test_settings import manage

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ocx_live_deployment_SECRET_5b1e"
METRICS_TOKEN = "deployment-metrics-token"
HOST = "switchboard.example.com"
LINE_KEYS = {"time", "level", "logger", "message", "request_id"}
PREPARE = """
import django
django.setup()
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management import call_command
from dashboard.access.sharing import create_share, share_token
call_command("migrate", verbosity=0)
call_command("collectstatic", "--noinput", verbosity=0)
user = get_user_model().objects.create_user("ops", password="correct horse battery")
user.groups.add(Group.objects.get(name="Operator"))  # a link opens only while its creator may share
print(share_token(create_share(user=user, query="", title="Agent list")))
"""


def write_env_file(path: Path, **values: str) -> Path:
    path.write_text(
        "# Switchboard, as deploy/switchboard.env.example\n" + "".join(f"{k}={v}\n" for k, v in values.items())
    )
    return path


class Log:
    """gunicorn's standard error, one line at a time."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def mark(self) -> int:
        return self.path.stat().st_size

    def settled(self, base: str) -> int:
        """A mark after every line of the requests before: a probe's own access line has been written."""
        since = self.mark()
        probe = secrets.token_hex(8)
        get(base + "/healthz", **{"X-Request-ID": probe})
        self.wait_for(since, lambda line: line["logger"] == "gunicorn.access" and line["request_id"] == probe)
        return self.mark()

    def lines(self, since: int = 0) -> list[str]:
        with self.path.open("rb") as log:
            log.seek(since)
            return log.read().decode().splitlines()

    def wait_for(self, since: int, found, timeout: float = 15) -> list[dict]:
        """The JSON lines written since `since`, once one of them satisfies `found`."""
        deadline = time.monotonic() + timeout
        while True:
            parsed = [json.loads(line) for line in self.lines(since)]
            if any(found(line) for line in parsed):
                return parsed
            if time.monotonic() > deadline:
                raise AssertionError(f"no such line within {timeout} s: {parsed}")
            time.sleep(0.02)


def get(url: str, **headers: str) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


@pytest.fixture(scope="module")
def deployed(tmp_path_factory):
    root = tmp_path_factory.mktemp("deployed")
    with FakeOpenCX(demo_fleet(30), token=TOKEN) as fake:
        env_file = write_env_file(
            root / "switchboard.env",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS=HOST,
            OPENCX_API_TOKEN=TOKEN,
            OPENCX_API_URL=fake.url,
            OPENCX_TIMEOUT="1",
            OPENCX_CACHE_TTL="0",  # every page view reads again, in the background
            DATA_DIR=str(root),
            LOG_FORMAT="json",
            METRICS_TOKEN=METRICS_TOKEN,
            WEB_CONCURRENCY="2",
        )
        env = {"PATH": os.environ["PATH"], "ENV_FILE": str(env_file)}  # nothing else: all from the file
        prepared = subprocess.run(
            [sys.executable, "-c", PREPARE],
            cwd=ROOT,
            env={**env, "DJANGO_SETTINGS_MODULE": "dashboard.settings"},
            capture_output=True,
            text=True,
            timeout=120,
            check=True,
        )
        share = prepared.stdout.strip().splitlines()[-1]
        with gunicorn(env, root / "gunicorn.log") as base:
            yield {
                "base": base,
                "fake": fake,
                "env": env,
                "root": root,
                "share": share,
                "log": Log(root / "gunicorn.log"),
            }


def secure(**headers: str) -> dict:
    """What the TLS-terminating proxy sends along."""
    return {"Host": HOST, "X-Forwarded-Proto": "https", **headers}


def test_every_log_line_of_a_page_request_is_json_with_the_request_id_the_response_showed(deployed):
    log = deployed["log"]
    since = log.settled(deployed["base"])

    status, headers, _ = get(deployed["base"] + "/login/", **secure(**{"X-Request-ID": "page-7f1c"}))
    lines = log.wait_for(since, lambda line: line["logger"] == "gunicorn.access")

    assert status == 200 and headers["X-Request-ID"] == "page-7f1c"
    assert all(line.keys() >= LINE_KEYS and line["request_id"] == "page-7f1c" for line in lines), lines
    assert '"GET /login/ HTTP/1.1" 200' in lines[-1]["message"]


def test_every_log_line_of_a_failing_upstream_read_is_json_with_the_request_id(deployed):
    log, fake = deployed["log"], deployed["fake"]
    since = log.settled(deployed["base"])
    fake.fault = "503"
    try:
        status, headers, _ = get(f"{deployed['base']}/s/{deployed['share']}/", **secure())
        request_id = headers["X-Request-ID"]
        lines = log.wait_for(
            since, lambda line: line["logger"] == "dashboard.snapshots.backoff" and line["request_id"] == request_id
        )
        lines = log.wait_for(since, lambda line: line["logger"] == "gunicorn.access")
    finally:
        fake.fault = None

    assert status in (200, 503)  # the last snapshot, or the page saying there is none yet
    assert all(line.keys() >= LINE_KEYS and line["request_id"] == request_id for line in lines), lines
    attempts = [line for line in lines if line["logger"] == "dashboard.opencx.client"]
    assert attempts and all(line["status"] == 503 for line in attempts)
    text = "\n".join(log.lines())
    assert TOKEN not in text and deployed["share"] not in text
    assert "/s/<hidden>/" in text


def test_readyz_answers_a_probe_by_ip_over_plain_http_with_json(deployed):
    # What deploy/switchboard-refresh.service runs, with the same env file.
    timer = [
        manage(deployed["root"], command, "--quiet", **deployed["env"])
        for command in ("housekeeping", "refresh_agents")
    ]

    # The figures (agents) are for the metrics scraper; anyone else learns ready or not.
    status, headers, body = get(deployed["base"] + "/readyz", Host="10.0.0.5", Authorization=f"Bearer {METRICS_TOKEN}")
    alive = get(deployed["base"] + "/healthz", Host="10.0.0.5")

    assert [(ran.returncode, ran.stdout) for ran in timer] == [(0, ""), (0, "")], [ran.stderr for ran in timer]
    assert status == 200 and headers["Content-Type"] == "application/json", body
    assert json.loads(body)["status"] == "ok" and json.loads(body)["agents"] == 30
    assert alive[0] == 200 and json.loads(alive[2]) == {"status": "ok"}


def healthz_count(base: str) -> float:
    status, _, body = get(base + "/metrics", Authorization=f"Bearer {METRICS_TOKEN}")
    assert status == 200
    for family in text_string_to_metric_families(body.decode()):
        for sample in family.samples:
            if sample.name == "switchboard_http_request_duration_seconds_count" and sample.labels["view"] == "healthz":
                return sample.value
    return 0


def test_metrics_add_up_the_requests_of_every_worker(deployed):
    base = deployed["base"]
    before = healthz_count(base)

    for _ in range(20):  # each on a connection of its own, so both workers answer some
        assert get(base + "/healthz")[0] == 200

    assert healthz_count(base) - before == 20
    assert get(base + "/metrics")[0] == 401


def test_gunicorn_conf_derives_the_worker_timeout_from_opencx_timeout(tmp_path):
    env_file = write_env_file(tmp_path / "switchboard.env", OPENCX_TIMEOUT="40", WEB_CONCURRENCY="3")

    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--print-config", "-c", "gunicorn.conf.py"],
        cwd=ROOT,
        env={"PATH": os.environ["PATH"], "ENV_FILE": str(env_file)},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    config = {
        name.strip(): value.strip()
        for name, _, value in (line.partition(" = ") for line in result.stdout.splitlines())
        if value
    }

    assert result.returncode == 0, result.stderr
    assert int(config["timeout"]) > 2 * 40  # a lock wait and a read, each up to OPENCX_TIMEOUT
    assert config["workers"] == "3"
    assert config["accesslog"] == "-"
    assert config["control_socket_disable"] == "True"
