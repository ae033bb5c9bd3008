"""Parsing OpenCX's agent list: the newest shape, older and newer ones, and hostile records."""

from datetime import UTC, datetime

import pytest

from dashboard.fields import ParseProblem, PhoneAgent, parse_agents
from dashboard.fields.values import MAX_UUID, NIL_UUID
from tests.conftest import agent_record


def parse_one(record):
    agents, problems = parse_agents([record])
    return (agents[0] if agents else None), problems


def test_the_newest_shape_parses_every_field_to_its_type():
    agent, problems = parse_one(agent_record(flow={"id": "n1", "children": []}))

    assert problems == []
    assert agent == PhoneAgent(
        id="agent-1",
        org_id="org_1",
        name="Billing EN",
        type="inbound",
        phone_number="+14155550123",
        language=("en", "es"),
        accent="american",
        handoff_phone_number="+14155550199",
        speed=1.1,
        interruptible=True,
        action_ids=("act_1",),
        instructions=("Be brief.", "Confirm the caller's name."),
        data_collection_fields=("email",),
        data_collection_webhook_url="https://hooks.example.com/a",
        model="oppie-vox-2",
        voice_id="vx_aria",
        first_message="Hello!",
        created_at=datetime(2023, 11, 7, 5, 31, 56, tzinfo=UTC),
        updated_at=datetime(2024, 2, 1, 10, tzinfo=UTC),
        provider_external_id="prov_1",
        flow={"id": "n1", "children": []},
        manual_mode=False,
        custom_llm=None,
        use_org_knowledgebase=True,
        background_noise_preset="office",
        recording_enabled=True,
        stt_keyterms=("Northwind",),
        stt_model="deepgram/nova-3",
        tts_speed_pct=10,
        failover_transfer_destination_id="3c90c3cc-0d44-4b50-8888-8dd25736052a",
    )


def test_the_published_example_which_leaves_out_required_enums_still_parses():
    record = agent_record()
    for field in ("type", "model", "background_noise_preset", "stt_model"):
        del record[field]

    agent, problems = parse_one(record)

    assert problems == []
    assert (agent.type, agent.model, agent.background_noise_preset, agent.stt_model) == (None, None, None, None)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ("en",)),
        (None, ()),
        ("", ()),
        (["en", "fr"], ("en", "fr")),
        ([], ()),
    ],
)
def test_language_is_read_from_the_older_string_shape_and_the_newer_list(language, expected):
    agent, problems = parse_one(agent_record(language=language))

    assert agent.language == expected
    assert problems == []


def test_values_this_dashboard_does_not_know_are_kept_as_they_are():
    agent, problems = parse_one(
        agent_record(
            type="transfer-only",
            model="oppie-vox-9",
            stt_model="deepgram/nova-9",
            background_noise_preset="stadium",
        )
    )

    assert (agent.type, agent.model, agent.stt_model, agent.background_noise_preset) == (
        "transfer-only",
        "oppie-vox-9",
        "deepgram/nova-9",
        "stadium",
    )
    assert problems == []


def test_fields_the_schema_does_not_have_are_ignored():
    agent, problems = parse_one(agent_record(voicemail_detection=True, new_things={"a": 1}))

    assert agent.id == "agent-1"
    assert problems == []


@pytest.mark.parametrize(
    ("field", "value", "message", "kept"),
    [
        ("interruptible", "yes", "expected true or false, got a string", None),
        ("speed", "fast", "expected a number, got a string", None),
        ("speed", True, "expected a number, got a boolean", None),
        ("tts_speed_pct", 12.5, "expected a whole number, got a number", None),
        ("created_at", "yesterday", "expected an ISO 8601 date-time, got 'yesterday'", None),
        ("language", 42, "expected a list of text, got a number", ()),
        ("instructions", "Be brief.", "expected a list of text, got a single string", ("Be brief.",)),
        ("stt_keyterms", ["ok", 7, {"x": 1}], "entries that are not text were converted or left out", ("ok", "7")),
        ("name", 12345, "expected text, got a number", "12345"),
        ("phone_number", {"e164": "+1"}, "expected text, got an object", None),
        ("failover_transfer_destination_id", "not-a-uuid", "expected a UUID", "not-a-uuid"),
    ],
)
def test_a_wrongly_typed_field_is_reported_and_the_agent_still_shows(field, value, message, kept):
    agents, problems = parse_agents([agent_record(id="x", **{field: value}), agent_record(id="y")])

    assert [agent.id for agent in agents] == ["x", "y"]
    attribute = "action_ids" if field == "actionIds" else field
    assert getattr(agents[0], attribute) == kept
    assert len(problems) == 1
    assert (problems[0].agent_id, problems[0].field) == ("x", field)
    assert message in problems[0].message


@pytest.mark.parametrize("bad_id", [None, "", "   ", 17, ["a"], {"id": "a"}])
def test_a_record_without_a_usable_id_is_left_out_and_reported(bad_id):
    record = agent_record(id=bad_id)
    if bad_id is None:
        del record["id"]

    agents, problems = parse_agents([record, agent_record(id="good")])

    assert [agent.id for agent in agents] == ["good"]
    assert len(problems) == 1
    assert problems[0].index == 0 and problems[0].field == "id"
    assert "left out" in problems[0].message


@pytest.mark.parametrize("entry", ["a string", 42, None, [1, 2], True])
def test_entries_that_are_not_objects_are_reported(entry):
    agents, problems = parse_agents([entry, agent_record()])

    assert len(agents) == 1
    assert "expected an object" in problems[0].message
    assert str(problems[0]).startswith("record #1: ")


def test_a_payload_mixing_good_and_broken_records_keeps_every_good_one():
    payload = [
        agent_record(id="g1"),
        {"name": "no id"},
        agent_record(id="g2"),
        "junk",
        agent_record(id="g3", speed="fast"),
        None,
    ]

    agents, problems = parse_agents(payload)

    assert [agent.id for agent in agents] == ["g1", "g2", "g3"]
    assert [problem.index for problem in problems] == [1, 3, 4, 5]


def test_all_actions_and_no_actions_stay_distinguishable():
    agents, _ = parse_agents([agent_record(id="all", actionIds=None), agent_record(id="none", actionIds=[])])

    assert agents[0].action_ids is None
    assert agents[1].action_ids == ()


@pytest.mark.parametrize(
    ("value", "state"),
    [
        (None, "none"),
        (NIL_UUID, "nil UUID"),
        (MAX_UUID, "max UUID"),
        ("3c90c3cc-0d44-4b50-8888-8dd25736052a", "set"),
    ],
)
def test_failover_null_means_none_while_the_nil_and_max_uuids_are_values(value, state):
    agent, problems = parse_one(agent_record(failover_transfer_destination_id=value))

    assert agent.failover_transfer_destination_id == value
    assert agent.failover_state == state
    assert problems == []


def test_duplicate_ids_are_all_kept_and_reported():
    agents, problems = parse_agents([agent_record(id="dup", name="first"), agent_record(id="dup", name="second")])

    assert [agent.name for agent in agents] == ["first", "second"]
    assert problems[0].index == 1 and "the same id as record #1" in problems[0].message


def test_hostile_text_is_kept_verbatim_for_the_templates_to_escape():
    hostile = "<script>alert('x')</script>\x00" + "ü☎" * 5000
    agent, problems = parse_one(agent_record(name=hostile, instructions=[hostile]))

    assert agent.name == hostile
    assert agent.instructions == (hostile,)
    assert problems == []


def test_naive_timestamps_are_read_as_utc():
    agent, _ = parse_one(agent_record(created_at="2024-01-02T03:04:05"))

    assert agent.created_at == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    ("name", "shown"), [("Billing", "Billing"), (None, "Unnamed agent a-1"), ("   ", "Unnamed agent a-1")]
)
def test_a_nameless_agent_still_has_a_readable_name(name, shown):
    assert PhoneAgent(id="a-1", name=name).display_name == shown


def test_a_problem_reads_as_a_sentence():
    problem = ParseProblem(index=3, agent_id="a-9", field="speed", message="expected a number, got a string")

    assert str(problem) == "agent 'a-9', field 'speed': expected a number, got a string"


def test_agents_are_immutable():
    agent, _ = parse_one(agent_record())

    with pytest.raises(AttributeError):
        agent.name = "changed"
