"""The phone-agent record, parsed from OpenCX's `GET /phone` list and tolerant of schema drift.

Follows the newest published schema (see shared/opencx/). Older and newer shapes still parse:
`language` may be a string, enum fields may hold values this code has never seen (they are
kept as text), unknown extra fields are ignored and missing fields read as "not set". A field
with the wrong type is reported as a `ParseProblem` and read as "not set", so the rest of the
agent still shows; only a record without a usable `id` is left out, and it is reported too.
"""

import gc
import math
import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from sys import intern
from typing import Any, NamedTuple

AGENT_TYPES = ("inbound", "outbound")
MODELS = ("oppie-vox", "oppie-vox-turbo", "oppie-vox-2", "oppie-vox-livekit")
NOISE_PRESETS = ("office", "bar", "city-street")
STT_MODELS = (
    "deepgram/flux-general",
    "deepgram/nova-3",
    "deepgram/nova-3-medical",
    "cartesia/ink-whisper",
    "elevenlabs/scribe_v2_realtime",
    "xai/stt-1",
)
NIL_UUID = "00000000-0000-0000-0000-000000000000"
MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff"
)


class PhoneAgent(NamedTuple):
    """One OpenCX phone agent. `None` means the upstream sent null or left the field out.

    A NamedTuple rather than a frozen dataclass: as typed and immutable, and built in one tuple
    allocation instead of 31 `object.__setattr__` calls, a fifth of the time to read a fleet.
    """

    id: str
    org_id: str | None = None
    name: str | None = None
    type: str | None = None
    phone_number: str | None = None
    language: tuple[str, ...] = ()
    accent: str | None = None
    handoff_phone_number: str | None = None
    speed: float | None = None
    interruptible: bool | None = None
    # None means every action of the organization; () means none.
    action_ids: tuple[str, ...] | None = None
    instructions: tuple[str, ...] | None = None
    data_collection_fields: tuple[str, ...] | None = None
    data_collection_webhook_url: str | None = None
    model: str | None = None
    voice_id: str | None = None
    first_message: str | None = None
    created_at: datetime | None = None
    updated_at: datetime | None = None
    provider_external_id: str | None = None
    flow: Any = None
    manual_mode: bool | None = None
    custom_llm: str | None = None
    use_org_knowledgebase: bool | None = None
    background_noise_preset: str | None = None
    recording_enabled: bool | None = None
    stt_keyterms: tuple[str, ...] = ()
    stt_model: str | None = None
    tts_speed_pct: int | None = None
    failover_transfer_destination_id: str | None = None

    @property
    def display_name(self) -> str:
        return self.name if self.name and self.name.strip() else f"Unnamed agent {self.id}"

    @property
    def failover_state(self) -> str:
        """ "none" when no failover is configured; the nil and max UUIDs are real values."""
        value = self.failover_transfer_destination_id
        if value is None:
            return "none"
        if value == NIL_UUID:
            return "nil UUID"
        if value.lower() == MAX_UUID:
            return "max UUID"
        return "set"


@dataclass(frozen=True, slots=True)
class ParseProblem:
    """Something in the upstream payload that could not be read as the schema says."""

    index: int
    agent_id: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        who = f"agent {self.agent_id!r}" if self.agent_id is not None else f"record #{self.index + 1}"
        where = f", field {self.field!r}" if self.field else ""
        return f"{who}{where}: {self.message}"


class FieldError(ValueError):
    """A field's value has the wrong shape; `value` is what can still be kept of it."""

    def __init__(self, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.value = value


def _describe(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else type(value).__name__


def text(value: Any) -> str | None:
    if value is None or type(value) is str:
        return value
    if isinstance(value, int | float):  # a scalar still says something: keep it as text
        raise FieldError(f"expected text, got {_describe(value)}", str(value).lower())
    raise FieldError(f"expected text, got {_describe(value)}")


def boolean(value: Any) -> bool | None:
    if value is None or type(value) is bool:
        return value
    raise FieldError(f"expected true or false, got {_describe(value)}")


def number(value: Any) -> float | None:
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    raise FieldError(f"expected a number, got {_describe(value)}")


def integer(value: Any) -> int | None:
    if value is None or (type(value) is int):
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise FieldError(f"expected a whole number, got {_describe(value)}")


def timestamp(value: Any) -> datetime | None:
    if value is None:
        return None
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise FieldError(f"expected an ISO 8601 date-time, got {value[:40]!r}") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise FieldError(f"expected an ISO 8601 date-time, got {_describe(value)}")


def uuid_text(value: Any) -> str | None:
    value = text(value)
    if value is not None and not UUID_PATTERN.fullmatch(value):
        raise FieldError("expected a UUID; the value is shown as it is", value)
    return value


def shared_text(value: Any) -> str | None:
    """Text that many agents repeat (a model, a voice, an organization): kept once in memory."""
    value = text(value)
    return intern(value) if value is not None else None


def _strings(value: Iterable[Any]) -> tuple[str, ...]:
    # List entries (languages, key terms, instruction lines, action ids) repeat across agents.
    items = tuple(intern(item) if type(item) is str else item for item in value)
    if all(type(item) is str for item in items):
        return items
    kept = tuple(str(item) for item in items if isinstance(item, str | int | float))
    raise FieldError("expected a list of text; entries that are not text were converted or left out", kept)


def string_list(value: Any) -> tuple[str, ...] | None:
    """A nullable list of strings."""
    if value is None:
        return None
    if type(value) is list:
        return _strings(value)
    if type(value) is str:
        raise FieldError("expected a list of text, got a single string", (value,))
    raise FieldError(f"expected a list of text, got {_describe(value)}")


def required_string_list(value: Any) -> tuple[str, ...]:
    """A list of strings where null reads as the empty list."""
    return string_list(value) or ()


def languages(value: Any) -> tuple[str, ...]:
    """Languages: a list now, a single string (or null) in older versions of the API."""
    if type(value) is str:
        return (intern(value),) if value else ()
    return required_string_list(value)


def any_json(value: Any) -> Any:
    return value


# JSON key -> (attribute, parser). The order is the schema's.
FIELDS: dict[str, tuple[str, Callable[[Any], Any]]] = {
    "org_id": ("org_id", shared_text),
    "phone_number": ("phone_number", text),
    "name": ("name", text),
    "type": ("type", shared_text),
    "language": ("language", languages),
    "accent": ("accent", shared_text),
    "handoff_phone_number": ("handoff_phone_number", text),
    "speed": ("speed", number),
    "interruptible": ("interruptible", boolean),
    "actionIds": ("action_ids", string_list),
    "instructions": ("instructions", string_list),
    "data_collection_fields": ("data_collection_fields", string_list),
    "data_collection_webhook_url": ("data_collection_webhook_url", shared_text),
    "model": ("model", shared_text),
    "voice_id": ("voice_id", shared_text),
    "first_message": ("first_message", shared_text),
    "created_at": ("created_at", timestamp),
    "updated_at": ("updated_at", timestamp),
    "provider_external_id": ("provider_external_id", text),
    "flow": ("flow", any_json),
    "manual_mode": ("manual_mode", boolean),
    "custom_llm": ("custom_llm", shared_text),
    "use_org_knowledgebase": ("use_org_knowledgebase", boolean),
    "background_noise_preset": ("background_noise_preset", shared_text),
    "recording_enabled": ("recording_enabled", boolean),
    "stt_keyterms": ("stt_keyterms", required_string_list),
    "stt_model": ("stt_model", shared_text),
    "tts_speed_pct": ("tts_speed_pct", integer),
    "failover_transfer_destination_id": ("failover_transfer_destination_id", uuid_text),
}


# (JSON key, attribute, parser, the type a value may already have to be taken as it is)
_READY = {text: str, boolean: bool, integer: int}
_POSITIONS = {name: position for position, name in enumerate(PhoneAgent._fields)}
# (JSON key, position in the record, parser, ready type); the record is built from a plain list.
_PLAN = [(key, _POSITIONS[attribute], parse, _READY.get(parse)) for key, (attribute, parse) in FIELDS.items()]
_DEFAULTS = [PhoneAgent._field_defaults[name] for name in PhoneAgent._fields[1:]]
_make_agent = PhoneAgent._make


def parse_agent(record: Any, index: int, problems: list[ParseProblem]) -> PhoneAgent | None:
    """One agent from one list entry, appending what was wrong with it to `problems`."""
    if not isinstance(record, dict):
        problems.append(ParseProblem(index, None, None, f"expected an object, got {_describe(record)}; left out"))
        return None
    agent_id = record.get("id")
    if type(agent_id) is not str or not agent_id.strip():
        shown = "missing" if agent_id is None else f"{_describe(agent_id)}, not usable text"
        problems.append(ParseProblem(index, None, "id", f"id is {shown}; the agent is left out"))
        return None
    values = [agent_id, *_DEFAULTS]
    get = record.get
    for key, position, parse, ready in _PLAN:
        raw = get(key)
        if raw is None:
            continue  # the record's default: None, or () for the list fields that cannot be null
        # Most values already have their final type: skip the parser's call (a 50,000-agent fleet
        # has 1.5 million fields).
        if raw.__class__ is ready:
            values[position] = raw
            continue
        try:
            values[position] = parse(raw)
        except FieldError as error:
            problems.append(ParseProblem(index, agent_id, key, str(error)))
            if error.value is not None:
                values[position] = error.value
    return _make_agent(values)


@contextmanager
def bulk_allocation() -> Iterator[None]:
    """Pauses the cyclic garbage collector while millions of objects that form no cycles are made.

    Otherwise it walks the growing heap again and again, which doubles the time to read a fleet.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def parse_agents(payload: list[Any]) -> tuple[list[PhoneAgent], list[ParseProblem]]:
    """Every usable agent of a `GET /phone` list, and what could not be read."""
    with bulk_allocation():
        return _parse_agents(payload)


def _parse_agents(payload: list[Any]) -> tuple[list[PhoneAgent], list[ParseProblem]]:
    problems: list[ParseProblem] = []
    agents: list[PhoneAgent] = []
    first_index: dict[str, int] = {}
    for index, record in enumerate(payload):
        agent = parse_agent(record, index, problems)
        if agent is None:
            continue
        if agent.id in first_index:
            problems.append(
                ParseProblem(
                    index,
                    agent.id,
                    "id",
                    f"the same id as record #{first_index[agent.id] + 1}; both are listed and "
                    "the detail page shows the first",
                )
            )
        else:
            first_index[agent.id] = index
        agents.append(agent)
    return agents, problems
