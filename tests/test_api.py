"""The read-only API: a script with a personal token reads what the owner's role may see, as OpenCX sent it."""

import json
from io import StringIO
from urllib.parse import urlsplit

import pytest
import yaml
from django.core.management import call_command
from django.test import Client
from openapi_spec_validator import validate

from dashboard.access.models import AuditEvent
from dashboard.api.models import APIToken
from dashboard.api.tokens import digest_of, issue_token
from dashboard.demo.fleet import demo_fleet
from tests.conftest import agent_record, user_in

SENSITIVE = {"data_collection_webhook_url", "custom_llm", "provider_external_id", "instructions"}


@pytest.fixture
def operator_token(user):
    return issue_token(user, "script")[1]


@pytest.fixture
def viewer_token(django_user_model):
    return issue_token(user_in(django_user_model, "stakeholder", "Viewer"), "report")[1]


def api(client, url, token=None, **headers):
    if token is not None:
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client.get(url, **headers)


def every_page(client, url, token):
    """What a script does: follow `next` until there is none."""
    results, pages = [], 0
    while url:
        body = api(client, url, token).json()
        results += body["results"]
        url, pages = body["next"], pages + 1
        if url:
            url = urlsplit(url).path + "?" + urlsplit(url).query
    return results, pages


def test_a_script_pages_through_every_agent_and_gets_what_opencx_sent(client, upstream, operator_token):
    fleet = demo_fleet(300)
    upstream.set_agents(fleet)

    agents, pages = every_page(client, "/api/v1/agents/?per_page=100", operator_token)

    assert pages == 3
    assert [agent["id"] for agent in agents] == [record["id"] for record in fleet]
    assert all(agent["fields"] == record and agent["hidden"] == [] for agent, record in zip(agents, fleet, strict=True))


def test_a_viewers_token_gets_every_agent_without_the_sensitive_fields(client, upstream, viewer_token):
    fleet = demo_fleet(300)
    upstream.set_agents(fleet)

    agents, _ = every_page(client, "/api/v1/agents/?per_page=250", viewer_token)
    body = json.dumps(agents)

    assert len(agents) == 300
    for agent, record in zip(agents, fleet, strict=True):
        assert agent["fields"] == {key: value for key, value in record.items() if key not in SENSITIVE}
        assert set(agent["hidden"]) == SENSITIVE & record.keys()
    assert "legacy.northwind.example" not in body and "Never read out" not in body


@pytest.mark.parametrize(
    "query",
    [
        "",
        "model=oppie-vox-2&language=es",
        "q=billing&sort=-updated_at",
        "recording=no&failover=unset&sort=name",
        "finding=no-failover&stt_model=~none",
        "action=act_create_ticket&sort=-speed,name",
        "speed_min=1&tts_max=10&created_after=2025-01-01",
        "model=nonsense",  # ignored, as on the list page
    ],
)
def test_filters_search_and_sort_select_the_same_agents_in_the_same_order_as_the_list(
    signed_in, upstream, operator_token, query
):
    upstream.set_agents(demo_fleet(150))

    listed = [row["id"] for row in json.loads(signed_in.get(f"/agents/?{query}&columns=id&_export=json").getvalue())]
    body = api(signed_in, f"/api/v1/agents/?{query}&per_page=500", operator_token).json()

    assert [agent["id"] for agent in body["results"]] == listed
    assert body["count"] == len(listed)
    assert bool(body["notices"]) == (query == "model=nonsense")


def test_no_token_a_wrong_one_a_revoked_one_and_an_expired_one_get_401_json(client, upstream, user, clock):
    revoked, revoked_token = issue_token(user, "old")
    revoked.revoked_at = revoked.created_at
    revoked.save()
    _, expiring = issue_token(user, "brief", days=1)
    clock.shift(2 * 86400)

    for token in (None, "sbt_wrong", revoked_token, expiring, ""):
        response = api(client, "/api/v1/agents/", token)
        assert response.status_code == 401, token
        assert response["Content-Type"] == "application/json"
        assert "detail" in response.json()
        assert response["WWW-Authenticate"] == 'Bearer realm="switchboard"'
    assert api(client, "/api/v1/agents/", HTTP_AUTHORIZATION="Basic b3BzOnB3").status_code == 401
    # A signed-in session is not a token: scripts never need the sign-in page.
    client.force_login(user)
    assert api(client, "/api/v1/agents/").status_code == 401


def test_every_answer_says_when_its_snapshot_was_read(client, upstream, operator_token):
    upstream.set_agents([agent_record(id="a")])

    for url in ("/api/v1/agents/", "/api/v1/agents/a/", "/api/v1/findings/", "/api/v1/changes/", "/api/v1/status/"):
        body = api(client, url, operator_token).json()
        assert body["snapshot"]["fetched_at"].endswith("Z"), url
        assert body["snapshot"]["source"] == upstream.url


def test_one_agent_with_names_findings_and_a_404_for_another(client, upstream, operator_token):
    upstream.set_agents([agent_record(id="a", actionIds=["act_1", "act_x"], failover_transfer_destination_id=None)])
    upstream.set_voices([{"id": "vx_aria", "name": "Aria"}])
    upstream.set_actions([{"id": "act_1", "name": "Refund"}])

    agent = api(client, "/api/v1/agents/a/", operator_token).json()
    missing = api(client, "/api/v1/agents/nobody/", operator_token)

    assert agent["fields"]["actionIds"] == ["act_1", "act_x"]
    assert agent["names"] == {"voices": {"vx_aria": "Aria"}, "actions": {"act_1": "Refund"}}
    assert {"no-failover", "unknown-action"} <= set(agent["findings"])
    assert agent["page"].endswith("/agents/a/")
    assert missing.status_code == 404 and "detail" in missing.json()


def test_findings_list_severity_counts_and_agents(client, upstream, operator_token):
    upstream.set_agents(
        [agent_record(id="a", type="outbound", phone_number=None), agent_record(id="b"), agent_record(id="c")]
    )

    findings = {found["id"]: found for found in api(client, "/api/v1/findings/", operator_token).json()["findings"]}
    errors = api(client, "/api/v1/findings/?severity=error", operator_token).json()["findings"]

    assert findings["outbound-without-number"] == {
        "id": "outbound-without-number",
        "severity": "error",
        "explanation": "Outbound agent without a phone number.",
        "remedy": findings["outbound-without-number"]["remedy"],
        "enabled": True,
        "count": 1,
        "agent_ids": ["a"],
    }
    assert {found["severity"] for found in errors} == {"error"}


def test_changes_take_the_changes_pages_filters_and_hide_what_the_role_hides(
    client, upstream, history, operator_token, viewer_token, clock
):
    from tests.conftest import expire_and_refresh

    upstream.set_agents([agent_record(id="a"), agent_record(id="b")])
    api(client, "/api/v1/status/", operator_token)
    upstream.set_agents([agent_record(id="a", model="oppie-vox-turbo", instructions=["New secret."])])
    expire_and_refresh(clock)

    everything = api(client, "/api/v1/changes/", operator_token).json()
    removed = api(client, "/api/v1/changes/?kind=removed", operator_token).json()
    redacted = api(client, "/api/v1/changes/?field=model", viewer_token).json()

    assert {(c["agent_id"], c["kind"]) for c in everything["results"]} == {("a", "changed"), ("b", "removed")}
    assert [c["agent_id"] for c in removed["results"]] == ["b"]
    (change,) = redacted["results"]
    assert change["fields"] == ["model", "instructions"]
    assert change["after"] == {"model": "oppie-vox-turbo"} and change["hidden"] == ["instructions"]
    assert "New secret." not in json.dumps(redacted)


def test_status_says_how_reading_opencx_goes(client, upstream, operator_token):
    body = api(client, "/api/v1/status/", operator_token).json()

    assert body["status"] == "ok" and body["failing"] is False
    assert body["call_budget"] == 30 and body["history"]["enabled"] is False


def test_each_person_is_rate_limited(client, upstream, user, settings, operator_token, viewer_token):
    settings.API_REQUESTS_PER_MINUTE = 2
    _, other = issue_token(user, "other")

    statuses = [api(client, "/api/v1/status/", operator_token).status_code for _ in range(3)]

    assert statuses == [200, 200, 429]
    assert api(client, "/api/v1/status/", other).status_code == 429  # per person, not per token
    assert api(client, "/api/v1/status/", viewer_token).status_code == 200


def test_use_is_audited_and_the_token_never_written_down(client, upstream, operator_token):
    api(client, "/api/v1/agents/?model=oppie-vox", operator_token)
    api(client, "/api/v1/agents/", "sbt_guess")

    events = list(AuditEvent.objects.order_by("id").values_list("action", "username", "detail"))
    assert events[0][:2] == (AuditEvent.API, "ops") and "/api/v1/agents/?model=oppie-vox" in events[0][2]
    assert events[1][:2] == (AuditEvent.API_REFUSED, "")
    assert all(operator_token not in str(event) and "sbt_guess" not in str(event) for event in events)
    row = APIToken.objects.get()
    assert row.digest == digest_of(operator_token) and operator_token not in (row.prefix + row.name)
    assert row.last_used_at is not None


def test_the_openapi_schema_validates_and_names_every_endpoint_and_filter(client, operator_token):
    response = api(client, "/api/v1/schema/", operator_token)
    schema = yaml.safe_load(response.content)

    validate(schema)
    assert set(schema["paths"]) == {
        "/api/v1/agents/",
        "/api/v1/agents/{agent_id}/",
        "/api/v1/findings/",
        "/api/v1/changes/",
        "/api/v1/status/",
    }
    parameters = {p["name"] for p in schema["paths"]["/api/v1/agents/"]["get"]["parameters"]}
    assert {"q", "model", "language", "action", "recording", "speed_min", "finding", "sort", "page"} <= parameters


def test_the_docs_need_signing_in_and_have_no_inline_script_or_style(signed_in):
    page = signed_in.get("/api/v1/docs/")
    script = signed_in.get("/api/v1/docs/?script=")

    assert Client().get("/api/v1/docs/").status_code == 302
    assert page.status_code == 200 and b"swagger-ui-bundle.js" in page.content
    assert b"<style" not in page.content and b"<script>" not in page.content
    assert script["Content-Type"].startswith("application/javascript") and b"/api/v1/schema/" in script.content


def test_api_token_create_prints_the_token_alone_on_the_last_line(user):
    out = StringIO()
    call_command("api_token", "create", "--user", "ops", "--name", "CI", "--days", "30", stdout=out)

    token = out.getvalue().rstrip("\n").split("\n")[-1]
    assert token.startswith("sbt_") and " " not in token
    assert APIToken.objects.get().digest == digest_of(token)
