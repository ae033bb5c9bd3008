"""gunicorn with gunicorn.conf.py and production settings on PostgreSQL and Redis: /readyz by IP
over plain HTTP, and a 503 naming the database when PostgreSQL stops.

The PostgreSQL here is a throwaway cluster of this test's own (the shared one of `make test`'s
back-end run is never stopped); Redis is the shared one, in a database number of its own.
"""

import json
import os
import secrets
import subprocess
import sys

import pytest

from dashboard.demo.fleet import demo_fleet
from dashboard.demo.server import FakeOpenCX
from tests.servers import gunicorn, postgres_cluster
from tests.test_deployment import METRICS_TOKEN, ROOT, get, write_env_file

TOKEN = "ocx_live_backends_SECRET_0c4d"

pytestmark = [
    pytest.mark.backends,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="needs the PostgreSQL and Redis of `python -m tests.servers` (make test runs them)",
    ),
]


def own_redis_database(url: str) -> str:
    """The shared Redis, in database 1, which the other tests (database 0) do not use."""
    return url.rsplit("/", 1)[0] + "/1"


def test_readyz_answers_by_ip_over_plain_http_and_names_the_database_when_postgresql_stops(tmp_path):
    with FakeOpenCX(demo_fleet(30), token=TOKEN) as fake, postgres_cluster() as database:
        env_file = write_env_file(
            tmp_path / "switchboard.env",
            DEBUG="0",
            SECRET_KEY=secrets.token_urlsafe(50),
            ALLOWED_HOSTS="switchboard.example.com",
            OPENCX_API_TOKEN=TOKEN,
            OPENCX_API_URL=fake.url,
            OPENCX_TIMEOUT="1",
            DATA_DIR=str(tmp_path),
            DATABASE_URL=database.url,
            REDIS_URL=own_redis_database(os.environ["REDIS_URL"]),
            WEB_CONCURRENCY="2",
            METRICS_TOKEN=METRICS_TOKEN,
        )
        env = {"PATH": os.environ["PATH"], "ENV_FILE": str(env_file)}
        for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["refresh_agents", "--quiet"]):
            subprocess.run([sys.executable, "manage.py", *command], cwd=ROOT, env=env, check=True, timeout=120)
        with gunicorn(env, tmp_path / "gunicorn.log") as base:
            scraper = {"Host": "10.0.0.5", "Authorization": f"Bearer {METRICS_TOKEN}"}  # it sees the figures
            ready = get(base + "/readyz", **scraper)
            database.stop()
            stopped = get(base + "/readyz", **scraper)

    assert ready[0] == 200 and ready[1]["Content-Type"] == "application/json", ready
    assert json.loads(ready[2])["checks"] == {"database": "ok", "cache": "ok", "snapshot": "ok"}
    assert stopped[0] == 503 and stopped[1]["Content-Type"] == "application/json", stopped
    body = json.loads(stopped[2])
    assert body["failed"] == ["database"]
    assert body["checks"]["database"].startswith("unavailable (OperationalError")
    assert body["checks"]["cache"] == "ok" and body["agents"] == 30  # Redis still holds the snapshot
