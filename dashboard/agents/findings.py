"""Configuration findings: named rules applied to every agent of a snapshot.

A rule is one small function, registered with its id, severity, a one-line explanation, what to
do about it and the fields it reads. Adding a rule is adding one function here and one test.
`FINDINGS_DISABLED` (comma-separated ids) switches rules off. A reader who may not see a field a
rule reads does not see that rule's findings either: they would tell the hidden value.
"""

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from types import MappingProxyType

from django.conf import settings
from django.utils import timezone

from dashboard.fields import PhoneAgent
from dashboard.fields.registry import MODELS, STT_MODELS

E164 = re.compile(r"\+[1-9]\d{6,14}")
SEVERITIES = ("error", "warning", "info")
# A sensible text-to-speech speed adjustment, in percent either way.
TTS_SPEED_LIMIT = 50


@dataclass(frozen=True, slots=True)
class Fleet:
    """What a rule may need to know beyond the agent itself."""

    phone_counts: Counter
    now: datetime
    stale_after: timedelta
    # The organization's actions as OpenCX lists them (`GET /actions`); empty when unknown.
    action_names: Mapping[str, str]
    # Agent id -> how it drifted from an organization staff say it should match (`pairs.py`),
    # computed from fields no role hides; empty without such a pair.
    drift: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))

    @classmethod
    def of(
        cls,
        agents: Sequence[PhoneAgent],
        action_names: Mapping[str, str] | None = None,
        drift: Mapping[str, str] | None = None,
    ) -> "Fleet":
        return cls(
            phone_counts=Counter(agent.phone_number for agent in agents if agent.phone_number),
            now=timezone.now(),
            stale_after=timedelta(days=settings.FINDINGS_STALE_DAYS),
            action_names=action_names or {},
            drift=drift or {},
        )


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    severity: str
    explanation: str
    remedy: str
    applies: Callable[[PhoneAgent, Fleet], bool]
    reads: tuple[str, ...]  # the fields it looks at (registry names)
    # It compares with another organization (drift), so it tells of that organization (its name,
    # which agents it has, how they are configured): withheld from whoever may not see every one.
    reads_other_orgs: bool = False

    def shown_to(self, hidden: frozenset[str], *, every_org: bool) -> bool:
        """Whether a reader who may not see `hidden` (and sees `every_org`, or not) may see this rule's findings."""
        return not hidden.intersection(self.reads) and (every_org or not self.reads_other_orgs)


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    severity: str,
    explanation: str,
    remedy: str,
    *,
    reads: tuple[str, ...],
    reads_other_orgs: bool = False,
) -> Callable:
    def register(applies: Callable[[PhoneAgent, Fleet], bool]) -> Callable[[PhoneAgent, Fleet], bool]:
        RULES[rule_id] = Rule(rule_id, severity, explanation, remedy, applies, reads, reads_other_orgs)
        return applies

    return register


def enabled_rules() -> list[Rule]:
    disabled = set(settings.FINDINGS_DISABLED)
    return [found for found in RULES.values() if found.id not in disabled]


@rule(
    "outbound-without-number",
    "error",
    "Outbound agent without a phone number.",
    "Assign a number in OpenCX: outbound calls need one to call from.",
    reads=("type", "phone_number"),
)
def outbound_without_number(agent: PhoneAgent, fleet: Fleet) -> bool:
    return agent.type == "outbound" and not agent.phone_number


@rule(
    "no-failover",
    "warning",
    "No failover destination.",
    "Set a failover transfer destination so calls reach a person when the agent cannot help.",
    reads=("failover_transfer_destination_id",),
)
def no_failover(agent: PhoneAgent, fleet: Fleet) -> bool:
    return agent.failover_transfer_destination_id is None


@rule(
    "placeholder-failover",
    "error",
    "Failover set to the nil or max UUID, which names no destination.",
    "Point the failover at a real transfer destination.",
    reads=("failover_transfer_destination_id",),
)
def placeholder_failover(agent: PhoneAgent, fleet: Fleet) -> bool:
    return agent.failover_state in ("nil UUID", "max UUID")


@rule(
    "handoff-to-itself",
    "error",
    "Handoff number is the agent's own number.",
    "Hand off to a person's number; handing off to itself loops the call.",
    reads=("handoff_phone_number", "phone_number"),
)
def handoff_to_itself(agent: PhoneAgent, fleet: Fleet) -> bool:
    return bool(agent.handoff_phone_number) and agent.handoff_phone_number == agent.phone_number


@rule(
    "handoff-not-e164",
    "warning",
    "Handoff number is not in E.164 form (+ and up to 15 digits).",
    "Write the handoff number as +<country code><number>, without spaces.",
    reads=("handoff_phone_number",),
)
def handoff_not_e164(agent: PhoneAgent, fleet: Fleet) -> bool:
    return bool(agent.handoff_phone_number) and not E164.fullmatch(agent.handoff_phone_number)


@rule(
    "fields-without-webhook",
    "error",
    "Collects data fields but has no webhook URL to send them to.",
    "Set a data collection webhook URL, or stop collecting the fields.",
    reads=("data_collection_fields", "data_collection_webhook_url"),
)
def fields_without_webhook(agent: PhoneAgent, fleet: Fleet) -> bool:
    return bool(agent.data_collection_fields) and not agent.data_collection_webhook_url


@rule(
    "webhook-not-https",
    "warning",
    "Data collection webhook URL is not https.",
    "Use an https URL: collected data (names, numbers) should not travel in clear text.",
    reads=("data_collection_webhook_url",),
)
def webhook_not_https(agent: PhoneAgent, fleet: Fleet) -> bool:
    url = agent.data_collection_webhook_url
    return bool(url) and not url.lower().startswith("https://")


@rule(
    "no-instructions-or-flow",
    "warning",
    "Neither instructions nor a flow.",
    "Give the agent instructions or a flow, or it improvises every call.",
    reads=("instructions", "flow"),
)
def no_instructions_or_flow(agent: PhoneAgent, fleet: Fleet) -> bool:
    return not agent.instructions and agent.flow in (None, {}, [])


@rule("no-language", "warning", "No language set.", "Set the languages the agent speaks.", reads=("language",))
def no_language(agent: PhoneAgent, fleet: Fleet) -> bool:
    return not agent.language


@rule(
    "shared-phone-number",
    "error",
    "The same phone number is on several agents.",
    "Give each agent its own number: callers reach only one of them.",
    reads=("phone_number",),
)
def shared_phone_number(agent: PhoneAgent, fleet: Fleet) -> bool:
    return bool(agent.phone_number) and fleet.phone_counts[agent.phone_number] > 1


@rule(
    "unknown-action",
    "warning",
    "Names actions that OpenCX no longer lists (GET /actions).",
    "Remove the missing action ids from the agent, or restore the actions in OpenCX.",
    reads=("action_ids",),
)
def unknown_action(agent: PhoneAgent, fleet: Fleet) -> bool:
    # Without the actions list (not offered, not readable, or empty) nothing can be said.
    names = fleet.action_names
    return bool(names) and any(action_id not in names for action_id in agent.action_ids or ())


@rule(
    "unknown-model",
    "info",
    "Model or STT model this dashboard does not know (the API is newer).",
    "Nothing to fix in OpenCX; tell the Switchboard team so the new value gets a proper name.",
    reads=("model", "stt_model"),
)
def unknown_model(agent: PhoneAgent, fleet: Fleet) -> bool:
    return (agent.model is not None and agent.model not in MODELS) or (
        agent.stt_model is not None and agent.stt_model not in STT_MODELS
    )


@rule(
    "tts-speed-extreme",
    "warning",
    f"Text-to-speech speed beyond ±{TTS_SPEED_LIMIT} %.",
    "Bring the TTS speed adjustment back towards 0: callers struggle at extreme speeds.",
    reads=("tts_speed_pct",),
)
def tts_speed_extreme(agent: PhoneAgent, fleet: Fleet) -> bool:
    return agent.tts_speed_pct is not None and abs(agent.tts_speed_pct) > TTS_SPEED_LIMIT


@rule(
    "not-updated-lately",
    "info",
    "Not updated for a long time (FINDINGS_STALE_DAYS).",
    "Review the agent: prompts and settings age as products and policies change.",
    reads=("updated_at",),
)
def not_updated_lately(agent: PhoneAgent, fleet: Fleet) -> bool:
    return agent.updated_at is not None and fleet.now - agent.updated_at > fleet.stale_after


@rule(
    "drift",
    "warning",
    "Missing in, or configured otherwise than, an organization staff say it should match (Drift).",
    "Open Drift for the two organizations and copy the change across, or unmark the pair if the "
    "difference is meant. Sensitive fields are not compared here.",
    # The drift it reads was computed from fields no role hides, paired by one of them (`pairs.py`),
    # but it tells of the other organization: withheld from whoever may not see every one.
    reads=("id",),
    reads_other_orgs=True,
)
def drift(agent: PhoneAgent, fleet: Fleet) -> bool:
    return agent.id in fleet.drift
