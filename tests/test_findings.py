"""Configuration findings: every rule trips on a misconfigured agent and not on a sound one."""

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from dashboard.agents.findings import RULES, Fleet
from dashboard.agents.index import FleetIndex
from dashboard.fields import OPENCX_FIELDS, parse_agents
from tests.conftest import agent_record
from tests.test_agent_list import names

RECENT = (timezone.now() - timedelta(days=3)).strftime("%Y-%m-%dT%H:%M:%SZ")


def sound(**fields):
    """An agent no rule flags; keyword arguments change it."""
    return agent_record(**{"updated_at": RECENT, **fields})


def tripped(*records) -> list[set[str]]:
    agents, _ = parse_agents(list(records))
    index = FleetIndex(agents)
    return [{found.id for found in index.findings_of(agent, frozenset(), every_org=True)} for agent in agents]


# rule -> (fields that trip it, fields that are close but sound)
CASES = {
    "outbound-without-number": ({"type": "outbound", "phone_number": None}, {"type": "inbound", "phone_number": None}),
    "no-failover": ({"failover_transfer_destination_id": None}, {}),
    "placeholder-failover": (
        {"failover_transfer_destination_id": "00000000-0000-0000-0000-000000000000"},
        {"failover_transfer_destination_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a"},
    ),
    "handoff-to-itself": ({"handoff_phone_number": "+14155550123"}, {"handoff_phone_number": "+14155550124"}),
    "handoff-not-e164": ({"handoff_phone_number": "(415) 555-0199"}, {"handoff_phone_number": "+442071838750"}),
    "fields-without-webhook": (
        {"data_collection_fields": ["email"], "data_collection_webhook_url": None},
        {"data_collection_fields": [], "data_collection_webhook_url": None},
    ),
    "webhook-not-https": (
        {"data_collection_webhook_url": "http://hooks.example.com/a"},
        {"data_collection_webhook_url": "HTTPS://hooks.example.com/a"},
    ),
    "no-instructions-or-flow": ({"instructions": [], "flow": None}, {"instructions": [], "flow": {"id": "n1"}}),
    "no-language": ({"language": []}, {"language": "en"}),
    "unknown-model": ({"stt_model": "deepgram/nova-9"}, {"stt_model": None}),
    "tts-speed-extreme": ({"tts_speed_pct": -60}, {"tts_speed_pct": 50}),
    "not-updated-lately": ({"updated_at": "2024-01-01T00:00:00Z"}, {"updated_at": None}),
}


def test_every_rule_has_a_case():
    # The others: test_actions.py, and test_drift.py (drift needs two organizations).
    assert set(CASES) | {"shared-phone-number", "unknown-action", "drift"} == set(RULES)


class Recorder:
    """An agent that notes which fields are read from it."""

    # Properties that read a field under another name.
    VIA = {"failover_state": ("failover_transfer_destination_id",), "display_name": ("name", "id")}

    def __init__(self, agent):
        self._agent = agent
        self.read: set[str] = set()

    def __getattr__(self, name):
        self.read.update(self.VIA.get(name, (name,)))
        return getattr(self._agent, name)


@pytest.mark.parametrize("rule_id", sorted(RULES))
def test_each_rule_reads_only_the_fields_it_declares(rule_id):
    """What hides a rule's findings from a reader is the fields it declares: reading any other
    would let a finding tell a hidden value."""
    records = [sound(id="sound"), *(sound(id=f"{n}", **fields) for n, fields in enumerate(sum(CASES.values(), ())))]
    agents, _ = parse_agents(records)
    fleet = Fleet.of(agents, action_names={"act-1": "Book"})
    declared = RULES[rule_id]

    read = set()
    for agent in agents:
        recorder = Recorder(agent)
        declared.applies(recorder, fleet)
        read |= recorder.read

    assert read and read <= set(declared.reads)
    # Fields, or the other organizations a rule compares with (withheld from who may not see them all).
    assert all(OPENCX_FIELDS.field(name) for name in declared.reads)


def test_a_sound_agent_trips_no_rule():
    assert tripped(sound()) == [set()]


@pytest.mark.parametrize(("rule_id", "trip", "close"), [(rule, *fields) for rule, fields in CASES.items()])
def test_each_rule_flags_the_agent_it_describes_and_only_that(rule_id, trip, close):
    flagged, unflagged = tripped(sound(id="bad", **trip), sound(id="good", **close))

    assert rule_id in flagged
    assert rule_id not in unflagged


def test_the_same_number_on_several_agents_flags_each_of_them():
    first, second, third = tripped(
        sound(id="a", phone_number="+14155550001"),
        sound(id="b", phone_number="+14155550001", handoff_phone_number="+14155550009"),
        sound(id="c", phone_number="+14155550002"),
    )

    assert "shared-phone-number" in first and "shared-phone-number" in second
    assert "shared-phone-number" not in third


def test_an_unknown_model_is_flagged_as_information():
    assert RULES["unknown-model"].severity == "info"
    assert "unknown-model" in tripped(sound(model="oppie-vox-9"))[0]


@pytest.fixture
def fleet(upstream):
    upstream.set_agents(
        [
            sound(id="a1", name="Alpha", phone_number="+14155550001", failover_transfer_destination_id=None),
            sound(
                id="a2",
                name="Bravo",
                phone_number="+14155550002",
                failover_transfer_destination_id=None,
                tts_speed_pct=90,
            ),
            sound(id="a3", name="Charlie", phone_number="+14155550003"),
        ]
    )
    return upstream


def test_the_findings_page_counts_match_the_agents_each_link_lists(signed_in, fleet):
    html = signed_in.get("/findings/").content.decode()
    counted = dict(re.findall(r'<tr id="rule-([\w-]+)".*?class="finding-count">(\d+)<', html, re.S))

    assert counted["no-failover"] == "2" and counted["tts-speed-extreme"] == "1"
    for rule_id, count in counted.items():
        assert len(names(signed_in.get(f"/agents/?finding={rule_id}"))) == int(count)


def test_the_list_filters_by_finding_with_a_chip(signed_in, fleet):
    response = signed_in.get("/agents/?finding=no-failover&finding=tts-speed-extreme&sort=name")

    assert names(response) == ["Alpha", "Bravo"]
    assert "finding: no-failover" in response.content.decode()


def test_the_list_and_detail_pages_show_findings(signed_in, fleet):
    listing = signed_in.get("/agents/?sort=name").content.decode()
    detail = signed_in.get("/agents/a2/").content.decode()

    assert listing.count("finding-badge") == 2  # one badge per severity: Alpha's warning, Bravo's two warnings
    assert 'title="2 warning findings: No failover destination. · Text-to-speech speed beyond ±50 %."' in listing
    assert 'aria-label="2 warning findings"' in listing
    assert 'id="agent-findings"' in detail and "tts-speed-extreme" in detail
    assert 'id="agent-findings"' not in signed_in.get("/agents/a3/").content.decode()


def test_an_unknown_finding_filter_gives_a_message(signed_in, fleet):
    response = signed_in.get("/agents/?finding=<bad>")

    assert "There is no finding" in response.content.decode()
    assert len(names(response)) == 3


def test_a_setting_switches_rules_off(signed_in, upstream, settings):
    settings.FINDINGS_DISABLED = ["no-failover", "not-a-rule"]
    upstream.set_agents([sound(id="a1", name="Alpha", failover_transfer_destination_id=None)])

    page = signed_in.get("/findings/").content.decode()
    listing = signed_in.get("/agents/").content.decode()

    assert 'title="Switched off by FINDINGS_DISABLED">off<' in page
    assert "FINDINGS_DISABLED names not-a-rule, which is not a rule" in page
    assert "finding-badge" not in listing
    assert "There is no finding" in signed_in.get("/agents/?finding=no-failover").content.decode()
