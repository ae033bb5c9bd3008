"""The agent table (django-tables2) over a list of `PhoneAgent` records."""

from collections.abc import Callable
from datetime import datetime
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from dashboard import presentation
from dashboard.agents.index import FleetIndex, positions, selected
from dashboard.opencx.schema import PhoneAgent

PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50

# column -> sort key; None sorts last in either direction.
SORT_KEYS: dict[str, Callable[[PhoneAgent], Any]] = {
    "name": lambda agent: agent.display_name.casefold(),
    "phone_number": lambda agent: agent.phone_number,
    "type": lambda agent: agent.type,
    "language": lambda agent: ", ".join(agent.language) or None,
    "model": lambda agent: agent.model,
    "voice_id": lambda agent: agent.voice_id,
    "stt_model": lambda agent: agent.stt_model,
    "recording_enabled": lambda agent: agent.recording_enabled,
    "failover": lambda agent: agent.failover_state,
    "updated_at": lambda agent: agent.updated_at,
}


def sort_agents(agents: list[PhoneAgent], order_by: list[str]) -> list[PhoneAgent]:
    """Stable sort by columns, most significant first; missing values last either way."""
    rows = list(agents)
    for alias in reversed(order_by):
        key = SORT_KEYS[OrderBy(alias).bare]
        descending = alias.startswith("-")
        present = [agent for agent in rows if key(agent) is not None]
        missing = [agent for agent in rows if key(agent) is None]
        present.sort(key=key, reverse=descending)
        rows = present + missing
    return rows


class AgentRows(TableListData):
    """The agents of a snapshot selected by a bitmask, sorted through the snapshot's index.

    Replaces django-tables2's per-comparison accessor sort, far too slow for 50,000 rows.
    """

    def __init__(self, index: FleetIndex, mask: int) -> None:
        self.index, self.mask = index, mask
        super().__init__([index.agents[position] for position in positions(mask)])

    def order_by(self, aliases: Any) -> None:
        aliases = [str(alias) for alias in aliases]
        if len(aliases) != 1:
            self.data = sort_agents(self.data, aliases)
            return
        name = OrderBy(aliases[0]).bare
        order = self.index.order(SORT_KEYS[name], name, descending=aliases[0].startswith("-"))
        self.data = [self.index.agents[position] for position in selected(self.mask, order)]


class AgentTable(tables.Table):
    name = tables.Column(verbose_name="Name", accessor="display_name")
    phone_number = tables.Column(verbose_name="Phone number", attrs={"td": {"class": "font-monospace text-nowrap"}})
    type = tables.Column(verbose_name="Type")
    language = tables.Column(verbose_name="Languages")
    model = tables.Column(verbose_name="Model")
    voice_id = tables.Column(verbose_name="Voice", attrs={"td": {"class": "font-monospace"}})
    stt_model = tables.Column(verbose_name="STT model")
    recording_enabled = tables.Column(verbose_name="Recording", attrs={"td": {"class": "text-center"}})
    failover = tables.Column(verbose_name="Failover", accessor="failover_state")
    updated_at = tables.Column(
        verbose_name="Updated", attrs={"td": {"class": "text-end text-nowrap"}, "th": {"class": "text-end"}}
    )

    class Meta:
        attrs = {"class": "table table-sm table-hover align-middle agent-table"}
        empty_text = "No agents match."
        default = presentation.DASH
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"

    def __init__(self, rows: AgentRows, **kwargs: Any) -> None:
        super().__init__(rows, **kwargs)

    def render_name(self, record: PhoneAgent) -> str:
        return format_html(
            '<a href="{}" class="agent-link{}">{}</a>',
            reverse("agent-detail", args=[record.id]),
            " fst-italic" if record.display_name != record.name else "",
            record.display_name,
        )

    def render_type(self, value: str) -> str:
        return presentation.enum_badge("type", value)

    def render_model(self, value: str) -> str:
        return presentation.enum_badge("model", value)

    def render_stt_model(self, value: str) -> str:
        return presentation.enum_badge("stt_model", value)

    def render_language(self, value: tuple[str, ...]) -> str:
        return presentation.text_list(value)

    def render_recording_enabled(self, value: bool) -> str:
        return presentation.yes_no(value)

    def render_failover(self, value: str) -> str:
        return presentation.failover_badge(value)

    def render_updated_at(self, value: datetime) -> str:
        return presentation.moment(value)
