"""A deterministic, realistic sample organization of OpenCX phone agents, as raw API records.

The same count always gives the same agents, so screenshots, tests and benchmarks agree.
It deliberately includes what real fleets contain: nulls, agents in the older API shape
(`language` as a string, enum fields left out), values newer than this dashboard knows,
failover unset or set to the nil and max UUIDs.
"""

import random
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

ORG_ID = "org_demo_northwind"
EPOCH = datetime(2026, 10, 1, 9, 0, tzinfo=UTC)

TEAMS = [
    "Billing",
    "Appointments",
    "Front Desk",
    "Collections",
    "Renewals",
    "Support",
    "After-hours",
    "Onboarding",
    "Claims",
    "Reservations",
    "Dispatch",
    "Surveys",
    "Order Status",
    "Returns",
    "Scheduling",
    "Lead Qualification",
    "Pharmacy Refills",
]
SITES = [
    "Austin",
    "Denver",
    "Toronto",
    "Madrid",
    "Berlin",
    "Lyon",
    "São Paulo",
    "Chicago",
    "Seattle",
    "Mexico City",
    "Dublin",
    "Milan",
    "Boston",
    "Phoenix",
]
# (language codes, accent, weight)
LANGUAGES = [
    (["en"], "american", 40),
    (["en"], "british", 8),
    (["es"], "mexican", 10),
    (["es"], "castilian", 6),
    (["en", "es"], "american", 10),
    (["fr"], "parisian", 6),
    (["de"], None, 6),
    (["pt"], "brazilian", 5),
    (["it"], None, 4),
    (["fr", "en"], "canadian", 3),
    (["nl"], None, 2),
]
VOICES = [
    ("vx_aria", "Aria"),
    ("vx_marco", "Marco"),
    ("vx_lena", "Lena"),
    ("vx_sofia", "Sofía"),
    ("vx_james", "James"),
    ("vx_amelie", "Amélie"),
    ("vx_kenji", "Kenji"),
    ("vx_rosa", "Rosa"),
    ("vx_otto", "Otto"),
    ("vx_grace", "Grace"),
]
MODELS = [
    ("oppie-vox", 30),
    ("oppie-vox-turbo", 20),
    ("oppie-vox-2", 35),
    ("oppie-vox-livekit", 12),
    ("oppie-vox-3-preview", 3),
]
STT_MODELS = [
    ("deepgram/nova-3", 35),
    ("deepgram/flux-general", 20),
    ("deepgram/nova-3-medical", 8),
    ("cartesia/ink-whisper", 10),
    ("elevenlabs/scribe_v2_realtime", 10),
    ("xai/stt-1", 5),
    (None, 10),
    ("assemblyai/universal-2", 2),
]
NOISE = [(None, 55), ("office", 25), ("bar", 5), ("city-street", 15)]
AREA_CODES = ["415", "512", "303", "312", "206", "617", "602", "720", "737", "646"]
KEYTERMS = [
    "Northwind",
    "co-pay",
    "PPO",
    "prior authorization",
    "refill",
    "invoice",
    "SKU",
    "tracking number",
    "reschedule",
    "deductible",
]
DATA_FIELDS = [
    "full_name",
    "email",
    "callback_number",
    "account_number",
    "date_of_birth",
    "order_number",
    "preferred_time",
    "reason_for_call",
]


def _pick(rng: random.Random, weighted: list[tuple[Any, int]]) -> Any:
    values, weights = zip(*weighted, strict=True)
    return rng.choices(values, weights=weights)[0]


def _flow(rng: random.Random, team: str) -> dict[str, Any]:
    def node(kind: str, content: str, x: int, y: int, children: list[Any]) -> dict[str, Any]:
        return {
            "id": f"n{rng.randrange(10**6):06d}",
            "type": kind,
            "content": content,
            "connectionType": "default",
            "position": {"x": x, "y": y},
            "children": children,
        }

    return node(
        "start",
        f"Greet the caller to {team}",
        0,
        0,
        [
            node(
                "question",
                "Ask what the call is about",
                0,
                120,
                [
                    node("action", f"Look up the caller's {team.lower()} record", -160, 240, []),
                    node("transfer", "Transfer to a human when asked", 160, 240, []),
                ],
            ),
        ],
    )


def demo_agent(index: int, rng: random.Random) -> dict[str, Any]:
    team = TEAMS[index % len(TEAMS)]
    site = SITES[(index // len(TEAMS)) % len(SITES)]
    languages, accent, _ = LANGUAGES[rng.choices(range(len(LANGUAGES)), [w for *_, w in LANGUAGES])[0]]
    voice_id, _ = rng.choice(VOICES)
    agent_type = "outbound" if team in {"Collections", "Renewals", "Surveys", "Lead Qualification"} else "inbound"
    created = EPOCH - timedelta(days=rng.randrange(20, 700), minutes=rng.randrange(1440))
    updated = min(EPOCH, created + timedelta(days=rng.randrange(0, 400), minutes=rng.randrange(1440)))
    failover_roll = rng.random()
    failover = (
        None
        if failover_roll < 0.25
        else "00000000-0000-0000-0000-000000000000"
        if failover_roll < 0.28
        else "ffffffff-ffff-ffff-ffff-ffffffffffff"
        if failover_roll < 0.30
        else str(uuid.UUID(int=rng.getrandbits(128), version=4))
    )
    number = f"+1{rng.choice(AREA_CODES)}555{index % 10000:04d}"
    collects = rng.random() < 0.45
    record: dict[str, Any] = {
        "id": str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "org_id": ORG_ID,
        "phone_number": None if agent_type == "outbound" and rng.random() < 0.15 else number,
        "name": f"{team} · {site}" + ("" if languages == ["en"] else f" ({'/'.join(languages).upper()})"),
        "type": agent_type,
        "language": languages,
        "accent": accent,
        "handoff_phone_number": rng.choice([None, f"+1{rng.choice(AREA_CODES)}555{rng.randrange(10000):04d}", number]),
        "speed": rng.choice([None, 0.9, 1.0, 1.0, 1.0, 1.1, 1.2]),
        "interruptible": rng.random() < 0.8,
        "actionIds": rng.choice([None, [], [f"act_{team.lower().replace(' ', '_')}_lookup", "act_create_ticket"]]),
        "instructions": [
            f"You are the {team.lower()} assistant for Northwind's {site} office.",
            "Confirm the caller's name before discussing their account.",
            "Never read out full card or account numbers.",
        ]
        if rng.random() < 0.9
        else None,
        "data_collection_fields": rng.sample(DATA_FIELDS, rng.randrange(1, 4)) if collects else None,
        "data_collection_webhook_url": (
            rng.choice(
                [
                    f"https://hooks.northwind.example/{team.lower().replace(' ', '-')}",
                    f"http://legacy.northwind.example/hook/{index}",
                    None,
                ]
            )
            if collects
            else None
        ),
        "model": _pick(rng, MODELS),
        "voice_id": voice_id if rng.random() < 0.95 else None,
        "first_message": f"Hi, thanks for calling Northwind {team}. How can I help?" if rng.random() < 0.85 else None,
        "created_at": created.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "updated_at": updated.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "provider_external_id": f"prov_{rng.randrange(16**10):010x}" if rng.random() < 0.7 else None,
        "flow": _flow(rng, team) if rng.random() < 0.3 else None,
        "manual_mode": rng.random() < 0.05,
        "custom_llm": "https://llm.northwind.example/v1" if rng.random() < 0.08 else None,
        "use_org_knowledgebase": rng.random() < 0.6,
        "background_noise_preset": _pick(rng, NOISE),
        "recording_enabled": rng.random() < 0.65,
        "stt_keyterms": rng.sample(KEYTERMS, rng.randrange(0, 4)),
        "stt_model": _pick(rng, STT_MODELS),
        "tts_speed_pct": rng.choice([None, 0, 0, 0, -10, 10, 15, 25]),
        "failover_transfer_destination_id": failover,
    }
    if index % 23 == 7:  # the older shape of the API: language as a string, enums left out
        record["language"] = languages[0]
        for key in ("type", "model", "background_noise_preset", "stt_model"):
            record.pop(key)
    if index % 37 == 11:
        record["name"] = None
    return record


def demo_fleet(count: int, seed: int = 20261124) -> list[dict[str, Any]]:
    """`count` agents; the same count and seed always give the same agents."""
    rng = random.Random(seed)
    return [demo_agent(index, rng) for index in range(count)]


def demo_voices() -> list[dict[str, str]]:
    return [{"id": voice_id, "name": name, "provider": "opencx"} for voice_id, name in VOICES]


# --- a fleet shaped like a real one, for benchmarks and scale tests ---------------------------

REAL_LANGUAGES = ["en", "es", "fr", "de", "pt", "it", "nl", "pl", "ja", "zh", "ar", "hi"]
REAL_VOICES = [(f"vx_{index:02d}", f"Voice {index:02d}") for index in range(40)]
REAL_KEYTERMS = [f"term-{index:03d}" for index in range(300)]
REAL_ACTIONS = [f"act_{index:05d}" for index in range(4000)]
REAL_DATA_FIELDS = [f"field_{index:02d}" for index in range(50)]
SENTENCE = "Confirm who is calling, answer from the knowledge base and never read out account numbers."


def realistic_agent(index: int, rng: random.Random) -> dict[str, Any]:
    """One agent of a fleet shaped like a real one: its values vary as a large organization's do."""
    record = demo_agent(index, rng)
    languages = rng.sample(REAL_LANGUAGES, rng.randint(1, 3))
    roll = rng.random()
    record.update(
        {
            "name": f"{record['name'] or 'Agent'} #{index}",
            "phone_number": None if rng.random() < 0.05 else f"+1{200 + index // 10_000_000:03d}{index:07d}",
            "language": languages,
            "voice_id": rng.choice(REAL_VOICES)[0] if rng.random() < 0.97 else None,
            "stt_keyterms": rng.sample(REAL_KEYTERMS, rng.randrange(0, 7)),
            "actionIds": None if roll < 0.2 else [] if roll < 0.3 else rng.sample(REAL_ACTIONS, rng.randrange(1, 5)),
            "instructions": [SENTENCE[: rng.randrange(20, len(SENTENCE))] for _ in range(rng.randrange(0, 12))] or None,
            "data_collection_fields": rng.sample(REAL_DATA_FIELDS, rng.randrange(1, 6)) if rng.random() < 0.5 else None,
            "failover_transfer_destination_id": (
                None
                if roll < 0.2
                else "00000000-0000-0000-0000-000000000000"
                if roll < 0.25
                else "ffffffff-ffff-ffff-ffff-ffffffffffff"
                if roll < 0.27
                else str(uuid.UUID(int=rng.getrandbits(128), version=4))
            ),
        }
    )
    if isinstance(record.get("language"), list) and index % 23 == 7:
        record["language"] = languages[0]  # the older API shape, here too
    return record


def realistic_fleet(count: int, seed: int = 20261125) -> list[dict[str, Any]]:
    """`count` agents speaking 1 to 3 of a dozen languages (about 1,400 combinations), with about 40
    voices, up to 4 of 4,000 action ids each, unique phone numbers (some missing), failovers set,
    missing or placeholders, instructions of varied length and a few hundred key terms."""
    rng = random.Random(seed)
    return [realistic_agent(index, rng) for index in range(count)]


def realistic_voices() -> list[dict[str, str]]:
    return [{"id": voice_id, "name": name, "provider": "opencx"} for voice_id, name in REAL_VOICES]


# Teams whose lookup action was deleted in OpenCX: their agents still name it (the `unknown-action` finding).
RETIRED_ACTIONS = {"Claims", "Dispatch"}


def demo_actions() -> dict[str, list[dict[str, Any]]]:
    """`GET /actions` of the demo organization, as OpenCX documents it ({id, name, description, status, tags})."""
    actions = [
        {
            "id": "act_create_ticket",
            "name": "Create support ticket",
            "description": "Opens a ticket in the help desk with the call's summary.",
            "status": "active",
            "tags": ["support"],
        }
    ]
    actions += [
        {
            "id": f"act_{team.lower().replace(' ', '_')}_lookup",
            "name": f"Look up {team.lower()} record",
            "description": f"Finds the caller's {team.lower()} record by phone number.",
            "status": "active",
            "tags": [team.lower()],
        }
        for team in TEAMS
        if team not in RETIRED_ACTIONS
    ]
    return {"data": actions}
