"""List benchmark: reading, listing and exporting fleets of 1,000, 10,000 and 50,000 agents.

For each size, in a fresh process, with the fleet served by the demo's fake OpenCX on loopback:

* cold refresh (fetch + parse + build the snapshot) next to the floor, `requests.get` +
  `json.loads` of the same body;
* warm `/agents/` median and p95 for five queries, next to Django admin's changelist over the
  same agents as SQLite rows (a bench-only model and ModelAdmin, same columns, search, filters,
  ordering and page size), both through Django's test client in the same process;
* exporting the whole list as CSV, JSON and XLSX;
* the resident memory of a worker process holding that snapshot, measured in a process of its
  own that reads the snapshot from the shared cache and serves two pages, as a gunicorn worker does.

Run with `make bench` (or `.venv/bin/python bench/list_speed.py --help`).
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ocx_live_bench_token"
# (label, the agent list's query, the admin changelist's equivalent); LAST is the last page.
QUERIES = [
    ("no filter", "", ""),
    ("search", "q=billing", "q=billing"),
    (
        "three filters",
        "model=oppie-vox-2&type=inbound&recording=yes",
        "model__exact=oppie-vox-2&type__exact=inbound&recording_enabled__exact=1",
    ),
    ("sort by updated", "sort=-updated_at", "o=-10"),
    ("last page", "page=LAST", "p=LAST"),
]
RUNS = 30


def environment(data_dir: str, upstream_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATA_DIR": data_dir,
        "DEBUG": "0",
        "SECRET_KEY": "bench-" + "k" * 60,
        "ALLOWED_HOSTS": "testserver,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "OPENCX_API_URL": upstream_url,
        "OPENCX_API_TOKEN": TOKEN,
        "OPENCX_CACHE_TTL": "86400",
        "OPENCX_TIMEOUT": "120",
        "OPENCX_CALLS_PER_MINUTE": "1000",
        # The change history records in a thread of its own after each read; it has its own
        # benchmark (history_record.py) and would only add noise to these timings.
        "HISTORY_RETENTION_DAYS": "0",
    }


def rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def timed(call, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def measure_size(size: int) -> dict:
    """All figures for one fleet size (runs in its own process)."""
    sys.path.insert(0, str(ROOT))
    from dashboard.demo.fleet import demo_fleet
    from dashboard.demo.server import FakeOpenCX

    data_dir = tempfile.mkdtemp(prefix="switchboard-bench-")
    upstream = FakeOpenCX(demo_fleet(size), token=TOKEN).start()
    os.environ.update(environment(data_dir, upstream.url))

    import django
    import requests

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench.adminbench.models import BenchAgent
    from dashboard.snapshots import service

    call_command("migrate", run_syncdb=True, verbosity=0)
    call_command("collectstatic", interactive=False, verbosity=0)
    figures: dict = {"agents": size}

    def floor() -> None:
        response = requests.get(f"{upstream.url}/phone", headers={"Authorization": f"Bearer {TOKEN}"}, timeout=120)
        json.loads(response.content)

    def cold() -> float:
        cache.clear()
        service.forget_local_state()
        return min(timed(service.refresh_snapshot, 1))

    floor()  # both paths run once untimed, so neither pays the process's first-call costs
    cold()
    figures["floor_ms"] = statistics.median(timed(floor, 5))
    figures["cold_ms"] = statistics.median(cold() for _ in range(5))

    snapshot = service.get_snapshot()
    BenchAgent.objects.bulk_create(
        [
            BenchAgent(
                agent_id=a.id,
                name=a.display_name,
                phone_number=a.phone_number,
                type=a.type,
                language=", ".join(a.language),
                model=a.model,
                voice_id=a.voice_id,
                stt_model=a.stt_model,
                recording_enabled=a.recording_enabled,
                failover=a.failover_state,
                updated_at=a.updated_at,
            )
            for a in snapshot.agents
        ],
        batch_size=2000,
    )
    user = get_user_model().objects.create_superuser("bench", "bench@example.com", "bench-password")
    client = Client()
    client.force_login(user)
    last = max(1, -(-size // 50))
    for label, ours, admin in QUERIES:
        ours_url = "/agents/?" + ours.replace("LAST", str(last))
        admin_url = "/admin/adminbench/benchagent/?" + admin.replace("LAST", str(last))
        for url in (ours_url, admin_url):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            timed(lambda url=url: client.get(url), 3)  # warm
        ours_ms = timed(lambda url=ours_url: client.get(url), RUNS)
        admin_ms = timed(lambda url=admin_url: client.get(url), RUNS)
        figures[label] = {
            "median": statistics.median(ours_ms),
            "p95": p95(ours_ms),
            "admin_median": statistics.median(admin_ms),
            "admin_p95": p95(admin_ms),
        }
    for export_format in ("csv", "json", "xlsx"):
        figures[f"export_{export_format}_s"] = (
            min(timed(lambda f=export_format: client.get(f"/agents/?_export={f}").content, 1)) / 1000
        )

    worker = subprocess.run(
        [sys.executable, str(Path(__file__)), "--worker-rss"],
        cwd=ROOT,
        env=os.environ.copy(),
        capture_output=True,
        text=True,
        check=True,
    )
    figures["worker_rss_mb"] = float(worker.stdout.strip().splitlines()[-1])
    upstream.stop()
    return figures


def worker_rss() -> None:
    """A fresh worker: reads the snapshot from the shared cache, serves two pages, reports its RSS."""
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    client = Client()
    client.force_login(get_user_model().objects.get(username="bench"))
    for url in ("/agents/", "/agents/?model=oppie-vox-2&q=billing&sort=-updated_at"):
        assert client.get(url).status_code == 200
    print(f"{rss_mb():.0f}")


def report(results: list[dict]) -> None:
    print("\nList speed: cold refresh, warm /agents/ against Django admin's changelist, exports, worker memory")
    print("\n| agents | floor: get + json.loads | cold refresh | ratio (target ≤ 2.5×) | worker RSS |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['agents']:,} | {r['floor_ms']:,.0f} ms | {r['cold_ms']:,.0f} ms | "
            f"{r['cold_ms'] / r['floor_ms']:.2f}× | {r['worker_rss_mb']:,.0f} MB |"
        )
    print("\n| agents | query | /agents/ median / p95 | admin median / p95 | ratio of medians |")
    print("|---:|---|---:|---:|---:|")
    for r in results:
        for label, *_ in QUERIES:
            q = r[label]
            print(
                f"| {r['agents']:,} | {label} | {q['median']:.1f} / {q['p95']:.1f} ms | "
                f"{q['admin_median']:.1f} / {q['admin_p95']:.1f} ms | {q['median'] / q['admin_median']:.2f} |"
            )
    print("\n| agents | export CSV | export JSON | export XLSX |")
    print("|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['agents']:,} | {r['export_csv_s']:.2f} s | {r['export_json_s']:.2f} s | {r['export_xlsx_s']:.2f} s |"
        )
    by_size = {r["agents"]: r for r in results}
    if 10_000 in by_size:
        r = by_size[10_000]
        ours = statistics.median(r[label]["median"] for label, *_ in QUERIES)
        admin = statistics.median(r[label]["admin_median"] for label, *_ in QUERIES)
        print(
            f"\nAt 10,000 agents, the median over the five queries: /agents/ {ours:.1f} ms, admin {admin:.1f} ms, "
            f"ratio {ours / admin:.2f} (target ≤ 0.7)"
        )
    if 50_000 in by_size:
        r = by_size[50_000]
        print(
            f"At 50,000 agents: cold/floor {r['cold_ms'] / r['floor_ms']:.2f}× (target ≤ 2.5×), CSV export "
            f"{r['export_csv_s']:.2f} s (target < 3 s), worker RSS {r['worker_rss_mb']:.0f} MB (target ≤ 300 MB)"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated fleet sizes")
    parser.add_argument("--size", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-rss", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker_rss:
        return worker_rss()
    if args.size:
        print(json.dumps(measure_size(args.size)))
        return None
    results = []
    for size in (int(value) for value in args.sizes.split(",")):
        print(f"measuring {size:,} agents…", file=sys.stderr, flush=True)
        done = subprocess.run(
            [sys.executable, str(Path(__file__)), "--size", str(size)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode != 0:
            raise SystemExit(f"measuring {size} agents failed:\n{done.stderr[-3000:]}")
        results.append(json.loads(done.stdout.strip().splitlines()[-1]))
    report(results)
    return None


if __name__ == "__main__":
    main()
