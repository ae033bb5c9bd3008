"""Exporting the agent list as shown (every page, current filters, order and columns).

Through django-tables2's `TableExport` (tablib: CSV, JSON, XLSX), with the rows built from each
column's kind (`plain` for JSON, `spreadsheet` for CSV and XLSX) instead of rendering every cell
as HTML first, which is what makes django-tables2's generic path slow at 50,000 agents.

JSON carries each agent as an object keyed by column key, plus the fields OpenCX sent that this
dashboard does not know, under their own names; CSV and XLSX carry the columns under their labels.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import tablib
from django.http import HttpResponse
from django_tables2.export import TableExport

from dashboard.fields import Column, PhoneAgent, ValueContext
from dashboard.fields.kinds import PLAIN

FORMATS = ("csv", "json", "xlsx")
HIDDEN = "hidden"
# A spreadsheet runs a cell starting with these as a formula; a leading apostrophe makes it text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralised(value: Any) -> Any:
    return "'" + value if isinstance(value, str) and value.startswith(FORMULA_STARTS) else value


class AgentExport(TableExport):
    """A `TableExport` whose dataset comes straight from the agents' values."""

    def __init__(
        self,
        export_format: str,
        agents: Sequence[PhoneAgent],
        columns: Sequence[Column],
        hidden: frozenset[str] = frozenset(),
        context: ValueContext = PLAIN,
    ) -> None:
        if not self.is_valid_format(export_format):
            raise TypeError(f'Export format "{export_format}" is not supported.')
        self.format = export_format
        self.dataset = tablib.Dataset(title="Agents")
        self.context = context  # names beside ids (actions)
        if export_format == "json":
            self._json_rows(agents, columns, hidden)
        else:
            self._spreadsheet_rows(agents, columns, hidden)

    def _spreadsheet_rows(
        self, agents: Sequence[PhoneAgent], columns: Sequence[Column], hidden: frozenset[str]
    ) -> None:
        self.dataset.headers = [column.label for column in columns]
        self.dataset.extend(
            [
                HIDDEN
                if column.field.name in hidden
                else neutralised(column.kind.spreadsheet(column.value(agent), self.context))
                for column in columns
            ]
            for agent in agents
        )

    def _json_rows(self, agents: Sequence[PhoneAgent], columns: Sequence[Column], hidden: frozenset[str]) -> None:
        # Fields OpenCX sent that the registry does not declare travel under their own names.
        extra = sorted({key for agent in agents for key in agent.extra})
        self.dataset.headers = [column.key for column in columns] + extra
        self.dataset.extend(
            [
                HIDDEN if column.field.name in hidden else column.kind.plain(column.value(agent), self.context)
                for column in columns
            ]
            + [HIDDEN if key in hidden else agent.extra.get(key) for key in extra]
            for agent in agents
        )


def export_response(
    export_format: str,
    agents: Sequence[PhoneAgent],
    columns: Sequence[Column],
    fetched_at: datetime,
    hidden: frozenset[str] = frozenset(),
    context: ValueContext = PLAIN,
) -> HttpResponse:
    """The file download, named for the time of the snapshot it comes from."""
    filename = f"agents-{fetched_at.astimezone(UTC):%Y%m%dT%H%M%SZ}.{export_format}"
    return AgentExport(export_format, agents, columns, hidden, context).response(filename=filename)
