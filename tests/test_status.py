"""/status/ for staff, and the demo's fault control (machines read /readyz: tests/test_probes.py)."""

import pytest

from dashboard.demo.upstream import DEMO_ORGS
from dashboard.snapshots.service import SnapshotUnavailable, get_snapshot
from tests.conftest import TEST_TOKEN, expire_and_refresh, user_in


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    return client


def test_staff_see_the_upstream_figures(staff, upstream, clock):
    get_snapshot()
    upstream.fault = "500"  # not retried, so the count below does not depend on timing
    expire_and_refresh(clock)

    html = staff.get("/status/").content.decode()

    assert "failing: serving stale data" in html
    assert "30 agents" in html
    assert "failed with HTTP 500" in html
    assert 'Failures in a row</dt><dd class="col-sm-7">1<' in html
    # The refresh; the first read and the voices list were ten minutes ago.
    assert "1 of 30 allowed" in html
    assert TEST_TOKEN not in html


def test_the_status_page_is_for_staff_only(signed_in, client, upstream):
    response = signed_in.get("/status/")

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert b'href="/status/"' not in signed_in.get("/agents/").content


PRODUCTION = DEMO_ORGS[0]


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.DEMO_FAULT = ""


def test_staff_can_make_the_demo_upstream_misbehave_and_back(staff, demo, clock):
    get_snapshot(PRODUCTION)

    response = staff.post("/o/production/status/demo-fault/", {"fault": "401"}, follow=True)
    refreshed = staff.post("/o/production/refresh/", {"next": "/o/production/agents/"}, follow=True)

    assert "The demo upstream now rejects the token (HTTP 401)" in response.content.decode()
    assert "reused" in refreshed.content.decode() or "rejected the token" in refreshed.content.decode()
    expire_and_refresh(clock)
    assert "rejected the token" in staff.get("/o/production/agents/").content.decode()

    staff.post("/o/production/status/demo-fault/", {"fault": ""})
    waiting = staff.post("/o/production/refresh/", {"next": "/o/production/agents/"}, follow=True).content.decode()
    recovered = staff.post(
        "/o/production/refresh/", {"next": "/o/production/agents/", "force": "1"}, follow=True
    ).content.decode()
    assert "not sooner, so that it can recover" in waiting  # the back-off holds, until staff force a read
    assert "Refreshed: 150 agents" in recovered
    assert "Stale data" not in recovered


def test_an_unknown_demo_fault_changes_nothing(staff, demo):
    response = staff.post("/o/production/status/demo-fault/", {"fault": "meteor"}, follow=True)

    assert "nothing was changed" in response.content.decode()
    assert len(get_snapshot(PRODUCTION).agents) == 150


def test_only_staff_choose_demo_faults(signed_in, demo):
    assert signed_in.post("/o/production/status/demo-fault/", {"fault": "500"}).status_code == 403


def test_there_are_no_demo_faults_outside_demo_mode(staff, upstream):
    assert staff.post("/o/production/status/demo-fault/", {"fault": "500"}).status_code == 404


def test_demo_fault_from_the_environment_applies_from_the_start(client, settings):
    settings.DEMO_MODE = True
    settings.DEMO_FAULT = "html"

    with pytest.raises(SnapshotUnavailable, match="not JSON"):
        get_snapshot(PRODUCTION)
