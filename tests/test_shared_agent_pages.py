"""A shared list's agents open under the same share link: only those the shared list shows, redacted
as the list is, and never once the link is revoked or expired."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.access.models import ShareLink
from dashboard.access.sharing import share_url
from tests.conftest import agent_record, expire_and_refresh
from tests.test_roles_and_sharing import SECRETS, create_share, leaks


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Billing EN", model="oppie-vox-2", **SECRETS),
            agent_record(id="odd/id ü", name="Billing odd", model="oppie-vox-2"),
            agent_record(id="a3", name="Support DE", model="oppie-vox"),
        ]
    )
    return upstream


def agent_links(html: str) -> list[str]:
    return re.findall(r'<a href="([^"]+)" class="agent-link', html)


def test_a_shared_list_links_each_agent_to_its_page_under_the_same_link(signed_in, client, fleet):
    link = create_share(signed_in, query="model=oppie-vox-2&sort=name")
    client.logout()
    shared = share_url(link)

    links = agent_links(client.get(shared).content.decode())

    assert links == [f"{shared}agents/a1/", f"{shared}agents/~b2RkL2lkIMO8/"]
    page = client.get(links[0])
    html = page.content.decode()
    assert page.status_code == 200
    assert "Billing EN" in html and leaks(html) == [] and "hidden-value" in html
    assert "Shared view</strong> from ops" in html
    assert f'<a href="{shared}" id="back-to-list">← Back to the shared list</a>' in html
    assert 'href="/findings/' not in html and 'href="/agents/' not in html  # nothing that asks to sign in
    assert "Billing odd" in client.get(links[1]).content.decode()


def test_an_agent_outside_the_shared_list_does_not_open_under_it(signed_in, client, fleet):
    link = create_share(signed_in, query="model=oppie-vox-2")
    client.logout()

    for agent_id in ("a3", "nobody"):
        response = client.get(f"{share_url(link)}agents/{agent_id}/")
        html = response.content.decode()
        assert response.status_code == 404
        assert "This agent is not part of the shared list." in html
        assert "Support DE" not in html and "oppie-vox<" not in html


def test_a_shared_list_filtered_by_a_hidden_field_opens_only_the_agents_it_lists(signed_in, client, fleet):
    link = create_share(signed_in, query="q=hooks.secret.example")  # only a1 has that webhook
    client.logout()

    assert agent_links(client.get(share_url(link)).content.decode()) == [f"{share_url(link)}agents/a1/"]
    assert client.get(f"{share_url(link)}agents/a1/").status_code == 200
    assert client.get(f"{share_url(link)}agents/a3/").status_code == 404


def test_a_shared_agent_link_opens_only_that_agent(signed_in, client, fleet):
    link = create_share(signed_in, agent_id="a1")
    client.logout()

    assert client.get(f"{share_url(link)}agents/a1/").status_code == 200
    other = client.get(f"{share_url(link)}agents/a3/")
    assert other.status_code == 404 and "Support DE" not in other.content.decode()


@pytest.mark.parametrize("spoil", ["revoke", "expire"])
def test_a_shared_agent_page_closes_with_its_link(signed_in, client, fleet, spoil):
    link = create_share(signed_in, query="model=oppie-vox-2")
    if spoil == "revoke":
        signed_in.post(f"/shares/{link.pk}/revoke/")
    else:
        ShareLink.objects.filter(pk=link.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    client.logout()

    response = client.get(f"{share_url(link)}agents/a1/")

    assert response.status_code == 404
    assert "This shared link does not open" in response.content.decode()
    assert "Billing EN" not in response.content.decode()


def test_a_shared_list_follows_the_fleet_as_its_filters_select_it(signed_in, client, fleet, clock):
    link = create_share(signed_in, query="model=oppie-vox-2")
    client.logout()
    fleet.set_agents(
        [agent_record(id="a1", name="Billing EN", model="oppie-vox"), agent_record(id="a3", model="oppie-vox-2")]
    )
    expire_and_refresh(clock)

    assert client.get(f"{share_url(link)}agents/a1/").status_code == 404
    assert client.get(f"{share_url(link)}agents/a3/").status_code == 200


def test_a_shared_list_whose_filter_no_longer_applies_shows_no_agent(signed_in, client, fleet, clock):
    """Dropping the filter, as a signed-in list does with a value nobody has, would widen what was shared."""
    link = create_share(signed_in, query="model=oppie-vox-2")
    client.logout()
    fleet.set_agents([agent_record(id="a1", model="oppie-vox"), agent_record(id="a3", model="oppie-vox")])
    expire_and_refresh(clock)

    page = client.get(share_url(link)).content.decode()

    assert agent_links(page) == []
    assert "any more: this shared list shows none for it" in page
    assert client.get(f"{share_url(link)}agents/a1/").status_code == 404


def test_picks_and_empty_parameters_are_not_shared(signed_in, fleet):
    link = create_share(signed_in, query="model=oppie-vox-2&q=&pick=a1&pick=a3&page=2")

    assert link.query == "model=oppie-vox-2"
