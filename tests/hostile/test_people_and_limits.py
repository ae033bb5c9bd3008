"""What people and anonymous clients can do and learn (issue 23, items 4, 5 and 6): share links,
tokens and sessions follow the person; the public demo's shared account changes nothing others
see; wrong tokens, the API limit, /readyz and organization URLs tell an outsider nothing."""

import pytest
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.test import Client

from dashboard.access.models import OrgGrant
from dashboard.access.sharing import create_share, share_url
from dashboard.api.tokens import issue_token
from tests.conftest import agent_record, grant, user_in

pytestmark = pytest.mark.django_db

SECRET_WEBHOOK = "https://hooks.secret.example/abc"
METRICS_TOKEN = "metrics-test-token-people-5c1e"


@pytest.fixture
def fleet(upstream):
    upstream.set_agents([agent_record(id="a1", data_collection_webhook_url=SECRET_WEBHOOK)])
    return upstream


@pytest.fixture
def sharer(django_user_model):
    return user_in(django_user_model, "sharer", "Operator")


def session_of(user) -> Client:
    """A browser of its own, signed in as `user`."""
    browser = Client()
    browser.force_login(user)
    return browser


def still_signed_in(browser: Client) -> bool:
    return browser.get("/agents/").status_code == 200


# --- share links, tokens and sessions follow the person -----------------------------------------


def test_it_closes_a_share_link_once_its_creator_is_deactivated(client, fleet, sharer):
    link = create_share(user=sharer, agent_id="a1", title="Billing")
    assert client.get(share_url(link)).status_code == 200

    sharer.is_active = False
    sharer.save()
    response = client.get(share_url(link))

    assert response.status_code == 404
    assert "no longer has access" in response.content.decode()
    assert "Billing EN" not in response.content.decode()


def test_it_closes_a_share_link_once_its_creator_is_demoted_to_viewer(client, fleet, sharer):
    link = create_share(user=sharer, agent_id="a1", title="Billing")

    sharer.groups.set(Group.objects.filter(name="Viewer"))
    response = client.get(share_url(link))

    assert response.status_code == 404
    assert "no longer has access" in response.content.decode()


def test_it_closes_a_share_link_once_its_creator_is_only_a_viewer_of_its_organization(client, two_orgs, sharer):
    from dashboard.orgs.registry import org_named

    link = create_share(user=sharer, org=org_named("a"), query="", title="Alpha list")
    assert client.get(share_url(link)).status_code == 200

    grant(sharer, a="Viewer", b="Operator")
    response = client.get(share_url(link))

    assert response.status_code == 404
    assert "no longer has access" in response.content.decode()


def test_a_demoted_owners_token_reads_with_the_lower_role(client, fleet, sharer):
    _, token = issue_token(sharer, "script")
    before = client.get("/api/v1/agents/a1/", HTTP_AUTHORIZATION=f"Bearer {token}").json()

    sharer.groups.set(Group.objects.filter(name="Viewer"))
    after = client.get("/api/v1/agents/a1/", HTTP_AUTHORIZATION=f"Bearer {token}")

    assert before["fields"]["data_collection_webhook_url"] == SECRET_WEBHOOK
    assert after.status_code == 200
    assert SECRET_WEBHOOK not in after.content.decode()
    assert "data_collection_webhook_url" in after.json()["hidden"]


def test_a_deactivated_owners_token_is_refused(client, fleet, sharer):
    _, token = issue_token(sharer, "script")

    sharer.is_active = False
    sharer.save()

    assert client.get("/api/v1/agents/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401


def test_it_ends_the_sessions_of_a_deactivated_person_so_reactivating_them_does_not_bring_them_back(
    fleet, sharer, django_user_model
):
    browser = session_of(sharer)
    bystander = session_of(user_in(django_user_model, "bystander", "Viewer"))

    sharer.is_active = False
    sharer.save()
    sharer.is_active = True
    sharer.save()

    assert not still_signed_in(browser)
    assert still_signed_in(bystander)


def test_it_ends_the_sessions_of_a_person_removed_from_a_role(fleet, sharer):
    browser = session_of(sharer)

    sharer.groups.remove(Group.objects.get(name="Operator"))

    assert not still_signed_in(browser)


def test_it_ends_the_sessions_of_everyone_a_role_is_taken_from(fleet, sharer, django_user_model):
    others = user_in(django_user_model, "other-op", "Operator")
    browsers = [session_of(sharer), session_of(others)]

    Group.objects.get(name="Operator").user_set.clear()

    assert not any(still_signed_in(browser) for browser in browsers)


def test_it_ends_the_sessions_of_a_person_whose_organization_role_is_lowered(two_orgs, sharer):
    grant(sharer, a="Operator", b="Operator")
    browser = session_of(sharer)

    grant(sharer, a="Viewer")

    assert not still_signed_in(browser)


def test_it_ends_the_sessions_of_a_person_given_a_first_organization_role(two_orgs, sharer):
    browser = session_of(sharer)  # sees both organizations, through the Operator group

    grant(sharer, a="Operator")  # from now on only a

    assert not still_signed_in(browser)


def test_it_ends_the_sessions_of_a_person_losing_one_of_their_organizations(two_orgs, sharer):
    grant(sharer, a="Operator", b="Operator")
    browser = session_of(sharer)

    OrgGrant.objects.get(user=sharer, org="b").delete()

    assert not still_signed_in(browser)


def test_it_keeps_the_sessions_when_a_person_signs_in_again_or_is_given_more(fleet, sharer):
    browser = session_of(sharer)
    Client().force_login(sharer)  # a sign-in elsewhere saves the account (its last sign-in)

    sharer.groups.add(Group.objects.get(name="Staff"))
    sharer.first_name = "Sam"
    sharer.save()

    assert still_signed_in(browser)
    assert Session.objects.count() == 2
