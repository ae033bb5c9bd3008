"""Filtering /agents/ on every field: facets with counts, yes/no, has/has not, ranges, search."""

import re
from html import unescape

import pytest

from dashboard.agents.index import FleetIndex
from tests.conftest import agent_record
from tests.test_agent_list import names


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            agent_record(
                id="a1",
                name="Alpha",
                type="inbound",
                model="oppie-vox-2",
                language=["es"],
                accent="mexican",
                voice_id="vx_aria",
                stt_model="deepgram/nova-3-medical",
                background_noise_preset="office",
                interruptible=True,
                manual_mode=False,
                recording_enabled=True,
                use_org_knowledgebase=True,
                failover_transfer_destination_id=None,
                handoff_phone_number=None,
                custom_llm=None,
                flow=None,
                first_message="Hola",
                phone_number="+14155550101",
                data_collection_webhook_url=None,
                speed=0.9,
                tts_speed_pct=-10,
                created_at="2024-01-10T08:00:00Z",
                updated_at="2024-06-01T12:00:00Z",
                instructions=["Speak Spanish to callers."],
                stt_keyterms=["co-pay"],
            ),
            agent_record(
                id="a2",
                name="Bravo",
                type="outbound",
                model="oppie-vox-2",
                language=["es", "en"],
                accent=None,
                voice_id="vx_marco",
                stt_model="deepgram/nova-3",
                background_noise_preset=None,
                interruptible=False,
                manual_mode=True,
                recording_enabled=False,
                use_org_knowledgebase=False,
                failover_transfer_destination_id="00000000-0000-0000-0000-000000000000",
                handoff_phone_number="+14155550999",
                custom_llm="https://llm.example.com",
                flow={"id": "n"},
                first_message=None,
                phone_number=None,
                data_collection_webhook_url="https://hooks.example.com",
                speed=1.2,
                tts_speed_pct=25,
                created_at="2024-03-05T23:59:00Z",
                updated_at="2025-01-01T00:00:00Z",
                instructions=None,
                stt_keyterms=[],
            ),
            agent_record(
                id="a3",
                name="Charlie",
                type="outbound",
                model="oppie-vox",
                language=["en"],
                accent="british",
                voice_id=None,
                stt_model=None,
                background_noise_preset="bar",
                interruptible=None,
                manual_mode=False,
                recording_enabled=True,
                use_org_knowledgebase=False,
                failover_transfer_destination_id="3c90c3cc-0d44-4b50-8888-8dd25736052a",
                handoff_phone_number="+13035550100",
                custom_llm="",
                flow=None,
                first_message="Hello",
                phone_number="+13035550103",
                data_collection_webhook_url=None,
                speed=None,
                tts_speed_pct=None,
                created_at="2023-12-31T10:00:00Z",
                updated_at=None,
                instructions=["Upsell renewals."],
                stt_keyterms=["PPO"],
            ),
        ]
    )
    return upstream


def listed(client, query: str) -> list[str]:
    # An empty parameter redirects to the same URL without it.
    return sorted(names(client.get(f"/agents/?{query}", follow=True)))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("voice=vx_marco", ["Bravo"]),
        ("voice=~none", ["Charlie"]),
        ("accent=mexican&accent=british", ["Alpha", "Charlie"]),
        ("noise=office", ["Alpha"]),
        ("noise=~none", ["Bravo"]),
        ("language=es", ["Alpha", "Bravo"]),
        ("stt_model=deepgram/nova-3-medical", ["Alpha"]),
    ],
)
def test_multi_select_facets(signed_in, fleet, query, expected):
    assert listed(signed_in, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("interruptible=yes", ["Alpha"]),
        ("interruptible=no", ["Bravo"]),  # Charlie's is not set: neither yes nor no
        ("manual_mode=yes", ["Bravo"]),
        ("recording=no", ["Bravo"]),
        ("recording=yes&knowledge_base=no", ["Charlie"]),
        ("recording=", ["Alpha", "Bravo", "Charlie"]),
    ],
)
def test_yes_no_any_for_booleans(signed_in, fleet, query, expected):
    assert listed(signed_in, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("failover=unset", ["Alpha"]),
        ("failover=set", ["Charlie"]),  # a real destination
        ("failover=placeholder", ["Bravo"]),  # the nil UUID: a value, but no destination
        ("failover=not-working", ["Alpha", "Bravo"]),  # what the findings flag, in one click
        ("handoff=unset", ["Alpha"]),
        ("webhook=set", ["Bravo"]),
        ("custom_llm=set", ["Bravo"]),  # an empty string is not a setting
        ("flow=set", ["Bravo"]),
        ("first_message=unset", ["Bravo"]),
        ("phone=unset", ["Bravo"]),
        ("phone=set&failover=set", ["Charlie"]),
    ],
)
def test_has_and_has_not_for_optional_settings(signed_in, fleet, query, expected):
    assert listed(signed_in, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("speed_min=1", ["Bravo"]),
        ("speed_max=1", ["Alpha"]),
        ("speed_min=0.9&speed_max=1.2", ["Alpha", "Bravo"]),
        ("tts_min=0", ["Bravo"]),
        ("tts_max=-10", ["Alpha"]),
        ("created_after=2024-01-01", ["Alpha", "Bravo"]),
        ("created_before=2024-03-05", ["Alpha", "Bravo", "Charlie"]),  # the whole day counts
        ("created_after=2024-01-11&created_before=2024-03-05", ["Bravo"]),
        ("updated_after=2024-12-31", ["Bravo"]),
        ("updated_before=2024-12-31", ["Alpha"]),
    ],
)
def test_ranges_for_numbers_and_dates(signed_in, fleet, query, expected):
    assert listed(signed_in, query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=spanish", ["Alpha"]),  # instructions
        ("q=PPO", ["Charlie"]),  # key terms
        ("q=llm.example", ["Bravo"]),  # custom LLM
        ("q=HOLA", ["Alpha"]),  # first message
        ("q=vx_ARIA", ["Alpha"]),  # voice
        ("q=mexican", ["Alpha"]),  # accent
        ("q=org_1", ["Alpha", "Bravo", "Charlie"]),  # organization
        ("q=415%20555%200999", ["Bravo"]),  # handoff number, however spaced
        ("q=3c90c3cc", ["Charlie"]),  # failover destination
    ],
)
def test_search_covers_every_text_field(signed_in, fleet, query, expected):
    assert listed(signed_in, query) == expected


def test_filters_of_every_kind_combine_with_search(signed_in, fleet):
    assert listed(signed_in, "type=outbound&recording=yes&failover=set&speed_max=5&q=renewals") == []
    assert listed(signed_in, "type=outbound&recording=yes&failover=set&q=upsell") == ["Charlie"]


def facet_counts(response, parameter: str) -> dict[str, int]:
    """The values and counts a facet's menu shows when it opens, for the page `response` is."""
    query = response.request["QUERY_STRING"]
    menu = response.client.get(f"/agents/facets/{parameter}/?{query}").content.decode()
    pairs = re.findall(r'value="([^"]*)"[^>]*>.*?facet-count"[^>]*>(\d+)<', menu, re.S)
    return {unescape(value): int(count) for value, count in pairs}


def test_facet_counts_count_under_the_other_active_filters(signed_in, fleet):
    response = signed_in.get("/agents/?type=outbound&model=oppie-vox-2")

    assert facet_counts(response, "model") == {"oppie-vox": 1, "oppie-vox-2": 1}  # under type=outbound only
    assert facet_counts(response, "type") == {"inbound": 1, "outbound": 1}  # under model=oppie-vox-2 only
    assert facet_counts(response, "language") == {"en": 1, "es": 1}  # under both: Bravo speaks es and en
    assert names(response) == ["Bravo"]


def test_the_list_counts_every_value_of_a_facet_only_when_its_menu_opens(signed_in, fleet, monkeypatch):
    counted = []
    facet_counts_of = FleetIndex.facet_counts

    def counting(self, parameter, within):
        counted.append(parameter)
        return facet_counts_of(self, parameter, within)

    monkeypatch.setattr(FleetIndex, "facet_counts", counting)
    response = signed_in.get("/agents/?type=outbound&q=a")

    assert names(response) == ["Bravo", "Charlie"]
    assert counted == []
    assert facet_counts(response, "model") == {"oppie-vox": 1, "oppie-vox-2": 1}
    assert counted == ["model"]


def test_facet_counts_match_the_rows_each_option_would_show(signed_in, fleet):
    response = signed_in.get("/agents/?recording=yes")

    for value, count in facet_counts(response, "model").items():
        assert len(listed(signed_in, f"recording=yes&model={value}")) == count


def test_every_kind_of_active_filter_shows_as_a_chip_that_removes_only_itself(signed_in, fleet):
    html = signed_in.get("/agents/?voice=vx_aria&recording=yes&failover=unset&speed_max=1&q=alp").content.decode()
    chips = dict(re.findall(r'class="[^"]*chip" href="\?([^"]*)"[^>]*>([^<]*) <span', html))
    by_label = {label: unescape(query) for query, label in chips.items()}

    assert set(by_label) == {
        "voice: vx_aria",
        "recording: yes",
        "failover destination: not set",
        "speed to: 1",
        "search: alp",
    }
    assert "recording" not in by_label["recording: yes"]
    assert "voice=vx_aria" in by_label["recording: yes"]


@pytest.mark.parametrize(
    ("query", "notice"),
    [
        ("recording=maybe", "Recording: 'maybe' is not usable, choose 'yes' or 'no'"),
        (
            "failover=sometimes",
            "Failover destination: 'sometimes' is not usable, "
            "choose 'set' or 'placeholder' or 'unset' or 'not-working'",
        ),
        ("speed_min=fast", "Speed from: 'fast' is not usable, give a number"),
        ("tts_max=1.5", "TTS speed % to: '1.5' is not usable, give a whole number"),
        ("created_after=yesterday", "Created on or after: 'yesterday' is not usable, give a date as YYYY-MM-DD"),
        ("voice=%3Cscript%3E", "No agent has the voice '<script>'"),
    ],
)
def test_nonsense_in_any_filter_gives_a_message_and_the_other_filters_still_apply(signed_in, fleet, query, notice):
    response = signed_in.get(f"/agents/?{query}&type=outbound")

    assert response.status_code == 200
    assert notice in unescape(response.content.decode())
    assert b"<script>" not in response.content
    assert sorted(names(response)) == ["Bravo", "Charlie"]


def test_the_more_filters_panel_opens_when_one_of_its_filters_is_active(signed_in, fleet):
    closed = signed_in.get("/agents/?model=oppie-vox").content.decode()
    opened = signed_in.get("/agents/?failover=unset").content.decode()

    assert 'class="collapse" id="more-filters"' in closed
    assert 'class="collapse show" id="more-filters"' in opened
    assert '<option value="unset" selected>not set</option>' in opened
