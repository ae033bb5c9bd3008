"""Drift between two organizations: /drift/<from>/<to>/ pairs their agents (by name, or a field chosen),
lists the agents missing on either side and, per pair, the configuration that differs, filters and
exports like the list, and is a finding for two organizations staff mark as ones that should match.

Two fake OpenCX APIs on loopback serve the two organizations of `OPENCX_ORGS`, each with its token.
"""

import csv
import io
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from openpyxl import load_workbook

from dashboard.access.models import AuditEvent, OrgGrant
from dashboard.agents import pairs
from dashboard.api.tokens import issue_token
from dashboard.demo.server import FakeOpenCX
from dashboard.orgs.models import DriftPair
from tests.conftest import agent_record, user_in
from tests.test_agent_list import names

TOKEN_A, TOKEN_B = "ocx_live_test_A_SECRET_7c1d", "ocx_live_test_B_SECRET_2e8f"
NAMES = [f"Agent {letter}" for letter in "ABCDEFGHIJ"]
CHANGED_MODEL = ("Agent B", "Agent E", "Agent H")
MISSING_IN_B = ("Agent C", "Agent I")


def fleet_a() -> list[dict[str, Any]]:
    return [
        agent_record(
            id=f"a-{index}",
            name=name,
            org_id="org_a",
            phone_number=f"+1415555{index:04d}",
            model="oppie-vox-2" if index % 2 else "oppie-vox",
        )
        for index, name in enumerate(NAMES)
    ]


def copied_to_b(record: dict[str, Any], index: int, **changes: Any) -> dict[str, Any]:
    """An agent as copied to organization B: what B gives every agent of its own differs, the configuration not."""
    return {
        **record,
        "id": f"b-{index}",
        "org_id": "org_b",
        "phone_number": f"+1303555{index:04d}",
        "created_at": "2025-06-01T00:00:00Z",
        "updated_at": "2025-06-02T00:00:00Z",
        "provider_external_id": f"prov_b_{index}",
        "failover_transfer_destination_id": "9b2f7c1e-5d4a-4c3b-9a8f-1e2d3c4b5a69",
        "actionIds": ["act_b_1"],
        **changes,
    }


def fleet_b() -> list[dict[str, Any]]:
    """B: A's agents but two, three of them on another model."""
    fleet = []
    for index, record in enumerate(fleet_a()):
        if record["name"] in MISSING_IN_B:
            continue
        changes = {"model": "oppie-vox-turbo"} if record["name"] in CHANGED_MODEL else {}
        fleet.append(copied_to_b(record, index, **changes))
    return fleet


@pytest.fixture
def orgs(settings: Any) -> Iterator[tuple[FakeOpenCX, FakeOpenCX]]:
    """Organizations "a" (A) and "b" (B), each its own fake API and token: B is A with three agents on
    another model and two missing."""
    with FakeOpenCX(fleet_a(), token=TOKEN_A) as a, FakeOpenCX(fleet_b(), token=TOKEN_B) as b:
        settings.DEMO_MODE = False
        settings.OPENCX_API_TOKEN = ""
        settings.OPENCX_ORGS = [
            {"slug": "a", "name": "A", "token": TOKEN_A, "url": a.url},
            {"slug": "b", "name": "B", "token": TOKEN_B, "url": b.url},
        ]
        settings.OPENCX_TIMEOUT = 1
        settings.OPENCX_CACHE_TTL = 60
        pairs.forget()  # the pairs a test before this one marked, which its transaction took away
        yield a, b
        pairs.forget()


def rows(response: Any) -> list[tuple[str, str, list[str]]]:
    """(kind, the value paired by, the fields that differ) of every row of the drift list."""
    assert response.status_code == 200, response.status_code
    html = response.content.decode()
    table = html.split('id="drift"', 1)[1]
    found = []
    for chunk in re.split(r'(?=<tbody class="drift-block")', table)[1:]:
        kind, match = re.match(r'<tbody class="drift-block" data-kind="([^"]+)" data-match="([^"]*)"', chunk).groups()
        found.append((kind, match, re.findall(r'<tr data-field="([^"]+)" class="differs">', chunk)))
    return found


def test_it_shows_exactly_the_three_other_models_and_the_two_missing_agents(signed_in, orgs):
    response = signed_in.get("/drift/a/b/")

    assert sorted(rows(response)) == [
        ("differs", "Agent B", ["model"]),
        ("differs", "Agent E", ["model"]),
        ("differs", "Agent H", ["model"]),
        ("missing-in-to", "Agent C", []),
        ("missing-in-to", "Agent I", []),
    ]
    html = response.content.decode()
    assert "5 pairs configured alike" in html
    # Both values of a difference, drawn as compare draws them (a model is a badge).
    billing = html.split('data-match="Agent B"')[1].split("</tbody>")[0]
    assert ">oppie-vox-2</span>" in billing and ">oppie-vox-turbo</span>" in billing


def test_the_kind_filter_keeps_only_the_rows_of_that_kind(signed_in, orgs):
    missing = rows(signed_in.get("/drift/a/b/?kind=missing-in-to"))
    differing = rows(signed_in.get("/drift/a/b/?kind=differs"))

    assert [match for _, match, _ in missing] == ["Agent C", "Agent I"]
    assert [match for _, match, _ in differing] == ["Agent B", "Agent E", "Agent H"]


def test_the_field_filter_keeps_the_pairs_that_differ_in_it(signed_in, orgs):
    by_model = rows(signed_in.get("/drift/a/b/?field=model"))
    by_language = signed_in.get("/drift/a/b/?field=language")

    assert [match for _, match, _ in by_model] == ["Agent B", "Agent E", "Agent H"]
    assert rows(by_language) == []
    assert 'id="no-drift"' in by_language.content.decode()


def test_an_unknown_kind_or_field_gets_a_notice_and_is_ignored(signed_in, orgs):
    response = signed_in.get("/drift/a/b/?kind=<b>bad</b>&field=id")
    html = response.content.decode()

    assert len(rows(response)) == 5
    assert "is not a kind of drift" in html and "&lt;b&gt;bad&lt;/b&gt;" in html and "<b>bad</b>" not in html
    assert "No field &#x27;id&#x27; is compared here" in html  # ids are each organization's own


def test_a_match_field_that_cannot_pair_gets_a_notice_and_pairs_by_name(signed_in, orgs):
    response = signed_in.get("/drift/a/b/?match=model")

    assert len(rows(response)) == 5
    assert "Agents cannot be paired by &#x27;model&#x27;" in response.content.decode()


def test_pairing_by_another_field_pairs_by_it(signed_in, orgs):
    # Every number is B's own: paired by number, no agent of A has its match in B.
    found = rows(signed_in.get("/drift/a/b/?match=phone_number"))

    assert sorted({kind for kind, _, _ in found}) == ["missing-in-from", "missing-in-to"]
    assert len(found) == len(NAMES) + len(NAMES) - len(MISSING_IN_B)


def test_the_other_direction_calls_the_missing_agents_missing_in_its_from(signed_in, orgs):
    found = rows(signed_in.get("/drift/b/a/"))

    assert sorted((kind, match) for kind, match, _ in found if kind.startswith("missing")) == [
        ("missing-in-from", "Agent C"),
        ("missing-in-from", "Agent I"),
    ]


def drift_export(client: Any, query: str, export_format: str) -> bytes:
    response = client.get(f"/drift/a/b/?{query}&_export={export_format}")
    assert response.status_code == 200, response.status_code
    return response.getvalue()


def test_a_csv_export_holds_the_rows_with_both_values_of_each_difference(signed_in, orgs):
    found = list(csv.DictReader(io.StringIO(drift_export(signed_in, "", "csv").decode("utf-8-sig"))))

    assert sorted((row["Kind"], row["Name"]) for row in found) == [
        ("differs", "Agent B"),
        ("differs", "Agent E"),
        ("differs", "Agent H"),
        ("missing in B", "Agent C"),
        ("missing in B", "Agent I"),
    ]
    billing = next(row for row in found if row["Name"] == "Agent B")
    assert (billing["Model (A)"], billing["Model (B)"]) == ("oppie-vox-2", "oppie-vox-turbo")


def test_a_json_export_keeps_the_filter_and_keys_each_difference_by_field(signed_in, orgs):
    found = json.loads(drift_export(signed_in, "kind=differs", "json"))

    assert [row["match"] for row in found] == ["Agent B", "Agent E", "Agent H"]
    assert found[0]["differences"] == {"model": {"from": "oppie-vox-2", "to": "oppie-vox-turbo"}}
    assert found[0]["from_agents"] == [{"id": "a-1", "name": "Agent B"}]


def test_an_xlsx_export_opens_with_a_row_per_difference(signed_in, orgs):
    sheet = load_workbook(io.BytesIO(drift_export(signed_in, "", "xlsx"))).active

    assert sheet.max_row == 1 + 5


def test_no_drift_page_or_export_carries_a_token(signed_in, orgs):
    bodies = [signed_in.get("/drift/a/b/").content, signed_in.get("/drift/").content]
    bodies += [drift_export(signed_in, "", export_format) for export_format in ("csv", "json", "xlsx")]

    for body in bodies:
        assert TOKEN_A.encode() not in body and TOKEN_B.encode() not in body
        assert b"SECRET" not in body


@pytest.mark.parametrize(
    "value", ["\x00", "a\x00b", "<script>alert(1)</script>", "x" * 10_000, "9" * 5000, "-1", " ", ",,,"]
)
def test_hostile_parameters_get_notices_never_an_error(signed_in, orgs, value):
    names = ["match", "kind", "field", "sort", "page", "per_page", "_export"]
    response = signed_in.get("/drift/a/b/", {name: value for name in names})

    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.content.decode()
    assert signed_in.get("/drift/", {"from": value, "to": value, "match": value}).status_code == 200


def test_repeated_parameters_that_disagree_are_no_error(signed_in, orgs):
    doubled = {name: ["differs", "x"] for name in ("match", "kind", "field", "sort", "page", "per_page")}

    assert signed_in.get("/drift/a/b/", doubled).status_code == 200


def test_names_from_opencx_are_escaped(signed_in, orgs):
    a, _ = orgs
    a.set_agents([*fleet_a(), agent_record(id="a-x", name='<img src=x onerror="alert(1)">', org_id="org_a")])
    html = signed_in.get("/drift/a/b/").content.decode()

    assert '<img src=x onerror="alert(1)">' not in html
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in html


def test_hostile_organization_slugs_are_not_found(signed_in, orgs):
    for path in ("/drift/a/nope/", "/drift/nope/b/", "/drift/a/a%3Cscript%3E/"):
        assert signed_in.get(path).status_code == 404


def test_the_index_redirects_to_the_drift_of_the_two_organizations_chosen(signed_in, orgs):
    response = signed_in.get("/drift/?from=b&to=a&match=phone_number&sort=evil")

    assert response.status_code == 302
    assert response["Location"] == "/drift/b/a/?match=phone_number"


def test_the_navigation_offers_drift_with_two_organizations(signed_in, orgs):
    assert 'id="drift-nav"' in signed_in.get("/o/a/agents/").content.decode()


def test_a_person_granted_only_one_of_the_organizations_gets_a_404(client, django_user_model, orgs):
    person = user_in(django_user_model, "alice")
    OrgGrant.objects.create(user=person, org="a", role=OrgGrant.OPERATOR)
    client.force_login(person)

    assert client.get("/drift/a/b/").status_code == 404
    assert client.get("/drift/b/a/").status_code == 404
    assert client.get("/drift/a/b/?_export=csv").status_code == 404
    assert client.post("/drift/a/b/should-match/").status_code == 404
    assert client.get("/o/a/agents/").status_code == 200
    assert 'id="drift-nav"' not in client.get("/o/a/agents/").content.decode()


def test_a_person_who_sees_two_of_three_organizations_is_not_told_their_role_hides_fields(
    client, django_user_model, orgs, settings
):
    settings.OPENCX_ORGS = [*settings.OPENCX_ORGS, {"slug": "c", "name": "C", "token": TOKEN_A, "url": orgs[0].url}]
    person = user_in(django_user_model, "alice")
    for slug in ("a", "b"):
        OrgGrant.objects.create(user=person, org=slug, role=OrgGrant.OPERATOR)
    client.force_login(person)

    html = client.get("/drift/a/b/").content.decode()

    assert "nor the fields your role hides" not in html
    assert rows(client.get("/drift/a/b/?kind=differs")), "the drift itself is listed"


@pytest.fixture
def staff(client: Any, django_user_model: Any) -> Any:
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    return client


def test_staff_mark_two_organizations_that_should_match_and_it_is_audited(staff, orgs):
    response = staff.post("/drift/a/b/should-match/", {"match": "name"})

    assert response.status_code == 302 and response["Location"] == "/drift/a/b/"
    assert DriftPair.objects.filter(source="a", target="b", match_field="name").exists()
    event = AuditEvent.objects.get(action=AuditEvent.DRIFT_PAIR_MARKED)
    assert event.username == "admin" and event.detail == "a should match b (paired by name)"
    html = staff.get("/drift/a/b/").content.decode()
    assert "A should match B" in html and 'id="unmark"' in html

    staff.post("/drift/a/b/should-match/", {"unmark": "1"})

    assert not DriftPair.objects.exists()
    unmarked = AuditEvent.objects.get(action=AuditEvent.DRIFT_PAIR_UNMARKED)
    assert unmarked.detail == "a no longer should match b"


def test_only_staff_may_mark_organizations(signed_in, orgs):
    assert 'id="mark"' not in signed_in.get("/drift/a/b/").content.decode()
    assert signed_in.post("/drift/a/b/should-match/", {"match": "name"}).status_code == 403
    assert signed_in.get("/drift/a/b/should-match/").status_code == 405
    assert not DriftPair.objects.exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.DRIFT_PAIR_MARKED).exists()


def test_marking_a_field_that_cannot_pair_marks_nothing(staff, orgs):
    staff.post("/drift/a/b/should-match/", {"match": "instructions"})

    assert not DriftPair.objects.exists()


def test_the_drift_finding_flags_the_agents_that_drift_once_marked(staff, orgs):
    assert names(staff.get("/o/a/agents/?finding=drift")) == []

    staff.post("/drift/a/b/should-match/", {"match": "name"})

    flagged = sorted(names(staff.get("/o/a/agents/?finding=drift")))
    assert flagged == ["Agent B", "Agent C", "Agent E", "Agent H", "Agent I"]
    findings = staff.get("/o/a/findings/").content.decode()
    assert re.search(r'<tr id="rule-drift".*?class="finding-count">5<', findings, re.S)
    detail = staff.get("/o/a/agents/a-1/").content.decode()
    assert '<span id="agent-drift">It differs from B in Model.</span>' in detail
    assert "It is missing in B." in staff.get("/o/a/agents/a-2/").content.decode()
    # B is the organization to match: its agents are not flagged.
    assert names(staff.get("/o/b/agents/?finding=drift")) == []

    staff.post("/drift/a/b/should-match/", {"unmark": "1"})

    assert names(staff.get("/o/a/agents/?finding=drift")) == []


def test_the_drift_finding_tells_nothing_to_a_person_who_may_not_see_the_other_organization(
    staff, django_user_model, orgs
):
    staff.post("/drift/a/b/should-match/", {"match": "name"})
    alice = user_in(django_user_model, "alice")
    OrgGrant.objects.create(user=alice, org="a", role=OrgGrant.OPERATOR)
    client = Client()
    client.force_login(alice)

    # Not flagged, counted, named or described anywhere she reads organization a.
    assert names(client.get("/o/a/agents/?finding=drift")) == names(client.get("/o/a/agents/"))  # no such filter
    assert 'id="rule-drift"' not in client.get("/o/a/findings/").content.decode()
    detail = client.get("/o/a/agents/a-1/").content.decode()
    assert "agent-drift" not in detail and "differs from B" not in detail
    assert "missing in B" not in client.get("/o/a/agents/a-2/").content.decode()
    token = issue_token(alice, "script")[1]
    body = client.get("/o/a/api/v1/agents/a-2/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert "drift" not in body["findings"]
    findings = client.get("/o/a/api/v1/findings/", HTTP_AUTHORIZATION=f"Bearer {token}").json()
    assert "drift" not in json.dumps(findings)
    # Staff, who see both, still do.
    assert "It is missing in B." in staff.get("/o/a/agents/a-2/").content.decode()


def test_fields_hidden_from_a_viewer_are_neither_compared_nor_shown(viewer_client, user, orgs, settings):
    settings.SENSITIVE_FIELDS = [*settings.SENSITIVE_FIELDS, "model"]
    seen = viewer_client.get("/drift/a/b/")
    html = seen.content.decode()

    assert sorted(rows(seen)) == [("missing-in-to", "Agent C", []), ("missing-in-to", "Agent I", [])]
    assert "oppie-vox-turbo" not in html
    assert "nor the fields your role hides" in html
    assert viewer_client.get("/drift/a/b/?_export=csv").status_code == 403  # viewers do not export
    # An operator, who may see the model, still sees its three differences.
    operator = Client()
    operator.force_login(user)
    assert len(rows(operator.get("/drift/a/b/"))) == 5


def test_a_viewer_cannot_pair_by_a_hidden_field(viewer_client, orgs):
    response = viewer_client.get("/drift/a/b/?match=provider_external_id")

    assert len(rows(response)) == 5
    assert "Agents cannot be paired by &#x27;provider_external_id&#x27;" in response.content.decode()


def test_an_organization_that_cannot_be_read_is_said_and_no_drift_is_claimed(signed_in, orgs):
    _, b = orgs
    b.fault = "503"
    response = signed_in.get("/drift/a/b/")
    html = response.content.decode()

    assert response.status_code == 200
    assert "B: its agents could not be read yet" in html
    assert rows(response) == [] and "No drift" not in html


def test_one_organization_against_itself_gets_a_notice(signed_in, orgs):
    response = signed_in.get("/drift/a/a/")

    assert "Drift compares two organizations: choose another one to compare with." in response.content.decode()
    assert rows(response) == []


def test_under_an_organizations_prefix_the_page_redirects_to_its_own_address(signed_in, orgs):
    response = signed_in.get("/o/a/drift/a/b/?kind=differs")

    assert response.status_code == 302 and response["Location"] == "/drift/a/b/?kind=differs"


@pytest.mark.parametrize(
    ("sort", "first", "last"),
    [
        ("kind", "Agent C", "Agent H"),  # missing in B first, then the pairs that differ
        ("-match", "Agent I", "Agent B"),
        ("field", "Agent B", "Agent I"),  # differing fields first, agents on one side last
    ],
)
def test_the_headers_sort_the_rows(signed_in, orgs, sort, first, last):
    response = signed_in.get(f"/drift/a/b/?sort={sort}")
    found = [match for _, match, _ in rows(response)]

    assert (found[0], found[-1]) == (first, last)
    assert "Cannot sort" not in response.content.decode()
