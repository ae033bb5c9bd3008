"""Load benchmark: many concurrent page views against an expired cache make one upstream call.

Starts a fake OpenCX on loopback and the dashboard under gunicorn (4 workers sharing the
default database cache), signs in, lets the snapshot expire, then sends 200 concurrent
requests for /agents/ and reports how many upstream calls they caused and how long they took.

Run with `make bench` (or `.venv/bin/python bench/upstream_load.py --help`).
"""

import argparse
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import requests
from measure import percentile  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from dashboard.demo.fleet import demo_fleet
from dashboard.demo.server import FakeOpenCX

TOKEN = "ocx_live_bench_token"
USER, PASSWORD = "bench", "bench-password-123"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until_up(url: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the dashboard did not come up at {url}")


def sign_in(base: str) -> dict[str, str]:
    session = requests.Session()
    page = session.get(f"{base}/login/", timeout=10)
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
    response = session.post(
        f"{base}/login/",
        data={"username": USER, "password": PASSWORD, "csrfmiddlewaretoken": csrf, "next": "/agents/"},
        headers={"Referer": f"{base}/login/"},
        timeout=10,
        allow_redirects=False,
    )
    if response.status_code != 302:
        raise SystemExit("signing in failed")
    return session.cookies.get_dict()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=2000, help="agents in the fake organization")
    parser.add_argument("--requests", type=int, default=200, help="concurrent requests against the expired cache")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn worker processes")
    parser.add_argument("--upstream-delay", type=float, default=1.0, help="seconds the fake OpenCX takes to answer")
    parser.add_argument(
        "--ttl",
        type=int,
        default=20,
        help="cache period in seconds; longer than the burst, so the burst sees one expiry",
    )
    args = parser.parse_args()
    ttl = args.ttl

    with (
        tempfile.TemporaryDirectory(prefix="switchboard-bench-") as data_dir,
        FakeOpenCX(demo_fleet(args.agents), token=TOKEN) as upstream,
    ):
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "dashboard.settings",
            "DATA_DIR": data_dir,
            "DEBUG": "0",
            "SECRET_KEY": "bench-" + "k" * 60,
            "ALLOWED_HOSTS": "127.0.0.1",
            "SECURE_SSL_REDIRECT": "0",
            "SECURE_COOKIES": "0",
            "OPENCX_API_URL": upstream.url,
            "OPENCX_API_TOKEN": TOKEN,
            "OPENCX_CACHE_TTL": str(ttl),
            "DJANGO_SUPERUSER_USERNAME": USER,
            "DJANGO_SUPERUSER_PASSWORD": PASSWORD,
            "DJANGO_SUPERUSER_EMAIL": "bench@example.com",
        }
        python = sys.executable
        for command in (["migrate", "-v0"], ["collectstatic", "--noinput", "-v0"], ["createsuperuser", "--noinput"]):
            subprocess.run([python, "manage.py", *command], cwd=ROOT, env=env, check=True)
        gunicorn = subprocess.Popen(
            [
                python,
                "-m",
                "gunicorn",
                "dashboard.wsgi",
                "--workers",
                str(args.workers),
                "--bind",
                f"127.0.0.1:{port}",
                "--log-level",
                "warning",
                "--timeout",
                "60",
            ],
            cwd=ROOT,
            env=env,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            wait_until_up(f"{base}/healthz")
            cookies = sign_in(base)
            # Warm every worker, so each holds the parsed snapshot in memory as it would in service.
            with ThreadPoolExecutor(args.workers * 4) as pool:
                list(
                    pool.map(
                        lambda _: requests.get(f"{base}/agents/", cookies=cookies, timeout=30), range(args.workers * 8)
                    )
                )
            time.sleep(ttl + 0.5)  # the snapshot is now older than the cache period
            upstream.fault, upstream.slow_seconds = "slow", args.upstream_delay
            calls_before = upstream.calls

            barrier = threading.Barrier(args.requests)
            timings: list[float] = []
            statuses: list[int] = []

            def view(_: int) -> None:
                barrier.wait()
                started = time.perf_counter()
                response = requests.get(f"{base}/agents/", cookies=cookies, timeout=60)
                timings.append(time.perf_counter() - started)
                statuses.append(response.status_code)

            with ThreadPoolExecutor(args.requests) as pool:
                list(pool.map(view, range(args.requests)))
            time.sleep(args.upstream_delay + 1)  # let the background refresh finish
            calls = upstream.calls - calls_before
        finally:
            gunicorn.terminate()
            gunicorn.wait(timeout=30)

    ms = [t * 1000 for t in timings]
    print(
        f"\nUpstream load: {args.requests} concurrent GET /agents/ on an expired cache, "
        f"gunicorn {args.workers} workers, {args.agents:,} agents, upstream answering in {args.upstream_delay:g} s"
    )
    print("| figure | value |")
    print("|---|---|")
    print(f"| upstream calls caused (target: exactly 1) | {calls} |")
    print(f"| responses | {', '.join(f'{statuses.count(c)} × HTTP {c}' for c in sorted(set(statuses)))} |")
    for label, value in (
        ("min", min(ms)),
        ("median", statistics.median(ms)),
        ("p90", percentile(ms, 0.9)),
        ("p99", percentile(ms, 0.99)),
        ("max", max(ms)),
    ):
        print(f"| response time {label} | {value:,.0f} ms |")
    if calls != 1 or set(statuses) != {200}:
        raise SystemExit("FAILED: expected exactly one upstream call and only HTTP 200 responses")


if __name__ == "__main__":
    main()
