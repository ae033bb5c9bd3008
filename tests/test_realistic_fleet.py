"""On a fleet shaped like a real one: facet menus that stay small and count exactly, a light list page."""

import re
from html.parser import HTMLParser

import pytest

from dashboard.demo.fleet import realistic_fleet, realistic_voices
from tests.conftest import agent_record
from tests.test_agent_list import names

FACETS = ["type", "language", "accent", "model", "voice", "stt_model", "keyterm", "noise", "data_field"]


@pytest.fixture
def realistic(upstream):
    upstream.set_agents(realistic_fleet(2_000))
    upstream.set_voices(realistic_voices())
    return upstream


def options(client, parameter: str, query: str = "", search: str = "") -> dict[str, int]:
    """value -> count, as the facet's menu shows them when it opens (or is searched)."""
    html = client.get(f"/agents/facets/{parameter}/", {"facet_q": search} | dict(_pairs(query))).content.decode()
    return {value: int(count) for value, count in re.findall(r'value="([^"]*)".*?facet-count">(\d+)<', html, re.S)}


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(pair.split("=", 1)) for pair in query.split("&") if pair]


def total(client, query: str) -> int:
    page = client.get(f"/agents/?{query}&per_page=25").content.decode()
    found = re.search(r"of ([\d,]+) agent", page)
    return int(found.group(1).replace(",", "")) if found else 0


@pytest.mark.parametrize("query", ["", "model=oppie-vox-2&recording=yes"])
def test_every_facet_count_equals_the_rows_its_value_lists(signed_in, realistic, query):
    for parameter in FACETS:
        shown = options(signed_in, parameter, query)
        assert 0 < len(shown) <= 50, parameter
        others = "&".join(pair for pair in query.split("&") if pair and not pair.startswith(f"{parameter}="))
        for value, count in list(shown.items())[:6]:  # counted under the other filters: this value alone
            assert total(signed_in, f"{others}&{parameter}={value}") == count, (parameter, value)


def test_a_menu_carries_at_most_fifty_values_and_its_search_finds_the_others(signed_in, realistic):
    first = options(signed_in, "keyterm")
    found = options(signed_in, "keyterm", search="term-299")

    assert len(first) == 50  # 300 key terms in the fleet
    assert list(found) == ["term-299"]


def test_the_page_carries_only_the_ticked_values_of_each_menu(signed_in, realistic):
    html = signed_in.get("/agents/?keyterm=term-007&keyterm=term-008").content.decode()
    menu = html.split('aria-labelledby="filter-keyterm"')[1].split("</fieldset>")[0]

    assert sorted(re.findall(r'name="keyterm" value="([^"]*)"', menu)) == ["term-007", "term-008"]
    assert "Find a key term" in menu


class ElementCount(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.elements = 0

    def handle_starttag(self, tag, attrs) -> None:
        self.elements += 1


def test_the_list_at_a_hundred_rows_stays_within_its_budget(signed_in, realistic):
    response = signed_in.get("/agents/?per_page=100&page=3")
    counter = ElementCount()
    counter.feed(response.content.decode())

    assert len(names(response)) == 100
    assert len(response.content) <= 150 * 1024
    assert counter.elements <= 3000


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("language=en&language=es", ["Both", "English", "Spanish"]),
        ("language=en&language=es&language_match=all", ["Both"]),
        ("language=en&language_match=all", ["Both", "English"]),
        ("language=~none", ["Silent"]),
    ],
)
def test_a_list_field_filters_per_value_with_any_or_all(signed_in, upstream, query, expected):
    upstream.set_agents(
        [
            agent_record(id="a1", name="Both", language=["en", "es"]),
            agent_record(id="a2", name="English", language=["en"]),
            agent_record(id="a3", name="Spanish", language="es"),
            agent_record(id="a4", name="Silent", language=[]),
        ]
    )

    assert names(signed_in.get(f"/agents/?{query}&sort=name")) == expected


@pytest.mark.parametrize("needle", ["act_lookup_42", "callback_window", "transfer to billing"])
def test_search_finds_action_ids_data_fields_and_flow_text(signed_in, upstream, needle):
    upstream.set_agents(
        [
            agent_record(
                id="a1",
                name="Target",
                actionIds=["act_lookup_42"],
                data_collection_fields=["callback_window"],
                flow={"id": "n1", "type": "transfer", "content": "Transfer to billing", "children": []},
            ),
            agent_record(id="a2", name="Other"),
        ]
    )

    assert names(signed_in.get("/agents/", {"q": needle})) == ["Target"]


def test_no_working_failover_is_one_filter_and_matches_the_findings(signed_in, realistic):
    not_working = total(signed_in, "failover=not-working")
    flagged = total(signed_in, "finding=no-failover&finding=placeholder-failover")

    assert not_working == flagged > 0
    assert total(signed_in, "failover=set") + not_working == 2_000
