"""Agent ids in URLs, and reading an agent's flow."""

import pytest
from django.urls import resolve, reverse

from dashboard.agents.ids import decode_agent_id, encode_agent_id
from dashboard.fields.flow import MAX_OUTLINE_NODES, flow_outline

ODD_IDS = ["a/b", "what?", "hash#tag", "..", ".", "with space", "~tilde", "ünïcødé", "☎️📞", "%2F", "-dash", ""]


@pytest.mark.parametrize("agent_id", ["abc", "3c90c3cc-0d44-4b50-8888-8dd25736052a", "agent_1.v2"])
def test_plain_ids_appear_in_urls_as_they_are(agent_id):
    assert reverse("agent-detail", args=[agent_id]) == f"/agents/{agent_id}/"


@pytest.mark.parametrize("agent_id", ODD_IDS)
def test_any_id_survives_the_round_trip_through_a_url(agent_id):
    path = reverse("agent-detail", args=[agent_id])

    assert path.count("/") == 3 and ".." not in path and "?" not in path and "#" not in path
    assert resolve(path).kwargs["agent_id"] == agent_id
    assert decode_agent_id(encode_agent_id(agent_id)) == agent_id


@pytest.mark.parametrize("segment", ["~!!!", "~\udcff", "-starts-with-dash", "~AA="])
def test_segments_that_cannot_come_from_an_id_are_refused(segment):
    with pytest.raises(ValueError, match="not an agent reference"):
        decode_agent_id(segment)


def node(kind, content, children=()):
    return {"id": kind, "type": kind, "content": content, "children": list(children)}


def test_a_flow_tree_reads_as_an_indented_outline():
    flow = node("start", "Greet", [node("question", "Why?", [node("action", "Look up")]), node("transfer", "Human")])

    outline, total = flow_outline(flow)

    assert total == 4
    assert [(n.depth, n.type, n.content) for n in outline] == [
        (0, "start", "Greet"),
        (1, "question", "Why?"),
        (2, "action", "Look up"),
        (1, "transfer", "Human"),
    ]


@pytest.mark.parametrize("flow", [None, "text", 42, [], {"children": "not a list"}])
def test_anything_that_is_not_a_node_tree_counts_as_little_or_nothing(flow):
    outline, total = flow_outline(flow)

    assert total == len(outline) <= 1


def test_a_list_of_roots_is_read_in_order():
    outline, total = flow_outline([node("a", "1"), "junk", node("b", "2")])

    assert total == 2 and [n.type for n in outline] == ["a", "b"]


def test_a_huge_flow_is_counted_in_full_but_outlined_in_part():
    outline, total = flow_outline(node("root", "r", [node("leaf", str(i)) for i in range(MAX_OUTLINE_NODES + 100)]))

    assert total == MAX_OUTLINE_NODES + 101
    assert len(outline) == MAX_OUTLINE_NODES


def test_a_very_deep_flow_does_not_exhaust_the_stack():
    flow = node("leaf", "bottom")
    for depth in range(5000):
        flow = node("level", str(depth), [flow])

    outline, total = flow_outline(flow)

    assert total == 5001
    assert outline[-1].indent == 12
