"""Several worker processes sharing one cache, as under gunicorn: one upstream call, and restarts."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dashboard.demo.fleet import demo_fleet
from dashboard.demo.server import FakeOpenCX

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ocx_live_processes_test"
TTL = 2
CLEAR_CACHE = "import django; django.setup(); from django.core.cache import cache; cache.clear()"
READ = """
import datetime, json, os, django
if os.environ.get("CLOCK_AHEAD"):  # this worker starts that many seconds later than the first
    import time_machine
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(seconds=float(os.environ["CLOCK_AHEAD"]))
    time_machine.travel(later, tick=True).start()
django.setup()
from dashboard.snapshots import service
served = service.get_snapshot()
service.wait_for_refresh()
print(json.dumps({"version": served.version, "stale": service.get_snapshot().stale_reason}))
"""


@pytest.fixture
def shared(tmp_path):
    """A fake OpenCX and the environment of workers sharing one data directory (database and cache)."""
    with FakeOpenCX(demo_fleet(200), token=TOKEN) as fake:
        env = {
            "PATH": os.environ["PATH"],
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DATA_DIR": str(tmp_path),
            "OPENCX_API_URL": fake.url,
            "OPENCX_API_TOKEN": TOKEN,
            "OPENCX_CACHE_TTL": str(TTL),
            "OPENCX_TIMEOUT": "5",
            # In the back-end run (tests/servers.py): PostgreSQL and Redis instead of SQLite.
            **{name: os.environ[name] for name in ("DATABASE_URL", "REDIS_URL") if os.environ.get(name)},
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, check=True, timeout=120)
        subprocess.run([sys.executable, "-c", CLEAR_CACHE], cwd=ROOT, env=env, check=True, timeout=60)
        yield fake, env


def start_worker(env: dict[str, str], *, after_the_cache_period: bool = False) -> subprocess.Popen:
    """A worker reading the snapshot; `after_the_cache_period`: its clock is past the first read's period
    (instead of the test sleeping through it)."""
    env = {**env, "CLOCK_AHEAD": str(TTL + 1)} if after_the_cache_period else env
    return subprocess.Popen([sys.executable, "-c", READ], cwd=ROOT, env=env, stdout=subprocess.PIPE, text=True)


def result(worker: subprocess.Popen) -> dict:
    out, _ = worker.communicate(timeout=60)
    assert worker.returncode == 0
    return json.loads(out)


def test_workers_hitting_an_expired_cache_together_make_one_upstream_call(shared):
    fake, env = shared
    first = result(start_worker(env))
    fake.fault, fake.slow_seconds = "slow", 1.5  # a slow upstream widens the race

    workers = [start_worker(env, after_the_cache_period=True) for _ in range(4)]
    results = [result(worker) for worker in workers]

    assert fake.calls == 2  # the first read, then exactly one refresh
    assert all(r["stale"] is None for r in results)
    assert first["version"] in {r["version"] for r in results}  # served at once, not after the refresh


def test_a_restarted_worker_serves_the_last_snapshot_while_the_upstream_is_down(shared):
    fake, env = shared
    first = result(start_worker(env))
    fake.fault = "503"

    restarted = result(start_worker(env, after_the_cache_period=True))

    assert restarted["version"] == first["version"]
    assert "HTTP 503" in restarted["stale"]
