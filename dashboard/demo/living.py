"""The living demo: a few agents change every few minutes, the same way for everyone, and a fresh demo
starts with two weeks of recorded history.

Deterministic by time slot: every `SLOT` one "living" agent (every tenth of the fleet) takes a new
variant of a few settings, chosen by a generator seeded with its index and the number of its
change, so the fleet at any moment is a pure function of the agent count and that moment.
"""

import functools
import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from .fleet import KEYTERMS, NOISE, VOICES, demo_fleet

SLOT = timedelta(minutes=5)
# The staging organization's deliberate drift from production (agent positions in the fleet).
STAGING_OTHER_MODEL = (2, 5, 12)  # named agents: an unnamed one (11) pairs with nothing by name
STAGING_MISSING = (7, 13)
STAGING_EDITED = 3
STAGING_ONLY_AFTER = 20  # fleets bigger than this get one agent that only staging has
STAGING_ORG_ID = "org_demo_staging"
LIVING_EVERY = 10  # every tenth agent lives ...
HISTORY_DAYS = 14  # a fresh demo's recorded past
HISTORY_STEP = timedelta(hours=1)  # ... recorded hourly
BIG_DEMO = 1_000  # a bigger demo fleet's past is recorded daily, so that the first read stays quick
EXTRA_LINES = [
    "Offer a callback when the queue is long.",
    "Mention the holiday opening hours.",
    "Ask for the order number before anything else.",
    "Read back the appointment time to confirm it.",
    "Keep answers under three sentences.",
]
GREETINGS = [
    "Hi, thanks for calling Northwind. How can I help?",
    "Northwind here: what can I do for you today?",
    "Hello! You've reached Northwind. How may I help?",
]


def slot_of(moment: datetime) -> int:
    return int(moment.timestamp() // SLOT.total_seconds())


def _living(count: int) -> list[int]:
    """The agents that change, each with its own phase, so that one of them changes every slot."""
    return list(range(3 % LIVING_EVERY, count, LIVING_EVERY))


@functools.lru_cache(maxsize=4)
def _base(count: int) -> tuple[dict[str, Any], ...]:
    return tuple(demo_fleet(count))


def _variant(record: dict[str, Any], index: int, change: int, changed_at: datetime) -> dict[str, Any]:
    """The agent as its `change`-th edit left it: a few settings redrawn, `updated_at` moved."""
    rng = random.Random(f"{index}:{change}")
    record = dict(record)
    edits = rng.sample(
        [
            "voice",
            "speed",
            "tts",
            "recording",
            "interruptible",
            "keyterms",
            "greeting",
            "instructions",
            "noise",
            "failover",
        ],
        rng.randint(1, 2),
    )
    for edit in edits:
        if edit == "voice":
            record["voice_id"] = rng.choice(VOICES)[0]
        elif edit == "speed":
            record["speed"] = rng.choice([0.9, 1.0, 1.1, 1.2])
        elif edit == "tts":
            record["tts_speed_pct"] = rng.choice([0, 5, 10, -5, 15, 60])
        elif edit == "recording":
            record["recording_enabled"] = rng.random() < 0.6
        elif edit == "interruptible":
            record["interruptible"] = rng.random() < 0.8
        elif edit == "keyterms":
            record["stt_keyterms"] = rng.sample(KEYTERMS, rng.randrange(0, 4))
        elif edit == "greeting":
            record["first_message"] = rng.choice(GREETINGS)
        elif edit == "instructions" and record.get("instructions"):
            record["instructions"] = [*record["instructions"][:3], rng.choice(EXTRA_LINES)]
        elif edit == "noise" and "background_noise_preset" in record:
            record["background_noise_preset"] = rng.choice([value for value, _ in NOISE])
        elif edit == "failover":
            record["failover_transfer_destination_id"] = rng.choice(
                [None, str(uuid.UUID(int=rng.getrandbits(128), version=4))]
            )
    record["updated_at"] = changed_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return record


def living_fleet(count: int, moment: datetime) -> list[dict[str, Any]]:
    """The demo's `count` agents as they are at `moment`."""
    fleet = list(_base(count))
    living = _living(count)
    period = max(1, len(living))  # slots between two changes of one agent
    slot = slot_of(moment)
    for phase, index in enumerate(living):
        change = (slot + phase) // period  # this agent's changes so far (it changes when this moves)
        changed_at = datetime.fromtimestamp((change * period - phase) * SLOT.total_seconds(), UTC)
        fleet[index] = _variant(fleet[index], index, change, changed_at)
    return fleet


def past_moments(now: datetime, count: int = 0) -> list[datetime]:
    """When a fresh demo's recorded history was read: hourly (daily for a big fleet) over the last
    `HISTORY_DAYS` days, before `now`."""
    step = HISTORY_STEP if count <= BIG_DEMO else timedelta(days=1)
    moments, moment = [], now - timedelta(days=HISTORY_DAYS)
    while moment < now - step / 2:
        moments.append(moment)
        moment += step
    return moments


def staging_fleet(count: int, moment: datetime) -> list[dict[str, Any]]:
    """The demo's staging organization at `moment`: production's agents under their own ids and
    numbers, drifted on purpose. Three agents run another model, two of production's agents are
    missing, one exists only here, and one has edited instructions not yet copied to production."""
    fleet = []
    for index, record in enumerate(living_fleet(count, moment)):
        if index in STAGING_MISSING:
            continue
        staged = {**record, "id": f"stg-{record['id']}", "org_id": STAGING_ORG_ID}
        if staged.get("phone_number"):
            staged["phone_number"] = "+1415556" + staged["phone_number"][-4:]
        if index in STAGING_OTHER_MODEL:
            staged["model"] = "oppie-vox-2" if record.get("model") != "oppie-vox-2" else "oppie-vox"
        if index == STAGING_EDITED:
            staged["instructions"] = [*(record.get("instructions") or []), "Offer the new loyalty discount."]
        fleet.append(staged)
    if count > STAGING_ONLY_AFTER:
        only = dict(living_fleet(count, moment)[0])
        fleet.append(
            {
                **only,
                "id": "stg-pilot-1",
                "name": "Pilot: Spanish billing",
                "org_id": STAGING_ORG_ID,
                "phone_number": None,
                "language": ["es"],
            }
        )
    return fleet


def record_past(count: int, now: datetime, retention_days: int, org: str, fleet_at=living_fleet) -> int:
    """Records a demo organization's past on a fresh database (no history of it at all), through the
    change history's own recording, as if it had been read hourly; returns how many reads were
    recorded (0 when not fresh)."""
    from dashboard.history.models import AgentState, FleetRevision
    from dashboard.history.record import record_snapshot

    if FleetRevision.objects.filter(org=org).exists() or AgentState.objects.filter(org=org).exists():
        return 0
    moments = [moment for moment in past_moments(now, count) if now - moment < timedelta(days=retention_days)]
    for moment in moments:
        records = fleet_at(count, moment)
        record_snapshot(records, [record["id"] for record in records], recorded_at=moment, source="demo", org=org)
    return len(moments)
