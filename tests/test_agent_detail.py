"""/agents/<id>/: every field of one agent, grouped."""

import html
import re

import pytest
from django.urls import reverse

from tests.conftest import agent_record


def detail(client, agent_id: str):
    return client.get(reverse("agent-detail", args=[agent_id]))


def test_it_shows_every_field_in_its_group(signed_in, upstream):
    upstream.set_agents(
        [
            agent_record(
                id="agent-42",
                org_id="org_77",
                name="Front Desk",
                phone_number="+14155550142",
                provider_external_id="prov_abc",
                voice_id="vx_lena",
                accent="british",
                speed=1.2,
                tts_speed_pct=15,
                background_noise_preset="city-street",
                interruptible=False,
                language=["en", "fr"],
                stt_model="cartesia/ink-whisper",
                stt_keyterms=["PPO", "co-pay"],
                model="oppie-vox-turbo",
                custom_llm="https://llm.example.com/v1",
                manual_mode=True,
                first_message="Welcome to the front desk",
                instructions=["Greet warmly.", "Ask for the name."],
                use_org_knowledgebase=False,
                actionIds=["act_lookup", "act_ticket"],
                handoff_phone_number="+14155550999",
                failover_transfer_destination_id="9b2f7c1e-5d4a-4c3b-9a8f-1e2d3c4b5a69",
                data_collection_fields=["email", "callback_number"],
                data_collection_webhook_url="https://hooks.example.com/desk",
                recording_enabled=False,
                flow={
                    "id": "n1",
                    "type": "start",
                    "content": "Hello",
                    "children": [{"id": "n2", "type": "question", "content": "What do you need?", "children": []}],
                },
            )
        ]
    )

    html = detail(signed_in, "agent-42").content.decode()

    for heading in (
        "Identity",
        "Voice &amp; speech",
        "Language &amp; speech-to-text",
        "Model &amp; behaviour",
        "Handoff &amp; failover",
        "Data collection &amp; recording",
    ):
        assert heading in html
    for value in (
        "agent-42",
        "org_77",
        "Front Desk",
        "+14155550142",
        "prov_abc",
        "vx_lena",
        "british",
        "1.2",
        "15 %",
        "city-street",
        "en, fr",
        "cartesia/ink-whisper",
        "PPO, co-pay",
        "oppie-vox-turbo",
        "https://llm.example.com/v1",
        "Welcome to the front desk",
        '<li class="text-break">Greet warmly.</li>',
        '<span class="vid">act_lookup</span>, <span class="vid">act_ticket</span>',
        "+14155550999",
        "9b2f7c1e-5d4a-4c3b-9a8f-1e2d3c4b5a69",
        "email, callback_number",
        "https://hooks.example.com/desk",
        "2 nodes",
        "What do you need?",
        "2023-11-07 05:31:56 UTC",
    ):
        assert value in html, value


def test_null_shows_as_a_dash_and_never_as_none(signed_in, upstream):
    record = agent_record(id="sparse")
    for field in (
        "org_id",
        "name",
        "phone_number",
        "accent",
        "handoff_phone_number",
        "speed",
        "voice_id",
        "first_message",
        "provider_external_id",
        "custom_llm",
        "background_noise_preset",
        "stt_model",
        "tts_speed_pct",
        "data_collection_webhook_url",
        "instructions",
        "data_collection_fields",
        "interruptible",
        "recording_enabled",
    ):
        record[field] = None
    upstream.set_agents([record])

    html = detail(signed_in, "sparse").content.decode()

    assert "None" not in html
    assert html.count('title="not set">—</span>') >= 15


def test_all_actions_and_no_actions_read_differently(signed_in, upstream):
    upstream.set_agents([agent_record(id="all", actionIds=None), agent_record(id="none", actionIds=[])])

    assert "all of the organization's actions" in detail(signed_in, "all").content.decode()
    assert "none</span>" in detail(signed_in, "none").content.decode().split('id="behaviour"')[1]


@pytest.mark.parametrize(
    ("value", "label"),
    [
        ("00000000-0000-0000-0000-000000000000", "nil UUID"),
        ("ffffffff-ffff-ffff-ffff-ffffffffffff", "max UUID"),
    ],
)
def test_nil_and_max_failover_uuids_are_shown_as_they_are(signed_in, upstream, value, label):
    upstream.set_agents([agent_record(id="f", failover_transfer_destination_id=value)])

    page = detail(signed_in, "f").content.decode()
    listing = signed_in.get("/agents/").content.decode()

    assert value in page and label in page
    assert label in listing


def test_no_failover_reads_none(signed_in, upstream):
    upstream.set_agents([agent_record(id="f", failover_transfer_destination_id=None)])

    failover = (
        detail(signed_in, "f")
        .content.decode()
        .split('id="field-failover_transfer_destination_id"')[1]
        .split("</dd>")[0]
    )

    assert ">none<" in failover


@pytest.mark.parametrize(
    "agent_id", ["a/b", "what?", "hash#tag", "..", ".", "with space", "ünïcødé-☎", "~tilde", "%2F..%2F"]
)
def test_the_link_to_an_agent_works_whatever_its_id_holds(signed_in, upstream, agent_id):
    upstream.set_agents([agent_record(id=agent_id, name="Odd id")])
    listing = signed_in.get("/agents/").content.decode()
    url = reverse("agent-detail", args=[agent_id])

    response = signed_in.get(url)

    assert f'href="{url}"' in listing
    assert response.status_code == 200
    assert "Odd id" in response.content.decode()


def test_an_unknown_id_gets_a_404_page_inside_the_layout(signed_in, upstream):
    response = signed_in.get("/agents/no-such-agent/")
    html = response.content.decode()

    assert response.status_code == 404
    assert "Agent not found" in html
    assert "no-such-agent" in html
    assert 'class="navbar' in html


def test_a_malformed_encoded_id_is_not_found(signed_in, upstream):
    response = signed_in.get("/agents/~%FF%FE/")

    assert response.status_code == 404


def test_hostile_text_in_every_field_is_escaped(signed_in, upstream):
    hostile = '<script>alert("x")</script>'
    record = {key: hostile for key, value in agent_record().items() if isinstance(value, str)}
    record.update(
        id="evil",
        instructions=[hostile],
        language=[hostile],
        stt_keyterms=[hostile],
        actionIds=[hostile],
        data_collection_fields=[hostile],
        flow={"type": hostile, "content": hostile, "children": []},
    )
    upstream.set_agents([record])

    html = detail(signed_in, "evil").content.decode()

    assert hostile not in html
    assert html.count("&lt;script&gt;") >= 15


def test_back_to_list_keeps_the_lists_filters(signed_in, upstream):
    signed_in.get("/agents/?model=oppie-vox-2&sort=-name&page=1")
    agent_id = upstream_first_id(signed_in)

    html = detail(signed_in, agent_id).content.decode()

    assert 'href="/agents/?model=oppie-vox-2&amp;sort=-name&amp;page=1" id="back-to-list"' in html


def test_back_to_list_after_an_export_goes_to_the_list_not_the_export(signed_in, upstream):
    signed_in.get("/agents/?model=oppie-vox-2&_export=csv").getvalue()
    agent_id = upstream_first_id(signed_in)

    html = detail(signed_in, agent_id).content.decode()

    assert 'href="/agents/?model=oppie-vox-2" id="back-to-list"' in html


def test_back_to_list_after_a_refused_export_opens_the_list_for_a_viewer(viewer_client, upstream):
    assert viewer_client.get("/agents/?model=oppie-vox-2&_export=xlsx").status_code == 403
    agent_id = upstream_first_id(viewer_client)

    page = detail(viewer_client, agent_id).content.decode()
    back = html.unescape(re.search(r'href="([^"]*)" id="back-to-list"', page)[1])

    assert viewer_client.get(back).status_code == 200
    assert "_export" not in back


def upstream_first_id(client) -> str:
    from dashboard.snapshots.service import get_snapshot

    return get_snapshot().agents[0].id


def test_problems_with_this_agent_are_shown_on_its_page(signed_in, upstream):
    upstream.set_agents([agent_record(id="p", speed="fast")])

    html = detail(signed_in, "p").content.decode()

    assert "Parts of this agent could not be read" in html
    assert "expected a number" in html
