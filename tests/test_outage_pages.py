"""Outage pages keep their promises: the no-data page retries on its own with a countdown (and says
when without JavaScript), a page that says "refresh" has a Refresh button, and the DEMO_FAULT in
force is shown and honoured."""

import re

import pytest
from django.test import override_settings

from dashboard.demo.upstream import demo_fault, set_demo_fault
from tests.conftest import user_in


def test_the_no_data_page_counts_down_to_its_next_try_and_offers_one_now(signed_in, upstream):
    upstream.fault = "500"

    response = signed_in.get("/agents/?model=oppie-vox-2")
    html = response.content.decode()

    assert response.status_code == 503
    seconds = int(response["Retry-After"])
    assert 5 <= seconds <= 300
    assert f'id="retry" data-seconds="{seconds}" hidden' in html  # shown and run by switchboard.js
    assert f"It asks OpenCX again in about {seconds} s." in html
    assert 'href="/agents/?model=oppie-vox-2" id="retry-now">Try again now</a>' in html
    assert "reload it in a few seconds" not in html


def test_the_countdown_follows_the_back_off(signed_in, upstream, clock):
    upstream.fault = "500"
    signed_in.get("/agents/")
    clock.shift(10)  # the first failure waits 15 s before OpenCX is asked again

    assert 4 <= int(signed_in.get("/agents/")["Retry-After"]) <= 6


@pytest.fixture
def staff(client, django_user_model):
    client.force_login(user_in(django_user_model, "admin", "Operator", "Staff"))
    return client


def test_the_status_page_has_the_refresh_it_speaks_of(staff, upstream):
    html = staff.get("/status/").content.decode()

    refresh = re.search(r'<form method="post" action="/refresh/" id="status-refresh">.*?</form>', html, re.S)
    assert refresh and 'name="next" value="/status/"' in refresh.group(0)
    assert "Refresh now</button>" in refresh.group(0)


@pytest.fixture
def demo(settings):
    settings.DEMO_MODE = True
    settings.DEMO_FAULT = "503"


def test_the_demo_fault_in_force_is_shown_with_where_it_comes_from(staff, demo):
    html = staff.get("/o/production/status/").content.decode()

    assert re.search(r"In force: <strong>503</strong>, from <code>DEMO_FAULT</code>", html)
    assert 'value="503" id="fault-503" checked' in html


def test_a_choice_on_the_status_page_lasts_until_the_demo_starts_with_another_demo_fault(staff, demo, settings):
    staff.post("/o/production/status/demo-fault/", {"fault": ""})

    assert demo_fault() is None
    assert "In force: <strong>none (answers properly)</strong>, chosen here over <code>DEMO_FAULT=503</code>" in (
        staff.get("/o/production/status/").content.decode()
    )
    assert demo_fault("staging") == "503"  # each demo organization has its own
    with override_settings(DEMO_FAULT="429"):  # started again with another DEMO_FAULT: it applies
        assert demo_fault() == "429"
    assert demo_fault() is None  # and under the first one, the choice still holds


def test_a_choice_made_before_this_version_gives_way_to_demo_fault(demo):
    from django.core.cache import cache

    from dashboard.demo.upstream import PRODUCTION, _fault_key

    cache.set(_fault_key(PRODUCTION), "none", timeout=None)  # how a choice used to be kept

    assert demo_fault() == "503"
    set_demo_fault("500")
    assert demo_fault() == "500"
