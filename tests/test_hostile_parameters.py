"""Every query parameter of every page, sent hostile values: a notice and a sane default, never a 5xx."""

import pytest
from django.urls import reverse

from dashboard.access.sharing import create_share, share_url
from dashboard.fields import OPENCX_FIELDS
from dashboard.snapshots import service
from tests.conftest import agent_record

HOSTILE = [
    "²",  # a digit to str.isdigit(), not to int()
    "①",
    "١٢",  # Arabic-Indic digits, which int() does read
    "9" * 5000,  # beyond int()'s digit limit
    "-1",
    "0",
    "1e309",
    "nan",
    "-inf",
    "0001-01-01",
    "9999-12-31",
    "0001-01-01T00:00+14:00",
    "9999-12-31T23:59:59-14:00",
    "2024-02-30",
    "x" * 10_000,
    "\x00",
    "a\x00b",
    "<script>alert(1)</script>",
    "~none",
    "",
    " ",
    ",,,",
    "--name",
    ",".join(["name", "-name", "speed"] * 300),
    "\u202e\U0001f642",
]


def list_parameters() -> list[str]:
    """Every parameter the agent list reads: its filters (from the registry), search, sort, pages, columns."""
    names = ["q", "sort", "page", "per_page", "columns", "finding", "_export", "facet_q", "pick"]
    for _, declared in OPENCX_FIELDS.filters:
        if hasattr(declared, "parameter"):
            names += [declared.parameter, f"{declared.parameter}_match"]
        else:
            names += [declared.low, declared.high]
    return names


@pytest.fixture
def pages(signed_in, upstream, history, clock, user):
    """Every page that reads a query string, with data behind it: a recorded change, share links."""
    upstream.set_agents([agent_record(id="a1", name="Alpha"), agent_record(id="a2", name="Bravo")])
    service.get_snapshot()
    upstream.set_agents([agent_record(id="a1", name="Alpha", model="oppie-vox"), agent_record(id="a3")])
    clock.shift(600)
    service.get_snapshot()
    shared_list = share_url(create_share(user=user, query="model=oppie-vox", title="list"))
    shared_agent = share_url(create_share(user=user, agent_id="a1", title="agent"))
    listing = list_parameters()
    return {
        "/": ["anything"],
        "/agents/": listing,
        "/agents/facets/model/": listing,
        "/agents/facets/language/": listing,
        reverse("agent-detail", args=["a1"]): ["page", "sort"],
        "/agents/compare/": ["id", "only"],
        "/problems/": ["sort", "page", "per_page", "_export"],
        "/findings/": ["anything"],
        "/changes/": ["period", "since", "until", "field", "agent", "kind", "page"],
        "/shares/": ["anything"],
        "/status/": ["anything"],
        shared_list: ["page", "sort", "q", "per_page", "_export"],
        shared_agent: ["page", "sort"],
        f"{shared_list}agents/a1/": ["page", "sort"],
        "/agents/a1/json/": ["anything"],
    }


def test_no_hostile_value_in_any_parameter_of_any_page_causes_a_server_error(
    pages, signed_in, client, django_user_model
):
    from tests.conftest import user_in

    signed_in.force_login(user_in(django_user_model, "admin", "Staff"))  # every page, status and exports too
    failures = []
    for path, names in pages.items():
        for value in HOSTILE:
            response = signed_in.get(path, {name: value for name in names})
            if response.status_code >= 500:
                failures.append((path, repr(value)[:40], response.status_code))
        doubled = {name: ["1", "x"] for name in names}  # each parameter twice, disagreeing
        if signed_in.get(path, doubled).status_code >= 500:
            failures.append((path, "repeated", "5xx"))

    assert failures == []


def test_a_hostile_page_number_gets_a_notice_and_the_first_page(signed_in, upstream):
    for value in ("²", "①", "9" * 5000, "-1"):
        response = signed_in.get("/agents/", {"page": value})

        assert response.status_code == 200
        assert "is not a page number" in response.content.decode() or "There is no page" in response.content.decode()


def test_a_date_beyond_what_utc_can_hold_is_ignored_with_a_notice(signed_in, upstream, history):
    response = signed_in.get("/changes/", {"since": "0001-01-01T00:00+14:00", "until": "9999-12-31T23:59-14:00"})

    assert response.status_code == 200
    assert "It was ignored" in response.content.decode()


def test_hundreds_of_sort_keys_sort_by_the_first_three_distinct_ones(signed_in, upstream):
    upstream.set_agents([agent_record(id="a1", name="B", speed=1.0), agent_record(id="a2", name="A", speed=1.0)])

    response = signed_in.get("/agents/", {"sort": ",".join(["speed", "-name", "speed", "name"] * 200)})
    html = response.content.decode()

    assert response.status_code == 200
    assert "At most 3 sort keys apply" not in html  # two distinct keys: both apply
    assert html.index(">B<") < html.index(">A<")


def test_no_hostile_value_in_any_parameter_of_the_api_causes_a_server_error(pages, client, user, settings):
    from dashboard.api.tokens import issue_token

    settings.API_REQUESTS_PER_MINUTE = 100_000
    _, token = issue_token(user, "fuzz")
    listing = list_parameters()
    endpoints = {
        "/api/v1/agents/": listing,
        "/api/v1/agents/a1/": ["anything"],
        "/api/v1/findings/": ["severity"],
        "/api/v1/changes/": ["period", "since", "until", "field", "agent", "kind", "page", "per_page"],
        "/api/v1/status/": ["anything"],
    }
    failures = []
    for path, names in endpoints.items():
        for value in HOSTILE:
            response = client.get(path, {name: value for name in names}, HTTP_AUTHORIZATION=f"Bearer {token}")
            if response.status_code >= 500:
                failures.append((path, repr(value)[:40], response.status_code))

    assert failures == []


@pytest.mark.parametrize("name", ["sort", "columns", "q", "model", "page", "per_page"])
def test_a_nul_in_a_list_parameter_gets_a_notice(signed_in, upstream, name):
    response = signed_in.get("/agents/", {name: "a\x00b"})

    assert response.status_code == 200
    assert 'class="alert alert-warning' in response.content.decode()
