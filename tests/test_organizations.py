"""Several organizations (#18): each organization's pages, exports, API and share links are its own;
a person granted one organization never meets another's agents; one organization's failing upstream
or spent call budget holds up no other; an upgraded single-organization database keeps its history
as organization "default".

Two fake OpenCX APIs on loopback, each with a token of its own: organization "a" (Alpha Org) whose
agents all carry "alphamark", and "b" (Bravo Org) whose agents carry "bravomark"; both have an
agent "shared-1" (`conftest.two_orgs`).
"""

import io
import json
import re
import threading
from datetime import timedelta
from typing import Any

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone
from openpyxl import load_workbook

from dashboard.access.sharing import create_share, share_url
from dashboard.api.tokens import issue_token
from dashboard.demo.server import FakeOpenCX
from dashboard.history.models import AgentChange, AgentState, FleetRevision
from dashboard.orgs.registry import org_named
from dashboard.snapshots import service
from tests.conftest import TEST_TOKEN, agent_record, expire_and_refresh, grant, org_fleet, user_in

A_AGENTS = {"alphamark-agent-1", "alphamark-agent-2", "alphamark-agent-3", "shared-1"}
B_AGENTS = {"bravomark-agent-1", "bravomark-agent-2", "shared-1"}


@pytest.fixture(autouse=True)
def every_thread_stopped() -> Any:
    """Whatever a test started (fake APIs, their connections, background refreshes, threads of its
    own) has stopped when it ends."""
    before = set(threading.enumerate())
    yield
    service.forget_local_state()  # waits for refreshes, closes the clients' connections to the fake APIs
    started = [thread for thread in threading.enumerate() if thread not in before]
    for thread in started:
        thread.join(timeout=10)
    assert [thread.name for thread in started if thread.is_alive()] == []


@pytest.fixture
def orgs(two_orgs: Any) -> Any:
    """b's agents have no failover destination (a warning finding), a's have one."""
    two_orgs.b.set_agents(org_fleet("bravomark", "Bravo", "oppie-vox", 2, failover_transfer_destination_id=None))
    return two_orgs


@pytest.fixture
def only_a(django_user_model: Any) -> Any:
    """A person with one organization role: Operator in a (exports, shares), nothing in b."""
    return grant(user_in(django_user_model, "alice"), a="Operator")


def raw(response: Any) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def text(response: Any) -> str:
    return raw(response).decode()


def listed(html: str) -> list[tuple[str, str]]:
    """(organization, agent id) of every agent a list page links to, in order; the organization is ""
    for a link without /o/<slug>/ (a person who sees one organization reads it there)."""
    return re.findall(r'<a href="(?:/o/([\w-]+))?/agents/([\w-]+)/" class="agent-link"', html)


def count(html: str, element_id: str) -> int:
    found = re.search(rf'id="{element_id}"[^>]*?data-count="(\d+)"|id="{element_id}".*?data-count="(\d+)"', html, re.S)
    assert found, f"no #{element_id} with a count"
    return int(found.group(1) or found.group(2))


def finding_count(html: str, rule: str) -> int:
    found = re.search(rf'<tr id="rule-{rule}">.*?class="finding-count">(\d+)<', html, re.S)
    assert found, f"no rule {rule}"
    return int(found.group(1))


def api(client: Any, path: str, token: str) -> Any:
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


# --- 1. each organization's pages show its own agents ------------------------------------------


def test_each_organizations_list_shows_its_own_agents_only(orgs, signed_in):
    for slug, own, other, agents in (
        ("a", "alphamark", "bravomark", A_AGENTS),
        ("b", "bravomark", "alphamark", B_AGENTS),
    ):
        html = text(signed_in.get(f"/o/{slug}/agents/"))

        assert {agent for org, agent in listed(html)} == agents
        assert {org for org, agent in listed(html)} == {slug}
        assert own in html and other not in html


def test_the_same_agent_id_opens_each_organizations_own_record(orgs, signed_in, user):
    alpha = text(signed_in.get("/o/a/agents/shared-1/"))
    bravo = text(signed_in.get("/o/b/agents/shared-1/"))
    token = issue_token(user, "script")[1]
    from_api = api(signed_in, "/o/b/api/v1/agents/shared-1/", token).json()
    raw = signed_in.get("/o/a/agents/shared-1/json/").json()

    assert "Alpha shared" in alpha and "Welcome to alphamark" in alpha and "bravomark" not in alpha
    assert "Bravo shared" in bravo and "Welcome to bravomark" in bravo and "alphamark" not in bravo
    assert (from_api["organization"], from_api["name"]) == ("b", "Bravo shared")
    assert from_api["fields"]["first_message"] == "Welcome to bravomark"
    assert from_api["page"].endswith("/o/b/agents/shared-1/")
    assert raw["first_message"] == "Welcome to alphamark"


def test_each_organizations_api_lists_its_own_agents(orgs, signed_in, user):
    token = issue_token(user, "script")[1]
    for slug, agents in (("a", A_AGENTS), ("b", B_AGENTS)):
        answer = api(signed_in, f"/o/{slug}/api/v1/agents/", token).json()

        assert answer["count"] == len(agents)
        assert {agent["id"] for agent in answer["results"]} == agents
        assert {agent["organization"] for agent in answer["results"]} == {slug}


def test_each_organizations_overview_and_findings_count_its_own_agents(orgs, signed_in):
    alpha, bravo = text(signed_in.get("/o/a/")), text(signed_in.get("/o/b/"))
    alpha_findings, bravo_findings = text(signed_in.get("/o/a/findings/")), text(signed_in.get("/o/b/findings/"))
    flagged = text(signed_in.get("/o/b/agents/?finding=no-failover"))

    assert (count(alpha, "stat-agents"), count(alpha, "stat-warning")) == (4, 0)
    assert (count(bravo, "stat-agents"), count(bravo, "stat-warning")) == (3, 3)
    assert (finding_count(alpha_findings, "no-failover"), finding_count(bravo_findings, "no-failover")) == (0, 3)
    assert {agent for org, agent in listed(flagged)} == B_AGENTS
    assert listed(text(signed_in.get("/o/a/agents/?finding=no-failover"))) == []
    assert count(text(signed_in.get("/")), "stat-agents") == 7  # across both, for someone who sees both


def test_each_organizations_changes_are_its_own(orgs, signed_in, user, history, clock):
    signed_in.get("/o/a/agents/"), signed_in.get("/o/b/agents/")  # the first reads: each its baseline
    alpha = org_fleet("alphamark", "Alpha", "oppie-vox-2", 3)
    alpha[-1]["name"] = "Alpha shared renamed"  # shared-1
    bravo = org_fleet("bravomark", "Bravo", "oppie-vox", 2, failover_transfer_destination_id=None)
    bravo[0]["name"] = "Bravo agent 1 renamed"
    orgs.a.set_agents(alpha)
    orgs.b.set_agents(bravo)

    expire_and_refresh(clock)

    alpha_changes = text(signed_in.get("/o/a/changes/?period=all"))
    bravo_changes = text(signed_in.get("/o/b/changes/?period=all"))
    assert "Alpha shared renamed" in alpha_changes and "Bravo" not in alpha_changes.split('id="banners"')[1]
    assert "Bravo agent 1 renamed" in bravo_changes and "Alpha shared renamed" not in bravo_changes
    # The same agent id: a's shared-1 changed, b's did not.
    assert text(signed_in.get("/o/a/agents/shared-1/")).count('class="list-group-item timeline-entry"') == 1
    assert text(signed_in.get("/o/b/agents/shared-1/")).count('class="list-group-item timeline-entry"') == 0
    token = issue_token(user, "script")[1]
    from_api = api(signed_in, "/o/b/api/v1/changes/?period=all", token).json()
    assert [change["agent_id"] for change in from_api["results"]] == ["bravomark-agent-1"]


# --- 2. a person granted one organization never meets another's agents ---------------------------


B_PAGES = [
    "/o/b/",
    "/o/b/agents/",
    "/o/b/agents/shared-1/",
    "/o/b/agents/bravomark-agent-1/",
    "/o/b/agents/shared-1/json/",
    "/o/b/agents/compare/?pick=bravomark-agent-1&pick=bravomark-agent-2",
    "/o/b/findings/",
    "/o/b/changes/",
    "/o/b/problems/",
    "/o/b/agents/?_export=csv",
    "/o/b/agents/?_export=json",
    "/o/b/agents/?_export=xlsx",
    "/o/b/agents/facets/model/",
]


def test_a_person_granted_one_organization_gets_404_for_the_others_pages_and_exports(orgs, client, only_a):
    client.force_login(only_a)

    for path in B_PAGES:
        response = client.get(path)
        assert response.status_code == 404, path
        assert "bravomark" not in text(response) and "Bravo" not in text(response), path
    assert orgs.b.calls == 0  # b was not even read for them
    # Their own organization's exports, in every format, hold its agents.
    csv = text(client.get("/o/a/agents/?_export=csv"))
    exported = json.loads(text(client.get("/o/a/agents/?_export=json")))
    xlsx = load_workbook(io.BytesIO(raw(client.get("/o/a/agents/?_export=xlsx"))))
    cells = " ".join(str(cell) for row in xlsx.active.iter_rows(values_only=True) for cell in row)
    for exported_text in (csv, json.dumps(exported), cells):
        assert "Alpha agent 1" in exported_text and "Alpha shared" in exported_text
        assert "Bravo" not in exported_text and "bravomark" not in exported_text


def test_a_person_granted_one_organization_sees_every_field_opencx_sends_whatever_its_name(orgs, client, only_a):
    # Not seeing every organization hides no field: not even one OpenCX might call "other-organizations".
    orgs.a.set_agents([agent_record(id="a1", org_id="org_alphamark", **{"other-organizations": "sent-by-opencx"})])
    client.force_login(only_a)

    page = text(client.get("/o/a/agents/a1/"))
    exported = json.loads(text(client.get("/o/a/agents/?_export=json&columns=name")))

    assert "sent-by-opencx" in page and "hidden-value" not in page
    assert exported[0]["other-organizations"] == "sent-by-opencx"


def test_a_person_granted_one_organization_gets_404_from_the_others_api(orgs, client, only_a):
    token = issue_token(only_a, "script")[1]

    for path in (
        "agents/",
        "agents/shared-1/",
        "agents/bravomark-agent-1/",
        "findings/",
        "changes/",
        "status/",
        "schema/",
    ):
        response = api(client, f"/o/b/api/v1/{path}", token)
        assert response.status_code == 404, path
        assert "bravomark" not in text(response) and "Bravo" not in text(response), path
    assert orgs.b.calls == 0
    assert api(client, "/o/a/api/v1/schema/", token).status_code == 200
    # Without /o/<slug>/ the API is that of the one organization they see.
    everything = api(client, "/api/v1/agents/", token).json()
    assert {agent["id"] for agent in everything["results"]} == A_AGENTS
    assert api(client, "/api/v1/agents/?q=bravomark", token).json()["count"] == 0
    assert api(client, "/api/v1/agents/shared-1/", token).json()["name"] == "Alpha shared"


def test_a_share_link_of_another_organization_is_a_404_for_a_person_without_it(orgs, client, only_a, django_user_model):
    ops = user_in(django_user_model, "ops", "Operator")  # no organization roles: sees both
    shared_list = share_url(create_share(user=ops, org=org_named("b"), query="model=oppie-vox", title="Bravo list"))
    shared_agent = share_url(create_share(user=ops, org=org_named("b"), agent_id="shared-1", title="Bravo shared"))
    # Opened without an account, the links work ...
    assert "Bravo agent 1" in text(client.get(shared_list))
    assert "Welcome to bravomark" in text(client.get(shared_agent))

    client.force_login(only_a)  # ... but not for someone who may not see b

    for path in (shared_list, shared_agent, f"{shared_list}agents/bravomark-agent-1/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert "bravomark" not in text(response) and "Bravo" not in text(response), path
    assert "Bravo" not in text(client.get("/shares/"))


def test_the_others_agents_never_appear_across_organizations_nor_in_the_switcher(
    orgs, client, only_a, django_user_model
):
    client.force_login(user_in(django_user_model, "ops", "Operator"))  # sees both: what only_a must not
    everyone = text(client.get("/agents/?q=shared"))
    assert listed(everyone) == [("a", "shared-1"), ("b", "shared-1")]
    assert re.search(r'id="org-switcher".*Alpha Org.*Bravo Org', everyone, re.S)

    client.force_login(only_a)

    for query in ("", "?q=shared", "?q=bravomark", "?q=Bravo+shared", "?model=oppie-vox", "?org=b"):
        html = text(client.get(f"/agents/{query}"))
        assert {agent for org, agent in listed(html)} <= A_AGENTS, query
        # (what was searched for is shown back in the search box, so not "bravomark" alone)
        assert not re.search("bravomark-agent|Welcome to bravomark|Bravo agent|Bravo Org", html), query
        assert 'id="org-switcher"' not in html, query
    assert [agent for org, agent in listed(text(client.get("/agents/?q=shared")))] == ["shared-1"]
    assert "Alpha shared" in text(client.get("/agents/shared-1/"))
    assert {agent for org, agent in listed(text(client.get("/agents/")))} == A_AGENTS
    assert count(text(client.get("/")), "stat-agents") == 4
    assert "Bravo" not in text(client.get("/findings/")).split('id="banners"')[1]


# --- 3. one failing upstream leaves the other fresh --------------------------------------------


def test_an_organization_whose_upstream_fails_at_once_holds_up_no_other(orgs, signed_in, user):
    orgs.b.fault = "500"

    alpha = signed_in.get("/o/a/agents/")
    bravo = signed_in.get("/o/b/agents/")
    across = text(signed_in.get("/agents/"))

    assert alpha.status_code == 200 and 'id="stale-banner"' not in text(alpha)
    assert {agent for org, agent in listed(text(alpha))} == A_AGENTS
    assert bravo.status_code == 503 and "HTTP 500" in text(bravo)
    assert 5 <= int(bravo["Retry-After"]) <= 300  # b's own back-off
    assert {org for org, agent in listed(across)} == {"a"} and "Not shown: Bravo Org" in across
    token = issue_token(user, "script")[1]
    status = api(signed_in, "/o/a/api/v1/status/", token).json()
    assert (status["status"], status["failing"], status["snapshot"]["stale"]) == ("ok", False, False)


def test_an_upstream_failing_later_marks_only_its_own_organization_stale(orgs, signed_in, user, clock):
    signed_in.get("/o/a/agents/"), signed_in.get("/o/b/agents/")
    orgs.b.fault = "500"

    expire_and_refresh(clock)

    alpha, bravo = text(signed_in.get("/o/a/agents/")), text(signed_in.get("/o/b/agents/"))
    assert 'id="stale-banner"' not in alpha and {agent for org, agent in listed(alpha)} == A_AGENTS
    assert 'id="stale-banner"' in bravo and {agent for org, agent in listed(bravo)} == B_AGENTS  # its last read
    token = issue_token(user, "script")[1]
    status = {slug: api(signed_in, f"/o/{slug}/api/v1/status/", token).json() for slug in ("a", "b")}
    assert (status["a"]["status"], status["a"]["consecutive_failures"]) == ("ok", 0)
    assert (status["b"]["status"], status["b"]["consecutive_failures"]) == ("stale", 1)


def test_a_hanging_upstream_does_not_slow_the_other_organizations_pages(
    orgs, signed_in, user, clock, settings, background_refreshes
):
    settings.OPENCX_TIMEOUT = 6  # b hangs: its read gives up after half of this (one attempt, no time to retry)
    orgs.b.slow_seconds = 10
    signed_in.get("/o/a/agents/"), signed_in.get("/o/b/agents/")
    service.wait_for_refresh()
    orgs.b.fault = "slow"
    clock.shift(120)  # both expired: the next page of each reads its organization again, in the background

    bravo = signed_in.get("/o/b/agents/")  # serves b's last read; its refresh hangs
    alpha = signed_in.get("/o/a/agents/")
    across = signed_in.get("/agents/")
    b_still_reading = service.upstream_status(org_named("b")).refreshing

    assert b_still_reading  # served while b's read had neither an answer nor given up
    assert [response.status_code for response in (bravo, alpha, across)] == [200, 200, 200]
    assert {agent for org, agent in listed(text(alpha))} == A_AGENTS
    assert {(org, agent) for org, agent in listed(text(across))} >= {("a", "shared-1"), ("b", "shared-1")}
    service.wait_for_refresh()
    alpha, bravo = text(signed_in.get("/o/a/agents/")), text(signed_in.get("/o/b/agents/"))
    assert 'id="stale-banner"' not in alpha and "did not answer" not in alpha
    assert 'id="stale-banner"' in bravo and "did not answer GET /phone" in bravo
    token = issue_token(user, "script")[1]
    assert api(signed_in, "/o/a/api/v1/status/", token).json()["failing"] is False
    assert api(signed_in, "/o/b/api/v1/status/", token).json()["failing"] is True


# --- 4. call budgets per organization ------------------------------------------------------------


def test_call_budgets_are_counted_per_organization(orgs, signed_in, user, settings, clock):
    settings.OPENCX_CALLS_PER_MINUTE = 3  # one first read: the agents, the voices, the actions
    signed_in.get("/o/a/agents/")
    clock.shift(10)  # past the few seconds in which a Refresh reuses the last read

    refused = text(signed_in.post("/o/a/refresh/", {"next": "/o/a/agents/"}, follow=True))
    refreshed = text(signed_in.post("/o/b/refresh/", {"next": "/o/b/agents/"}, follow=True))

    assert "OPENCX_CALLS_PER_MINUTE=3" in refused and orgs.a.calls == 1
    assert "Refreshed: 3 agents" in refreshed and "OPENCX_CALLS_PER_MINUTE" not in refreshed and orgs.b.calls == 1
    assert {agent for org, agent in listed(refreshed)} == B_AGENTS
    token = issue_token(user, "script")[1]
    budgets = {slug: api(signed_in, f"/o/{slug}/api/v1/status/", token).json() for slug in ("a", "b")}
    assert [(budgets[slug]["calls_last_minute"], budgets[slug]["call_budget"]) for slug in "ab"] == [(3, 3), (3, 3)]


# --- 5. an upgraded single-organization database -------------------------------------------------

BEFORE_ORGANIZATIONS = [("history", "0001_initial"), ("digests", "0001_initial"), ("access", "0003_held_read_accepted")]


def migrate(targets: list[tuple[str, str]]) -> Any:
    """Migrates to `targets` and returns the models as they were at that point."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def before_organizations(transactional_db: None) -> Any:
    """The models as they were before several organizations; the database is at the latest
    migration again when the test ends, whatever happened."""
    try:
        yield migrate(BEFORE_ORGANIZATIONS)
    finally:
        migrate(latest())
        assert MigrationExecutor(connection).migration_plan(latest()) == []  # nothing left to apply


@pytest.mark.django_db(transaction=True)
def test_an_upgraded_database_keeps_its_history_as_organization_default(
    before_organizations, client, settings, django_user_model
):
    old = before_organizations
    person = old.get_model("auth", "User").objects.create(username="ops-old")
    recorded = timezone.now() - timedelta(hours=2)
    revision = old.get_model("history", "FleetRevision").objects.create(
        recorded_at=recorded, source="https://api.open.cx", agents=1, changed=1
    )
    old.get_model("history", "AgentChange").objects.create(
        revision=revision,
        recorded_at=recorded,
        agent_id="a1",
        name="Billing EN",
        kind="changed",
        fields=" model ",
        before={"model": "oppie-vox"},
        after={"model": "oppie-vox-2"},
    )
    old.get_model("history", "AgentState").objects.create(agent_id="a1", content_hash="0" * 32, record={"id": "a1"})
    old.get_model("digests", "FindingState").objects.create(
        rule_id="no-failover", agent_id="a1", first_seen_at=recorded
    )
    old.get_model("digests", "Subscription").objects.create(user=person, name="Daily", covered_until=recorded)
    old.get_model("access", "ShareLink").objects.create(
        created_by=person, expires_at=timezone.now() + timedelta(days=1), agent_id="a1", title="Agent: Billing"
    )

    migrate(latest())

    from dashboard.access.models import ShareLink
    from dashboard.digests.models import FindingState, Subscription

    change = AgentChange.objects.get()
    assert (change.org, change.agent_id, change.before, change.after) == (
        "default",
        "a1",
        {"model": "oppie-vox"},
        {"model": "oppie-vox-2"},
    )
    assert FleetRevision.objects.get().org == "default"
    assert [(state.org, state.agent_id, state.record) for state in AgentState.objects.all()] == [
        ("default", "a1", {"id": "a1"})
    ]
    assert [row.org for row in (FindingState.objects.get(), Subscription.objects.get(), ShareLink.objects.get())] == [
        "default"
    ] * 3

    # A single-organization deployment (OPENCX_API_TOKEN) shows that history as its own.
    with FakeOpenCX([agent_record(id="a1", name="Billing EN")], token=TEST_TOKEN) as fake:
        settings.DEMO_MODE = False
        settings.OPENCX_ORGS = None
        settings.OPENCX_API_URL = fake.url
        settings.OPENCX_API_TOKEN = TEST_TOKEN
        client.force_login(user_in(django_user_model, "ops", "Operator"))
        # A link opens only while its creator may share (tests/hostile/test_people_and_limits.py).
        django_user_model.objects.get(username="ops-old").groups.add(Group.objects.get(name="Operator"))
        agent_page = text(client.get("/agents/a1/"))
        changes = text(client.get("/changes/?period=all"))
        shared = text(client.get(share_url(ShareLink.objects.get())))
    assert f'id="change-{change.pk}"' in agent_page and "oppie-vox-2" in agent_page
    assert 'href="/agents/a1/' in changes and "Billing EN" in changes
    assert "Billing EN" in shared
