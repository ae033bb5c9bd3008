"""Every field an agent has, as a column: its label, plain value, sort key and cell.

One registry serves the table (any field can be shown), sorting and the exports, so a column
reads, sorts and exports the same way wherever it appears.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from dashboard import presentation
from dashboard.opencx.flow import flow_outline
from dashboard.opencx.schema import PhoneAgent

if TYPE_CHECKING:
    from dashboard.findings import Rule


@dataclass(frozen=True, slots=True)
class AgentColumn:
    key: str
    label: str
    # The plain value: what exports carry and, unless `sort` says otherwise, what sorts.
    value: Callable[[PhoneAgent], Any]
    # The cell's HTML, given the plain value; None shows the value as escaped text.
    cell: Callable[[Any], SafeString] | None = None
    sort: Callable[[PhoneAgent], Any] | None = None
    classes: str = ""

    def sort_key(self, agent: PhoneAgent) -> Any:
        """A comparable key, None when the value is missing (sorted last either way)."""
        if self.sort is not None:
            return self.sort(agent)
        value = self.value(agent)
        if isinstance(value, tuple):
            return ", ".join(value).casefold() or None
        return value.casefold() if isinstance(value, str) else value


def name_cell(agent: PhoneAgent, findings: Sequence["Rule"] = ()) -> SafeString:
    """The name, linking to the agent's page (its id is encoded for the URL), and its findings."""
    link = format_html(
        '<a href="{}" class="agent-link{}">{}</a>',
        reverse("agent-detail", args=[agent.id]),
        "" if agent.name and agent.name.strip() else " fst-italic",
        agent.display_name,
    )
    return link + presentation.finding_badges(findings) if findings else link


def _badge(field: str) -> Callable[[Any], SafeString]:
    return lambda value: presentation.enum_badge(field, value)


ALL_ACTIONS = mark_safe('<span class="text-body-secondary">all</span>')


def _actions(value: tuple[str, ...] | str) -> SafeString:
    return ALL_ACTIONS if value == "all" else presentation.text_list(value)


def _flow_nodes(agent: PhoneAgent) -> int | None:
    return None if agent.flow is None else flow_outline(agent.flow)[1]


MONO = "font-monospace text-nowrap"
NUMBER = "text-end"

COLUMNS: dict[str, AgentColumn] = {
    column.key: column
    for column in [
        AgentColumn("name", "Name", lambda a: a.display_name, sort=lambda a: a.display_name.casefold()),
        AgentColumn("id", "Id", lambda a: a.id, classes=MONO),
        AgentColumn("org_id", "Organization", lambda a: a.org_id, classes=MONO),
        AgentColumn("phone_number", "Phone number", lambda a: a.phone_number, classes=MONO),
        AgentColumn("type", "Type", lambda a: a.type, _badge("type")),
        AgentColumn("language", "Languages", lambda a: a.language, presentation.text_list),
        AgentColumn("accent", "Accent", lambda a: a.accent),
        AgentColumn("model", "Model", lambda a: a.model, _badge("model")),
        AgentColumn("voice_id", "Voice", lambda a: a.voice_id, classes=MONO),
        AgentColumn("stt_model", "STT model", lambda a: a.stt_model, _badge("stt_model")),
        AgentColumn("stt_keyterms", "Key terms", lambda a: a.stt_keyterms, presentation.text_list),
        AgentColumn(
            "background_noise_preset",
            "Background noise",
            lambda a: a.background_noise_preset,
            _badge("background_noise_preset"),
        ),
        AgentColumn("speed", "Speed", lambda a: a.speed, classes=NUMBER),
        AgentColumn("tts_speed_pct", "TTS speed %", lambda a: a.tts_speed_pct, classes=NUMBER),
        AgentColumn(
            "interruptible", "Interruptible", lambda a: a.interruptible, presentation.yes_no, classes="text-center"
        ),
        AgentColumn("manual_mode", "Manual mode", lambda a: a.manual_mode, presentation.yes_no, classes="text-center"),
        AgentColumn(
            "recording_enabled", "Recording", lambda a: a.recording_enabled, presentation.yes_no, classes="text-center"
        ),
        AgentColumn(
            "use_org_knowledgebase",
            "Knowledge base",
            lambda a: a.use_org_knowledgebase,
            presentation.yes_no,
            classes="text-center",
        ),
        AgentColumn("first_message", "First message", lambda a: a.first_message),
        AgentColumn("instructions", "Instructions", lambda a: a.instructions, presentation.text_list),
        AgentColumn("flow", "Flow nodes", _flow_nodes, classes=NUMBER),
        AgentColumn("action_ids", "Actions", lambda a: "all" if a.action_ids is None else a.action_ids, _actions),
        AgentColumn("custom_llm", "Custom LLM", lambda a: a.custom_llm, classes=MONO),
        AgentColumn("handoff_phone_number", "Handoff number", lambda a: a.handoff_phone_number, classes=MONO),
        AgentColumn("failover", "Failover", lambda a: a.failover_state, presentation.failover_badge),
        AgentColumn(
            "failover_transfer_destination_id",
            "Failover destination",
            lambda a: a.failover_transfer_destination_id,
            classes=MONO,
        ),
        AgentColumn(
            "data_collection_fields", "Data fields", lambda a: a.data_collection_fields, presentation.text_list
        ),
        AgentColumn(
            "data_collection_webhook_url", "Webhook URL", lambda a: a.data_collection_webhook_url, classes=MONO
        ),
        AgentColumn("provider_external_id", "Provider id", lambda a: a.provider_external_id, classes=MONO),
        AgentColumn(
            "created_at", "Created", lambda a: a.created_at, presentation.moment, classes="text-end text-nowrap"
        ),
        AgentColumn(
            "updated_at", "Updated", lambda a: a.updated_at, presentation.moment, classes="text-end text-nowrap"
        ),
    ]
}
DEFAULT_COLUMNS = (
    "name",
    "phone_number",
    "type",
    "language",
    "model",
    "voice_id",
    "stt_model",
    "recording_enabled",
    "failover",
    "updated_at",
)
# The name links to the agent's page, so every view keeps it.
REQUIRED_COLUMNS = ("name",)


def in_order(keys: list[str] | tuple[str, ...]) -> list[str]:
    """Known column keys in the registry's order, with the required ones first."""
    wanted = set(keys) | set(REQUIRED_COLUMNS)
    return [key for key in COLUMNS if key in wanted]
