"""A removed agent's page says it was removed and when, and shows its settings as last recorded
(redacted for the reader) above its history; an id never seen still reads as not found."""

import pytest

from dashboard.snapshots.service import get_snapshot
from tests.conftest import agent_record, expire_and_refresh
from tests.test_roles_and_sharing import SECRETS, leaks


@pytest.fixture
def removed(history, upstream, clock):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Billing EN"),
            agent_record(id="gone", name="Old Support", model="oppie-vox", language=["de"], **SECRETS),
        ]
    )
    get_snapshot()  # the baseline
    upstream.set_agents([agent_record(id="a1", name="Billing EN")])
    expire_and_refresh(clock)
    return upstream


def test_a_removed_agents_page_says_it_was_removed_when_and_how_it_was_set(signed_in, removed):
    response = signed_in.get("/agents/gone/")
    html = response.content.decode()

    assert response.status_code == 404
    assert 'Old Support <span class="badge tone-3 align-middle">removed</span>' in html
    assert "This agent was removed from the fleet" in html and "the first read of OpenCX without it" in html
    assert "mistyped" not in html
    last_known = html.split('id="last-known"')[1].split('id="history"')[0]
    assert 'id="field-model"' in last_known and "oppie-vox" in last_known
    assert 'id="field-language"' in last_known and ">de<" in last_known
    assert html.index('id="last-known"') < html.index('id="history"')
    assert "No longer in the fleet" in html  # its history still follows


def test_a_viewer_sees_a_removed_agents_last_settings_redacted(viewer_client, removed):
    html = viewer_client.get("/agents/gone/").content.decode()

    assert "Old Support" in html and leaks(html) == [] and "hidden-value" in html


def test_an_id_never_seen_is_still_not_found(signed_in, removed):
    html = signed_in.get("/agents/never-was/").content.decode()

    assert "Agent not found" in html and "This agent was removed" not in html
