"""The production back ends, against the real PostgreSQL and Redis servers `tests/servers.py` starts.

Run by `make test` through `python -m tests.servers`; skipped in a run without DATABASE_URL
and REDIS_URL. The same run also repeats the service, worker-process and change-history tests
on these back ends (see the Makefile).
"""

import math
import os
import threading

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from dashboard.history.models import AgentChange, AgentState
from dashboard.history.record import record_snapshot
from dashboard.opencx.errors import UpstreamUnavailable
from dashboard.snapshots import backoff, service, storage
from dashboard.snapshots.service import get_snapshot, refresh_snapshot
from tests.conftest import agent_record

pytestmark = [
    pytest.mark.backends,
    pytest.mark.skipif(
        not (os.environ.get("DATABASE_URL") and os.environ.get("REDIS_URL")),
        reason="needs the PostgreSQL and Redis of `python -m tests.servers` (make test runs them)",
    ),
]


@pytest.mark.django_db
def test_the_settings_chose_postgresql_and_redis():
    assert connection.vendor == "postgresql"
    assert settings.CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert type(cache._cache).__name__ == "RedisCacheClient"
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM auth_group WHERE name IN ('Viewer', 'Operator', 'Staff')")
        assert cursor.fetchone()[0] == 3  # the migrations ran on PostgreSQL


def test_redis_add_admits_exactly_one_of_many_racers():
    winners = []
    barrier = threading.Barrier(16)

    def race(n):
        barrier.wait()
        if cache.add("switchboard:test:race", n, timeout=30):
            winners.append(n)

    threads = [threading.Thread(target=race, args=(n,)) for n in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(winners) == 1


def test_a_snapshot_is_stored_in_redis_and_read_back_after_a_restart(upstream):
    first = get_snapshot()
    service.forget_local_state()  # as a new worker process would start

    again = get_snapshot()

    assert again.version == first.version and len(again.agents) == 30
    assert upstream.calls == 1
    assert cache.get(storage.current_key("default"))["agents"] == 30


def test_a_failed_refresh_backs_off_in_redis(upstream, clock):
    get_snapshot()
    clock.shift(10)
    upstream.fault = "500"

    with pytest.raises(UpstreamUnavailable, match="HTTP 500"):
        refresh_snapshot()

    failure = cache.get(backoff.failure_key("default"))
    assert failure["failures"] == 1 and failure["retry_at"] > timezone.now()


@pytest.mark.django_db(transaction=True)
def test_change_history_records_on_postgresql_with_values_jsonb_refuses():
    hostile = agent_record(speed=math.nan, first_message="nul\x00byte", tts_speed_pct=2**70)
    ids = ["agent-1"]

    record_snapshot([agent_record()], ids, recorded_at=timezone.now(), source="test")
    revision = record_snapshot([hostile], ids, recorded_at=timezone.now(), source="test")

    change = AgentChange.objects.get(revision=revision)
    assert change.field_names == ["speed", "tts_speed_pct", "first_message"]  # in the registry's order
    assert change.after == {"speed": None, "first_message": "nul\ufffdbyte", "tts_speed_pct": 2**70}
    assert AgentState.objects.get(agent_id="agent-1").record["first_message"] == "nul\ufffdbyte"
