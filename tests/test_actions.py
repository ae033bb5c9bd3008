"""Action names from GET /actions beside action ids; null reads "all actions", [] "none"."""

import json

import pytest

from dashboard.demo.fleet import RETIRED_ACTIONS, demo_actions, demo_fleet
from dashboard.opencx.actions import parse_actions
from dashboard.snapshots.service import get_snapshot
from tests.conftest import agent_record, expire_and_refresh

ACTIONS = {"data": [{"id": "act_1", "name": "Look up order", "status": "active"}, {"id": "act_2", "name": "Refund"}]}


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(id="a", name="Orders", actionIds=["act_1", "act_gone"]),
            agent_record(id="b", name="Refunds", actionIds=["act_2"]),
            agent_record(id="c", name="Everything", actionIds=None),
            agent_record(id="d", name="Nothing", actionIds=[]),
        ]
    )
    upstream.set_actions(ACTIONS)
    return upstream


@pytest.mark.parametrize(
    "payload",
    [
        [{"id": "a1", "name": "Refund"}],
        {"actions": [{"id": "a1", "name": "Refund"}]},
        {"results": [{"actionId": "a1", "title": " Refund "}]},
    ],
)
def test_likely_shapes_of_the_actions_list_are_read(payload):
    assert parse_actions(payload) == {"a1": "Refund"}


@pytest.mark.parametrize("payload", [None, "x", {"data": 3}, [{"id": 1, "name": "x"}, {"name": "no id"}]])
def test_anything_else_gives_no_names(payload):
    assert parse_actions(payload) == {}


def test_actions_show_by_name_beside_their_id_on_the_list_detail_and_compare(signed_in, fleet):
    listing = signed_in.get("/agents/?columns=action_ids&sort=name").content.decode()
    detail = signed_in.get("/agents/a/").content.decode()
    compare = signed_in.get("/agents/compare/?id=a&id=c").content.decode()

    named = 'Look up order <span class="vid">act_1</span>'
    assert named in listing and named in detail and named in compare
    assert '<span class="vid">act_gone</span>' in detail  # no name: the id alone
    assert ">all actions</span>" in listing and ">none</span>" in listing
    assert "all of the organization's actions" in compare


def test_exports_carry_names_beside_ids(signed_in, fleet):
    query = "columns=action_ids&sort=name"
    rows = json.loads(signed_in.get(f"/agents/?{query}&_export=json").getvalue())
    csv = signed_in.get(f"/agents/?{query}&_export=csv").getvalue().decode()

    assert rows[2]["action_ids"] == [{"id": "act_1", "name": "Look up order"}, {"id": "act_gone", "name": None}]
    assert rows[0]["action_ids"] == "all"
    assert "Look up order (act_1); act_gone" in csv and "Everything,all" in csv and "Nothing,none" in csv


def test_agents_can_be_filtered_by_action_and_found_by_its_name(signed_in, fleet):
    menu = signed_in.get("/agents/facets/action/").content.decode()  # what the menu shows when it opens
    by_menu = signed_in.get("/agents/?action=act_2").content.decode()
    everything = signed_in.get("/agents/?action=~all").content.decode()
    by_search = signed_in.get("/agents/?q=refund").content.decode()

    assert "Look up order (act_1)" in menu and ">act_gone<" in menu and "all actions" in menu
    assert "Refunds" in by_menu and "Orders" not in by_menu
    assert "action: Refund (act_2)" in by_menu  # the chip
    assert "Everything" in everything and "Nothing" not in everything
    assert "Refunds" in by_search and "Orders" not in by_search


def test_the_overview_has_an_actions_card(signed_in, fleet):
    card = signed_in.get("/").content.decode().split('id="breakdown-action"')[1].split("</section>")[0]

    assert 'title="Look up order (act_1)"' in card and 'title="all actions"' in card
    assert "An agent with several actions counts in the bar of each." in card


def test_action_ids_that_no_longer_exist_are_a_finding(signed_in, fleet):
    flagged = signed_in.get("/agents/?finding=unknown-action").content.decode()

    assert "Orders" in flagged and "Refunds" not in flagged and "Everything" not in flagged


def test_without_an_actions_list_ids_show_and_nothing_is_flagged(signed_in, fleet):
    fleet._bodies.pop("/actions")

    detail = signed_in.get("/agents/a/").content.decode()
    flagged = signed_in.get("/agents/?finding=unknown-action").content.decode()

    assert '<span class="vid">act_1</span>' in detail
    assert "Orders" not in flagged
    assert get_snapshot().stale_reason is None


def test_action_names_are_read_at_most_hourly(signed_in, fleet, clock):
    signed_in.get("/agents/")
    expire_and_refresh(clock)

    assert (fleet.calls, fleet.action_calls) == (2, 1)
    assert get_snapshot().action_names["act_2"] == "Refund"


def test_the_demo_names_its_actions_and_still_uses_some_that_were_deleted():
    names = parse_actions(demo_actions())
    used = {action for agent in demo_fleet(150) for action in agent["actionIds"] or ()}

    assert "act_create_ticket" in names
    assert {f"act_{team.lower()}_lookup" for team in RETIRED_ACTIONS} <= used - set(names)
