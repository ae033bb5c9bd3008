"""The demo organization and the fake OpenCX API it is served from."""

import requests

from dashboard.demo.fleet import demo_fleet
from dashboard.demo.server import FakeOpenCX
from dashboard.fields import parse_agents
from dashboard.fields.registry import MODELS


def test_the_demo_fleet_is_deterministic_and_sized_as_asked():
    first, second = demo_fleet(150), demo_fleet(150)

    assert first == second
    assert len(first) == 150
    assert len({record["id"] for record in first}) == 150
    assert len(demo_fleet(7)) == 7


def test_the_demo_fleet_looks_like_a_real_one_drift_included():
    fleet = demo_fleet(150)
    agents, problems = parse_agents(fleet)

    assert len(agents) == 150 and problems == []
    assert any(isinstance(record["language"], str) for record in fleet)  # the older API shape
    assert any("model" not in record for record in fleet)
    assert any(agent.name is None for agent in agents)
    assert any(agent.phone_number is None for agent in agents)
    assert {agent.failover_state for agent in agents} == {"none", "set", "nil UUID", "max UUID"}
    assert {agent.recording_enabled for agent in agents} == {True, False}
    assert any(agent.model and agent.model not in MODELS for agent in agents)
    assert any(agent.stt_model is None for agent in agents)
    assert {agent.type for agent in agents} >= {"inbound", "outbound"}


def test_a_large_demo_fleet_can_be_generated_for_benchmarks():
    assert len(demo_fleet(50_000)) == 50_000


def test_the_fake_api_checks_the_bearer_token_like_the_real_one():
    with FakeOpenCX(demo_fleet(3), token="right") as fake:
        missing = requests.get(f"{fake.url}/phone", timeout=5)
        wrong = requests.get(f"{fake.url}/phone", headers={"Authorization": "Bearer wrong"}, timeout=5)
        right = requests.get(f"{fake.url}/phone", headers={"Authorization": "Bearer right"}, timeout=5)
        unknown = requests.get(f"{fake.url}/nope", headers={"Authorization": "Bearer right"}, timeout=5)

    assert missing.status_code == wrong.status_code == 401
    assert wrong.json() == {"statusCode": 401, "message": "Unauthorized", "error": "Unauthorized"}
    assert right.status_code == 200 and len(right.json()) == 3
    assert unknown.status_code == 404
    assert fake.calls == 3


def test_the_fake_api_serves_voices_and_queued_faults_in_order():
    with FakeOpenCX([], token="t", voices=[{"id": "vx_aria", "name": "Aria"}]) as fake:
        fake.queue_faults(["503", None])
        headers = {"Authorization": "Bearer t"}
        statuses = [requests.get(f"{fake.url}/phone", headers=headers, timeout=5).status_code for _ in range(3)]
        voices = requests.get(f"{fake.url}/phone/voices", headers=headers, timeout=5).json()

    assert statuses == [503, 200, 200]
    assert voices == [{"id": "vx_aria", "name": "Aria"}]


def test_demo_records_are_realistic():
    record = demo_fleet(1)[0]

    assert record["phone_number"].startswith("+1") and len(record["phone_number"]) == 12
    assert record["org_id"] == "org_demo_northwind"
