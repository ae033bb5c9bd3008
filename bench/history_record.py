"""Change-history benchmark: recording a 50,000-agent snapshot in which 100 agents differ.

In a fresh database (SQLite in a temporary DATA_DIR, or whatever DATABASE_URL names), with
the records decoded from JSON as the service receives them:

* the baseline, the first recording, which stores every agent once;
* snapshots with nothing changed: hashing every agent and comparing, no write;
* a snapshot with 100 agents differing (60 changed, 20 added, 20 removed), then the reverse,
  alternately, so every run records 100 changes: the figure the issue asks about.

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

    print(f"Change history on {connection.vendor}, {options.agents:,} agents")
    print(f"  baseline (every agent stored once)       {baseline:7.2f} s")
    for label, seconds in [("nothing changed (hash and compare only)", unchanged), ("100 agents differ", runs)]:
        print(f"  {label}, median of {len(seconds)}: {statistics.median(seconds):.2f} s  (max {max(seconds):.2f} s)")


if __name__ == "__main__":
    main()
