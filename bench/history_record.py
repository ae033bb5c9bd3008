"""Change-history benchmark: recording a 50,000-agent snapshot in which 100 agents differ.

In a fresh database (SQLite in a temporary DATA_DIR, or whatever DATABASE_URL names), with
the records decoded from JSON as the service receives them:

* the baseline, the first recording, which stores every agent once;
* snapshots with nothing changed: hashing every agent and comparing, no write;
* a snapshot with 100 agents differing (60 changed, 20 added, 20 removed), then the reverse,
  alternately, so every run records 100 changes: the figure the issue asks about;
* a snapshot in which every agent changed, recorded while another thread keeps writing to the
  cache table as requests do (sessions, the refresh lock): the longest such write waited.

Run with `make bench` (or `.venv/bin/python bench/history_record.py --help`).
"""

import argparse
import copy
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def fleets(size: int) -> tuple[list[dict], list[dict]]:
    """Two fleets of `size` agents that differ in exactly 100 agents, as decoded from JSON."""
    from dashboard.demo.fleet import demo_fleet

    before = json.loads(json.dumps(demo_fleet(size)))
    after = copy.deepcopy(before[20:])  # 20 removed ...
    for record in after[:60]:  # ... 60 changed ...
        record["speed"] = round((record.get("speed") or 1.0) + 0.1, 2)
        record["instructions"] = [*(record.get("instructions") or []), "Offer a callback when the queue is long."]
    for number in range(20):  # ... and 20 added
        newcomer = copy.deepcopy(before[number])
        newcomer["id"] = f"bench-new-{number}"
        after.append(newcomer)
    return before, after


def timed(records: list[dict], when) -> tuple[float, object]:
    from dashboard.history.record import record_snapshot

    started = time.perf_counter()
    revision = record_snapshot(records, [record["id"] for record in records], recorded_at=when, source="bench")
    return time.perf_counter() - started, revision


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--agents", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()

    data_dir = tempfile.mkdtemp(prefix="switchboard-history-bench-")
    os.environ.update({"DJANGO_SETTINGS_MODULE": "dashboard.settings", "DATA_DIR": data_dir})
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    call_command("migrate", verbosity=0)
    before, after = fleets(options.agents)
    now = timezone.now()

    baseline, _ = timed(before, now)
    unchanged = []
    for _ in range(options.runs):
        seconds, nothing = timed(before, now)
        assert nothing is None
        unchanged.append(seconds)
    runs = []
    for run in range(options.runs):
        seconds, revision = timed(after if run % 2 == 0 else before, now)
        assert revision.added + revision.removed + revision.changed == 100, revision
        runs.append(seconds)

    every_agent = [dict(record, name=f"{record.get('name')} (renamed)") for record in before]
    recording, longest_wait, writes = while_writing(lambda: timed(every_agent, timezone.now()))

    print(f"Change history on {connection.vendor}, {options.agents:,} agents")
    print(f"  baseline (every agent stored once)       {baseline:7.2f} s")
    for label, seconds in [("nothing changed (hash and compare only)", unchanged), ("100 agents differ", runs)]:
        print(f"  {label}, median of {len(seconds)}: {statistics.median(seconds):.2f} s  (max {max(seconds):.2f} s)")
    print(
        f"  every agent changed: {recording:.2f} s; meanwhile {writes:,} writes by another thread, "
        f"the longest of which waited {longest_wait * 1000:.0f} ms"
    )


def while_writing(work) -> tuple[float, float, int]:
    """Runs `work` while another thread (its own database connection) writes to the cache as a
    request would; returns the work's seconds, the longest write's seconds and the writes made."""
    import threading

    from django.core.cache import cache
    from django.db import connection

    done, waits = threading.Event(), []

    def write() -> None:
        while not done.is_set():
            started = time.perf_counter()
            cache.set("bench:probe", started)
            waits.append(time.perf_counter() - started)
        connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    try:
        seconds, _ = work()
    finally:
        done.set()
        writer.join()
    return seconds, max(waits), len(waits)


if __name__ == "__main__":
    main()
