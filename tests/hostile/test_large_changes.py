"""A large change from OpenCX: recording a change of the whole fleet never holds the database for
long. (A read of another organization's fleet is held back: tests/test_shrink_guard.py.)"""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Records a baseline of 10,000 agents in a database file set up as in production (SQLite, WAL,
# IMMEDIATE transactions), then a change of every agent in one thread while another thread keeps
# writing to the cache table as requests do (sessions, the refresh lock), and prints how many of
# those writes got in while the recording was part way (some of its changes written, not all).
RECORD_WHILE_WRITING = """
import json, threading, django
django.setup()
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from dashboard.history.models import AgentChange
from dashboard.history.record import record_snapshot
call_command("migrate", verbosity=0)
connection.cursor().execute("PRAGMA busy_timeout = 60000")
agents = 10000
fleet = [{"id": f"agent-{n}", "name": f"Agent {n}", "instructions": ["Be kind. " * 40]} for n in range(agents)]
record_snapshot(fleet, [r["id"] for r in fleet], recorded_at=timezone.now(), source="test")
changed = [dict(record, name=record["name"] + " (renamed)") for record in fleet]
recording = threading.Event()
done = threading.Event()
seen = []  # after each write: how many changes were recorded then

def write_while_recording():
    connection.cursor().execute("PRAGMA busy_timeout = 60000")
    recording.wait()
    while not done.is_set():
        cache.set("probe", len(seen))
        seen.append(AgentChange.objects.count())

writer = threading.Thread(target=write_while_recording)
writer.start()
recording.set()
record_snapshot(changed, [r["id"] for r in changed], recorded_at=timezone.now(), source="test")
done.set()
writer.join()
part_way = sum(1 for count in seen if 0 < count < agents)
print(json.dumps({"part_way": part_way, "writes": len(seen), "changes": AgentChange.objects.count()}))
"""


def test_recording_a_change_of_every_agent_lets_other_writes_in(tmp_path):
    env = {
        "PATH": os.environ["PATH"],
        "DJANGO_SETTINGS_MODULE": "dashboard.settings",
        "DATA_DIR": str(tmp_path),
        "HISTORY_RETENTION_DAYS": "90",
    }
    run = subprocess.run(
        [sys.executable, "-c", RECORD_WHILE_WRITING], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout.strip().splitlines()[-1])

    assert result["changes"] == 10_000
    assert result["writes"] > 1
    # Recorded in batches of 500 agents, each its own short transaction, other writes get in between
    # them; recording all 10,000 in one transaction held every other write out until it ended.
    assert result["part_way"] > 0, result
