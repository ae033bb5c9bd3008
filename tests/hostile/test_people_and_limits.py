"""What people and anonymous clients can do and learn (issue 23, items 4, 5 and 6): share links,
tokens and sessions follow the person; the public demo's shared account changes nothing others
see; wrong tokens, the API limit, /readyz and organization URLs tell an outsider nothing."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.core.checks import Tags, run_checks
from django.test import Client

from dashboard.access.models import AuditEvent, OrgGrant, ShareLink
from dashboard.access.sharing import create_share, share_url
from dashboard.api.tokens import issue_token
from dashboard.demo.accounts import DEMO_PASSWORD, DEMO_USERNAME, sync_demo_account
from dashboard.orgs.registry import org_named, organizations
from dashboard.snapshots.service import get_snapshot
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


# --- what anonymous clients cost and learn -------------------------------------------------------


def api_get(client: Client, url: str, token: str, address: str = "203.0.113.7"):
    return client.get(url, HTTP_AUTHORIZATION=f"Bearer {token}", REMOTE_ADDR=address)


def test_it_answers_429_to_an_address_past_the_wrong_token_limit_and_audits_it_once(client, upstream, settings):
    settings.API_WRONG_TOKENS_PER_MINUTE = 3

    statuses = [api_get(client, "/api/v1/status/", f"sbt_guess{n}").status_code for n in range(5)]
    refused = api_get(client, "/api/v1/status/", "sbt_guess-again")

    assert statuses == [401, 401, 401, 429, 429]
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "Too many wrong API tokens" in refused.json()["detail"]
    assert AuditEvent.objects.filter(action=AuditEvent.API_REFUSED).count() == 1


def test_a_right_token_still_works_from_an_address_past_the_wrong_token_limit(client, upstream, sharer, settings):
    # One script's wrong token must not lock out everyone behind the same address (an office's NAT).
    settings.API_WRONG_TOKENS_PER_MINUTE = 1
    _, right = issue_token(sharer, "script")
    api_get(client, "/api/v1/status/", "sbt_guess")

    assert api_get(client, "/api/v1/status/", "sbt_guess-again").status_code == 429
    assert api_get(client, "/api/v1/status/", right).status_code == 200


def test_it_counts_an_ipv6_client_by_its_network_not_by_each_address(client, upstream, settings):
    settings.API_WRONG_TOKENS_PER_MINUTE = 3

    statuses = [
        api_get(client, "/api/v1/status/", f"sbt_guess{n}", address=f"2001:db8:5:7::{n + 1:x}").status_code
        for n in range(6)
    ]
    elsewhere = api_get(client, "/api/v1/status/", "sbt_guess", address="2001:db8:5:8::1")

    assert statuses == [401, 401, 401, 429, 429, 429]
    assert elsewhere.status_code == 401
    assert AuditEvent.objects.filter(action=AuditEvent.API_REFUSED).count() == 2


def test_it_audits_a_bounded_number_of_wrong_tokens_however_many_addresses_send_them(client, upstream):
    from dashboard.api.throttling import AUDITED_PER_MINUTE

    statuses = {
        api_get(client, "/api/v1/status/", "sbt_guess", address=f"198.18.{n // 250}.{n % 250 + 1}").status_code
        for n in range(AUDITED_PER_MINUTE + 15)
    }

    assert statuses == {401}
    assert AuditEvent.objects.filter(action=AuditEvent.API_REFUSED).count() == AUDITED_PER_MINUTE


def test_it_lets_an_address_try_again_once_the_window_has_passed(client, upstream, settings, clock):
    settings.API_WRONG_TOKENS_PER_MINUTE = 1
    api_get(client, "/api/v1/status/", "sbt_guess")
    assert api_get(client, "/api/v1/status/", "sbt_guess").status_code == 429

    clock.shift(61)

    assert api_get(client, "/api/v1/status/", "sbt_guess").status_code == 401


def test_the_api_limit_is_per_person_however_many_tokens_they_make(
    client, upstream, sharer, settings, django_user_model
):
    settings.API_REQUESTS_PER_MINUTE = 2
    tokens = [issue_token(sharer, f"script {n}")[1] for n in range(3)]
    _, someone_else = issue_token(user_in(django_user_model, "other", "Viewer"), "report")

    statuses = [api_get(client, "/api/v1/status/", token).status_code for token in tokens]

    assert statuses == [200, 200, 429]
    assert api_get(client, "/api/v1/status/", someone_else).status_code == 200


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = METRICS_TOKEN


def test_readyz_tells_a_client_without_the_metrics_token_no_organization_nor_count(client, two_orgs, metrics_token):
    for org in organizations():
        get_snapshot(org)

    anonymous = client.get("/readyz")
    scraper = client.get("/readyz", HTTP_AUTHORIZATION=f"Bearer {METRICS_TOKEN}")

    assert anonymous.status_code == 200 and anonymous.json()["status"] == "ok"
    assert set(anonymous.json()) == {"status", "checks", "failed"}
    assert "Alpha" not in anonymous.content.decode() and "agents" not in anonymous.content.decode()
    assert scraper.status_code == 200 and set(scraper.json()["organizations"]) == {"a", "b"}


def test_readyz_keeps_its_503_for_a_client_without_the_metrics_token(client, upstream, metrics_token):
    upstream.fault = "500"  # the first read fails: nothing to serve

    response = client.get("/readyz", HTTP_AUTHORIZATION="Bearer a-guess")

    assert response.status_code == 503
    assert response.json() == {
        "status": "unavailable",
        "checks": {"database": "ok", "cache": "ok", "snapshot": response.json()["checks"]["snapshot"]},
        "failed": ["snapshot"],
    }


def same_answer(first, second) -> bool:
    """The same status and body, but for the CSRF token's mask, which is new on every page."""

    def body(response) -> str:
        return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())

    return (first.status_code, body(first)) == (second.status_code, body(second))


@pytest.fixture
def only_a(two_orgs, django_user_model):
    return grant(user_in(django_user_model, "alice", "Viewer"), a="Operator")


@pytest.mark.parametrize("page", ["", "agents/", "api/v1/agents/", "api/v1/status/", "changes/"])
def test_an_organization_one_may_not_see_answers_as_one_that_does_not_exist_to_a_session(client, only_a, page):
    client.force_login(only_a)

    assert same_answer(client.get(f"/o/b/{page}"), client.get(f"/o/made-up/{page}"))
    assert client.get(f"/o/b/{page}").status_code == 404


@pytest.mark.parametrize("page", ["api/v1/agents/", "api/v1/status/", "api/v1/agents/a-agent-1/"])
def test_an_organization_one_may_not_see_answers_as_one_that_does_not_exist_to_a_token(client, only_a, page):
    _, token = issue_token(only_a, "script")

    forbidden, made_up = (api_get(client, f"/o/{slug}/{page}", token) for slug in ("b", "made-up"))

    assert forbidden.status_code == 404 and same_answer(forbidden, made_up)


@pytest.mark.parametrize("page", ["", "agents/", "api/v1/agents/", "api/v1/status/"])
@pytest.mark.parametrize("token", [None, "sbt_wrong"])
def test_a_stranger_cannot_tell_a_real_organization_from_a_made_up_one(client, two_orgs, page, token):
    headers = {} if token is None else {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    real, made_up = (client.get(f"/o/{slug}/{page}", **headers) for slug in ("b", "made-up"))

    assert real.status_code in (302, 401)
    assert real.status_code == made_up.status_code
    assert same_answer(real, made_up)
    assert real.get("Location", "").replace("/o/b/", "/o/made-up/") == made_up.get("Location", "")


# --- the public demo: one account for every visitor ----------------------------------------------


@pytest.fixture
def public_demo(settings):
    """DEMO_MODE=1 with DEBUG=0, signed in as the demo account, as every visitor is."""
    settings.DEMO_MODE, settings.DEBUG = True, False
    sync_demo_account()
    visitor = Client()
    visitor.force_login(get_user_model().objects.get(username=DEMO_USERNAME))
    return visitor


def test_the_public_demo_account_browses_the_admin_and_status_page(public_demo):
    for page in ("/admin/", "/admin/auth/user/", "/admin/auth/group/", "/admin/password_change/"):
        assert public_demo.get(page).status_code == 200, page


def test_the_public_demo_account_cannot_read_who_else_visited(public_demo):
    other = Client(REMOTE_ADDR="198.51.100.23")
    other.post("/login/", {"username": DEMO_USERNAME, "password": "wrong"})
    other.post("/login/", {"username": DEMO_USERNAME, "password": DEMO_PASSWORD})
    pages = ("/admin/access/auditevent/", "/admin/axes/accesslog/", "/admin/axes/accessattempt/")

    answers = {page: public_demo.get(page) for page in pages}

    assert {page: answer.status_code for page, answer in answers.items()} == dict.fromkeys(pages, 403)
    assert not any(b"198.51.100.23" in answer.content for answer in answers.values())
    assert "pages that record visits" in answers[pages[0]].content.decode()


def test_the_public_demo_account_cannot_change_the_demo_password(public_demo):
    response = public_demo.post(
        "/admin/password_change/",
        {"old_password": DEMO_PASSWORD, "new_password1": "locked out 4 all", "new_password2": "locked out 4 all"},
    )

    assert response.status_code == 403 and "public demo" in response.content.decode()
    assert get_user_model().objects.get(username=DEMO_USERNAME).check_password(DEMO_PASSWORD)


def test_the_public_demo_account_cannot_add_accounts_nor_change_roles(public_demo):
    demo = get_user_model().objects.get(username=DEMO_USERNAME)
    added = public_demo.post(
        "/admin/auth/user/add/", {"username": "backdoor", "password1": "s3cret pass!", "password2": "s3cret pass!"}
    )
    changed = public_demo.post(f"/admin/auth/user/{demo.pk}/delete/", {"post": "yes"})

    assert (added.status_code, changed.status_code) == (403, 403)
    assert list(get_user_model().objects.values_list("username", flat=True)) == [DEMO_USERNAME]


@pytest.mark.parametrize(
    "url, data",
    [
        ("/status/demo-fault/", {"fault": "500"}),
        ("/tokens/", {"name": "mine"}),
        ("/shares/new/", {"title": "x", "days": "7"}),
        ("/agents/columns/", {"columns": ["name"]}),
    ],
)
def test_the_public_demo_account_cannot_make_a_choice_every_visitor_would_get(public_demo, url, data):
    from dashboard.demo.upstream import DEMO_ORGS

    response = public_demo.post(f"/o/{DEMO_ORGS[0].slug}{url}", data)

    assert response.status_code == 403 and "public demo" in response.content.decode()


def test_a_developers_demo_keeps_every_feature(settings):
    settings.DEMO_MODE, settings.DEBUG = True, True
    sync_demo_account()
    developer = Client()
    developer.force_login(get_user_model().objects.get(username=DEMO_USERNAME))
    from dashboard.demo.upstream import DEMO_ORGS

    response = developer.post(f"/o/{DEMO_ORGS[0].slug}/status/demo-fault/", {"fault": ""})

    assert response.status_code == 302


def test_the_deploy_check_finds_every_active_account_with_the_demo_password(settings, django_user_model):
    settings.DEMO_MODE = False
    django_user_model.objects.create_user("backdoor", "x@example.com", DEMO_PASSWORD)
    django_user_model.objects.create_user("retired", "r@example.com", DEMO_PASSWORD, is_active=False)
    django_user_model.objects.create_user("careful", "c@example.com", "a strong passphrase")

    found = run_checks(include_deployment_checks=True, tags=[Tags.security])

    assert [message.msg for message in found if message.id == "switchboard.E021"] == [
        "The account 'backdoor' is active and signs in with the demo password, outside demo mode."
    ]


def test_it_makes_no_share_link_to_an_agent_that_does_not_exist(signed_in, upstream):
    page = signed_in.post("/shares/new/", {"agent_id": "no-such-agent\x00"}, follow=True).content.decode()

    assert "there is no such agent" in page
    assert not ShareLink.objects.exists()


def test_a_shared_list_query_with_a_nul_is_kept_without_it(signed_in, upstream):
    signed_in.post("/shares/new/", {"query": "q=bill\x00ing"})

    link = ShareLink.objects.get()
    assert "\x00" not in link.title and "\x00" not in link.query and "billing" in link.title
