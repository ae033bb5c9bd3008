"""List benchmark: reading, listing and exporting fleets of 1,000, 10,000 and 50,000 agents.

The fleet is shaped like a real one (`dashboard.demo.fleet.realistic_fleet`: 1 to 3 of a dozen
languages, about 40 voices, thousands of action ids, unique numbers, varied instructions), not
the demo's, whose values repeat. For each size, in a fresh process, with the fleet served by
the demo's fake OpenCX on loopback, and `make run` settings (DEBUG on):

* cold refresh (fetch + parse + build the snapshot) next to the floor, `requests.get` +
  `json.loads` of the same body;
* warm `/agents/` median and p95 at 100 rows a page for four queries (no filter, search, sort,
  page 10), next to Django admin's changelist over the same agents as SQLite rows (a bench-only
  model and ModelAdmin, same columns, search, filters, ordering and page size), both through
  Django's test client in the same process, and the size of the list's HTML;
* a facet menu's values (the endpoint a menu fetches when it opens), for every facet;
* a list asked to sort by 780 keys (a 2.7 KB URL, as an attacker might send);
* exporting the whole list, every column, as CSV, JSON and XLSX;
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

from measure import p95, rss_mb  # bench/, the script's own folder

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "ocx_live_bench_token"
# (label, the agent list's query, the admin changelist's equivalent); LAST is the last page.
PER_PAGE = 100
QUERIES = [
    ("no filter", f"per_page={PER_PAGE}", ""),
    ("search", f"q=billing&per_page={PER_PAGE}", "q=billing"),
    ("sort by updated", f"sort=-updated_at&per_page={PER_PAGE}", "o=-10"),
    ("page 10", f"page=10&per_page={PER_PAGE}", "p=10"),
]
FACETS = ["type", "language", "accent", "model", "voice", "stt_model", "keyterm", "noise", "data_field"]
RUNS = 30
# 780 sort keys, 2.7 KB of them: the list sorts by the first few, each once.
MANY_SORT_KEYS = "sort=" + ",".join(["id", "-id"] * 390)


def environment(data_dir: str, upstream_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATA_DIR": data_dir,
        "DEBUG": "1",  # as `make run` serves it
        "ALLOWED_HOSTS": "testserver,localhost",
        "OPENCX_API_URL": upstream_url,
        "OPENCX_API_TOKEN": TOKEN,
        "OPENCX_CACHE_TTL": "86400",
        "OPENCX_TIMEOUT": "120",
        "OPENCX_CALLS_PER_MINUTE": "1000",
        # The change history records in a thread of its own after each read; it has its own
        # benchmark (history_record.py) and would only add noise to these timings.
        "HISTORY_RETENTION_DAYS": "0",
    }


def timed(call, runs: int) -> list[float]:
    timings = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return timings


def measure_size(size: int) -> dict:
    """All figures for one fleet size (runs in its own process)."""
    sys.path.insert(0, str(ROOT))
    from dashboard.demo.fleet import realistic_fleet, realistic_voices
    from dashboard.demo.server import FakeOpenCX

    data_dir = tempfile.mkdtemp(prefix="switchboard-bench-")
    upstream = FakeOpenCX(realistic_fleet(size), token=TOKEN, voices=realistic_voices()).start()
    os.environ.update(environment(data_dir, upstream.url))

    import django
    import requests

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench.adminbench.models import BenchAgent
    from dashboard.fields import OPENCX_FIELDS
    from dashboard.snapshots import service

    call_command("migrate", run_syncdb=True, verbosity=0)
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
    for label, ours, admin in QUERIES:
        ours_url = "/agents/?" + ours
        admin_url = "/admin/adminbench/benchagent/?" + admin
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
            "kib": len(client.get(ours_url).content) / 1024,
        }
    facet_ms = {}
    for facet in FACETS:
        url = f"/agents/facets/{facet}/?recording=yes"
        assert client.get(url).status_code == 200
        facet_ms[facet] = statistics.median(timed(lambda url=url: client.get(url), 11))
    figures["facet_ms"] = facet_ms
    many_sort_keys = f"/agents/?{MANY_SORT_KEYS}"
    assert client.get(many_sort_keys).status_code == 200
    figures["many_sort_keys_ms"] = statistics.median(timed(lambda: client.get(many_sort_keys), 5))
    every_column = ",".join(OPENCX_FIELDS.columns)
    for export_format in ("csv", "json", "xlsx"):
        url = f"/agents/?columns={every_column}&_export={export_format}"
        # A streamed export is made while it is read: the time is the whole body's.
        figures[f"export_{export_format}_s"] = min(timed(lambda url=url: client.get(url).getvalue(), 2)) / 1000

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
    print(f"\n| agents | query ({PER_PAGE} rows) | /agents/ median / p95 | admin median / p95 | ratio | HTML |")
    print("|---:|---|---:|---:|---:|---:|")
    for r in results:
        for label, *_ in QUERIES:
            q = r[label]
            print(
                f"| {r['agents']:,} | {label} | {q['median']:.1f} / {q['p95']:.1f} ms | "
                f"{q['admin_median']:.1f} / {q['admin_p95']:.1f} ms | {q['median'] / q['admin_median']:.2f} | "
                f"{q['kib']:.0f} KiB |"
            )
    print("\n| agents | slowest facet menu (values under a filter) | all facets, median |")
    print("|---:|---:|---:|")
    for r in results:
        slowest = max(r["facet_ms"], key=r["facet_ms"].get)
        print(
            f"| {r['agents']:,} | {r['facet_ms'][slowest]:.1f} ms ({slowest}) | "
            f"{statistics.median(r['facet_ms'].values()):.1f} ms |"
        )
    print("\n| agents | 780 sort keys (target < 0.5 s) | CSV | JSON | XLSX (every column; target < 5 s) |")
    print("|---:|---:|---:|---:|---:|")
    for r in results:
        print(
            f"| {r['agents']:,} | {r['many_sort_keys_ms']:.0f} ms | {r['export_csv_s']:.2f} s | "
            f"{r['export_json_s']:.2f} s | {r['export_xlsx_s']:.2f} s |"
        )
    print()
    for r in results:
        ours = statistics.median(r[label]["median"] for label, *_ in QUERIES)
        admin = statistics.median(r[label]["admin_median"] for label, *_ in QUERIES)
        heaviest = max(r[label]["kib"] for label, *_ in QUERIES)
        print(
            f"At {r['agents']:,} agents, the median over the four queries: /agents/ {ours:.1f} ms, admin "
            f"{admin:.1f} ms, ratio {ours / admin:.2f} (target ≤ 0.5); heaviest page {heaviest:.0f} KiB "
            f"(target ≤ 150 KiB); slowest facet menu {max(r['facet_ms'].values()):.1f} ms (target ≤ 50 ms)"
        )
    by_size = {r["agents"]: r for r in results}
    if 50_000 in by_size:
        r = by_size[50_000]
        print(
            f"At 50,000 agents: cold/floor {r['cold_ms'] / r['floor_ms']:.2f}× (target ≤ 2.5×), worker RSS "
            f"{r['worker_rss_mb']:.0f} MB (target ≤ 300 MB)"
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
