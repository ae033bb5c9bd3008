"""The living demo: a few agents change every few minutes, deterministically, and a fresh demo has a past."""

import re
from datetime import UTC, datetime, timedelta

import pytest

from dashboard.demo import living
from dashboard.demo.fleet import demo_fleet
from dashboard.demo.upstream import stop_demo_upstream
from dashboard.history.models import AgentChange, FleetRevision
from tests.conftest import expire_and_refresh

SLOT_START = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a multiple of five minutes


@pytest.fixture
def demo(settings, history, monkeypatch):
    settings.DEMO_MODE = True
    settings.DEMO_AGENTS = 40
    monkeypatch.setattr(living, "HISTORY_STEP", timedelta(hours=6))  # the same past, sampled less often


def differing(before, after):
    return [old["id"] for old, new in zip(before, after, strict=True) if old != new]


def test_the_fleet_is_the_same_for_everyone_at_the_same_moment():
    assert living.living_fleet(150, SLOT_START) == living.living_fleet(150, SLOT_START + timedelta(minutes=4))


def test_one_agent_changes_every_five_minutes_and_says_when():
    now = living.living_fleet(150, SLOT_START)
    later = living.living_fleet(150, SLOT_START + living.SLOT)

    (changed,) = differing(now, later)
    agent = next(record for record in later if record["id"] == changed)
    assert agent["updated_at"] == "2026-11-25T12:05:00Z"
    assert len(differing(demo_fleet(150), now)) == 15  # every tenth agent lives; the rest stay as they were


def test_a_fresh_demo_starts_with_two_weeks_of_changes_and_gets_new_ones_within_ten_minutes(signed_in, demo, clock):
    overview = signed_in.get("/").content.decode()
    changes = signed_in.get("/o/production/changes/?period=all").content.decode()

    first = FleetRevision.objects.filter(org="production").order_by("recorded_at").first()
    assert first.baseline and timedelta(days=13) < clock_now() - first.recorded_at < timedelta(days=14, minutes=1)
    assert int(re.search(r'id="stat-changes".*?data-count="(\d+)"', overview, re.S).group(1)) > 0
    assert 'data-kind="changed"' in changes
    assert FleetRevision.objects.filter(org="staging", baseline=True).exists()  # staging has its own past
    before = AgentChange.objects.filter(org="production").count()

    expire_and_refresh(clock, 600)

    assert AgentChange.objects.filter(org="production").count() > before
    assert AgentChange.objects.order_by("-recorded_at").first().recorded_at > clock_now() - timedelta(minutes=1)


def test_a_demo_with_history_already_is_not_given_another_past(signed_in, demo, clock):
    signed_in.get("/")
    revisions = FleetRevision.objects.filter(org="production").count()
    stop_demo_upstream()  # as a restart would

    expire_and_refresh(clock, 600)

    assert FleetRevision.objects.filter(org="production").count() == revisions + 1


def clock_now():
    from django.utils import timezone

    return timezone.now()
