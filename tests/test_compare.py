"""Compare: two to four agents side by side, exactly the differing settings highlighted (never the
fields that identify an agent: name, id, number, dates)."""

import re

from tests.conftest import agent_record


def differing(response) -> list[str]:
    return re.findall(r'<tr data-field="([a-z_]+)" class="differs">', response.content.decode())


def shown_fields(response) -> list[str]:
    return re.findall(r'<tr data-field="([a-z_]+)"', response.content.decode())


def test_exactly_the_settings_that_differ_are_highlighted(signed_in, upstream):
    flow = {"id": "n1", "type": "start", "content": "Hi", "children": []}
    upstream.set_agents(
        [
            agent_record(id="a", flow=flow),
            agent_record(id="b", speed=1.4, instructions=["Be brief.", "Confirm the caller's email."], flow=flow),
            agent_record(id="c", flow={**flow, "content": "Hello"}),
        ]
    )

    two = signed_in.get("/agents/compare/?id=a&id=b")
    three = signed_in.get("/agents/compare/?id=a&id=b&id=c")

    assert two.status_code == 200
    assert differing(two) == ["speed", "instructions"]
    # Same node count, different content: still a difference.
    assert differing(three) == ["speed", "instructions", "flow"]
    assert "1 field differs" in signed_in.get("/agents/compare/?id=a&id=c").content.decode()


def test_the_fields_that_identify_an_agent_are_shown_but_never_highlighted(signed_in, upstream):
    upstream.set_agents(
        [
            agent_record(id="a", name="Billing EN", phone_number="+14155550101", created_at="2024-01-01T00:00:00Z"),
            agent_record(id="b", name="Billing ES", phone_number="+14155550102", updated_at="2025-01-01T00:00:00Z"),
        ]
    )

    response = signed_in.get("/agents/compare/?id=a&id=b")

    assert differing(response) == []
    assert {"name", "id", "phone_number", "created_at", "updated_at"} <= set(shown_fields(response))
    assert (
        "These agents are configured exactly alike."
        in signed_in.get("/agents/compare/?id=a&id=b&only=differences").content.decode()
    )


def test_only_the_differences_can_be_shown(signed_in, upstream):
    upstream.set_agents([agent_record(id="a"), agent_record(id="b", model="oppie-vox")])

    response = signed_in.get("/agents/compare/?id=a&id=b&only=differences")

    assert shown_fields(response) == ["model"]


def test_agents_configured_alike_say_so(signed_in, upstream):
    upstream.set_agents([agent_record(id="a"), agent_record(id="b")])

    html = signed_in.get("/agents/compare/?id=a&id=b&only=differences").content.decode()

    assert "0 fields differ" in html
    assert "These agents are configured exactly alike." in html
    assert shown_fields(signed_in.get("/agents/compare/?id=a&id=b")) != []


def test_fewer_than_two_agents_explains_how_to_pick_them(signed_in, upstream):
    upstream.set_agents([agent_record(id="a")])

    for query in ("", "?id=a", "?id=a&id=a", "?id=a&id=ghost"):
        html = signed_in.get(f"/agents/compare/{query}").content.decode()
        assert 'id="compare-empty"' in html, query
    assert (
        "Not in the current data, so left out: &#x27;ghost&#x27;."
        in signed_in.get("/agents/compare/?id=a&id=ghost").content.decode()
    )


def test_more_than_four_agents_compares_the_first_four(signed_in, upstream):
    upstream.set_agents([agent_record(id=f"a{n}") for n in range(6)])

    html = signed_in.get("/agents/compare/?" + "&".join(f"id=a{n}" for n in range(6))).content.decode()

    assert "At most 4 agents compare side by side: showing the first 4." in html
    assert html.count('<th scope="col"><a href="/agents/a') == 4


def test_upstream_text_is_escaped(signed_in, upstream):
    upstream.set_agents([agent_record(id="a", name="<img src=x onerror=alert(1)>"), agent_record(id="b")])

    html = signed_in.get("/agents/compare/?id=a&id=b").content.decode()

    assert "<img src=x" not in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html


def test_the_list_offers_a_checkbox_per_agent_for_the_compare_form(signed_in, upstream):
    upstream.set_agents([agent_record(id="a/b c", name="Odd id")])

    html = signed_in.get("/agents/").content.decode()

    assert '<form method="get" action="/agents/compare/" id="compare-form"' in html
    assert 'form="compare-form" name="id" value="a/b c" aria-label="Compare Odd id"' in html
