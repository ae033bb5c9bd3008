"""/status/ for staff, /readyz for machines, and the demo's fault control."""

import pytest

from dashboard.snapshots import service
from dashboard.snapshots.service import SnapshotUnavailable, get_snapshot
from tests.conftest import TEST_TOKEN, expire_and_refresh, user_in


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    return client


def test_staff_see_the_upstream_figures(staff, upstream, clock):
    get_snapshot()
    upstream.fault = "503"
    expire_and_refresh(clock)

    html = staff.get("/status/").content.decode()

    assert "failing: serving stale data" in html
    assert "30 agents" in html
    assert "failed with HTTP 503" in html
    assert 'Failures in a row</dt><dd class="col-sm-7">1<' in html
    # The refresh and one immediate retry; the first read and the voices list were ten minutes ago.
    assert "2 of 30 allowed" in html
    assert TEST_TOKEN not in html


def test_the_status_page_is_for_staff_only(signed_in, client, upstream):
    response = signed_in.get("/status/")

    assert response.status_code == 403
    assert "Not allowed" in response.content.decode()
    assert b'href="/status/"' not in signed_in.get("/agents/").content


def test_readyz_is_unavailable_before_any_data_and_starts_the_first_read_without_waiting(
    client, upstream, background_refreshes
):
    upstream.fault, upstream.slow_seconds = "slow", 0.3

    response = client.get("/readyz")
    service.wait_for_refresh()

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
    assert client.get("/readyz").json()["status"] == "ok"
    assert upstream.calls == 1


def test_readyz_does_not_call_upstream_while_data_is_fresh(client, upstream):
    get_snapshot()

    for _ in range(5):
        assert client.get("/readyz").status_code == 200

    assert upstream.calls == 1


def test_readyz_reports_ok_then_stale(client, upstream, clock):
    get_snapshot()
    assert client.get("/readyz").json()["status"] == "ok"

    upstream.fault = "500"
    expire_and_refresh(clock)
    body = client.get("/readyz").json()

    assert client.get("/readyz").status_code == 200
    assert body["status"] == "stale"
    assert body["agents"] == 30
    assert body["consecutive_failures"] == 1
    assert body["snapshot_age_seconds"] >= 600
    assert "reason" not in body  # details are for signed-in staff


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.DEMO_FAULT = ""


def test_staff_can_make_the_demo_upstream_misbehave_and_back(staff, demo, clock):
    get_snapshot()

    response = staff.post("/status/demo-fault/", {"fault": "401"}, follow=True)
    refreshed = staff.post("/refresh/", {"next": "/agents/"}, follow=True)

    assert "The demo upstream now rejects the token (HTTP 401)" in response.content.decode()
    assert "reused" in refreshed.content.decode() or "rejected the token" in refreshed.content.decode()
    expire_and_refresh(clock)
    assert "rejected the token" in staff.get("/agents/").content.decode()

    staff.post("/status/demo-fault/", {"fault": ""})
    recovered = staff.post("/refresh/", {"next": "/agents/"}, follow=True).content.decode()
    assert "Refreshed: 150 agents" in recovered
    assert "Stale data" not in recovered


def test_an_unknown_demo_fault_changes_nothing(staff, demo):
    response = staff.post("/status/demo-fault/", {"fault": "meteor"}, follow=True)

    assert "nothing was changed" in response.content.decode()
    assert len(get_snapshot().agents) == 150


def test_only_staff_choose_demo_faults(signed_in, demo):
    assert signed_in.post("/status/demo-fault/", {"fault": "500"}).status_code == 403


def test_there_are_no_demo_faults_outside_demo_mode(staff, upstream):
    assert staff.post("/status/demo-fault/", {"fault": "500"}).status_code == 404


def test_demo_fault_from_the_environment_applies_from_the_start(client, settings):
    settings.DEMO_MODE = True
    settings.DEMO_FAULT = "html"

    assert client.get("/readyz").status_code == 503
    with pytest.raises(SnapshotUnavailable, match="not JSON"):
        get_snapshot()
