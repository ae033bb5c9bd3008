"""The agent table (django-tables2) over a snapshot: any registry column shown, sorted by any of them."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe
from django_tables2.data import TableListData
from django_tables2.utils import OrderBy

from dashboard.access.models import ShareLink
from dashboard.access.sharing import share_token
from dashboard.fields import Column, PhoneAgent, ValueContext, display
from dashboard.orgs.paths import within_org

from .ids import encode_agent_id
from .index import FleetIndex

AgentLink = Callable[[PhoneAgent], str]  # an agent -> its page
# (column, value class, value) -> its cell, for one page: a page repeats models, voices, flags.
Drawn = dict[tuple[str, type, Any], SafeString]


def agent_url(agent_id: str) -> str:
    return reverse("agent-detail", args=[agent_id])


def agent_urls(*, across: bool = False) -> AgentLink:
    """Each agent's page, reversing the pattern once rather than once per row; `across`
    organizations, each under its own organization's /o/<slug>/."""
    example = agent_url("x")
    if not across:
        return _urls_from(example)
    before, after = within_org(example, "{org}").rsplit("x", 1)
    return lambda agent: f"{before.format(org=agent.org)}{encode_agent_id(agent.id)}{after}"


def shared_agent_urls(link: ShareLink) -> AgentLink:
    """Each agent's page under a share link (`/s/<token>/agents/<id>/`), reversed once."""
    return _urls_from(reverse("shared-agent", args=[share_token(link), "x"]))


def _urls_from(example: str) -> AgentLink:
    before, after = example.rsplit("x", 1)
    return lambda agent: f"{before}{encode_agent_id(agent.id)}{after}"


@dataclass(frozen=True, slots=True)
class CellContext:
    """What drawing a row needs beyond the agent: the reader's hidden fields, voice names, links."""

    values: ValueContext
    hidden: frozenset[str] = frozenset()
    link: AgentLink = lambda agent: agent_url(agent.id)
    every_org: bool = False  # the reader sees every organization (findings that compare with another)


def name_cell(agent: PhoneAgent, link: AgentLink, findings: Any = ()) -> SafeString:
    """The name, linking to the agent's page (its id is encoded for the URL), and its findings."""
    html = format_html(
        '<a href="{}" class="agent-link{}">{}</a>',
        link(agent),
        "" if agent.name and agent.name.strip() else " fst-italic",
        agent.display_name,
    )
    return format_html("{}{}", html, display.finding_badges(findings)) if findings else html


def cell_html(column: Column, agent: PhoneAgent, context: CellContext, drawn: Drawn | None = None) -> SafeString:
    """One cell's content, escaped; a field the reader may not see as a "hidden" badge. With
    `drawn`, a value drawn before in the same column is not drawn again."""
    if column.field.name in context.hidden:
        return display.HIDDEN_BADGE
    if drawn is None:
        return column.cell(agent, context.values)
    value = column.value(agent)
    try:
        # The class too: True and 1 are equal keys, and draw differently in a column of any JSON.
        key = (column.key, value.__class__, value)
        return drawn[key]
    except KeyError:
        drawn[key] = html = column.kind.show(value, context.values)
        return html
    except TypeError:  # not hashable (a JSON object): drawn each time
        return column.kind.show(value, context.values)


class AgentRows(TableListData):
    """The agents a filter selected, sorted through the snapshot's index: the list's one sort path.

    django-tables2 calls `order_by` once, through the table's own ordering, with any registry
    column (every one is on the table, the unchosen ones not shown). The rows are put in order
    when first read."""

    def __init__(self, index: FleetIndex, mask: int) -> None:
        self.index, self.mask = index, mask
        self._keys: list[tuple[Column, bool]] = []
        self._order: Sequence[int] | None = None
        self._rows: list[PhoneAgent] | None = None
        super().__init__([])

    @property
    def order(self) -> Sequence[int]:
        """The rows' positions in the index, in order."""
        if self._order is None:
            self._order = self.index.sort(self.mask, self._keys)
        return self._order

    @property
    def data(self) -> list[PhoneAgent]:
        if self._rows is None:
            agents = self.index.agents
            self._rows = [agents[position] for position in self.order]
        return self._rows

    @data.setter
    def data(self, rows: list[PhoneAgent]) -> None:
        self._rows = rows or None

    def __getitem__(self, key: int | slice) -> Any:
        """A row, or a page of rows, without a list of every row first (a page is 100 of 50,000)."""
        if self._rows is not None:
            return self._rows[key]
        agents = self.index.agents
        if isinstance(key, slice):
            return [agents[position] for position in self.order[key]]
        return agents[self.order[key]]

    def __len__(self) -> int:
        return self.mask.bit_count()

    def order_by(self, aliases: Any) -> None:
        columns = self.index.registry.columns
        self._keys = [(columns[OrderBy(alias).bare], str(alias).startswith("-")) for alias in aliases]
        self._order = self._rows = None


class RegistryColumn(tables.Column):
    """A django-tables2 column drawn from the field registry (header, ordering, attributes)."""

    def __init__(self, column: Column, *, visible: bool) -> None:
        self.spec = column
        # Numbers and times are right-aligned, and so are their headers.
        attrs = {"td": {"class": column.css}, "th": {"class": "text-end" if column.css in ("num", "when") else ""}}
        super().__init__(
            verbose_name=column.label,
            accessor="id",
            attrs=attrs,
            empty_values=(),
            orderable=column.sortable,
            visible=visible,
        )


class SelectColumn(tables.Column):
    """A checkbox per row, to pick agents to compare; the boxes belong to the list's compare form."""

    def __init__(self) -> None:
        super().__init__(
            verbose_name=mark_safe('<span class="visually-hidden">Compare</span>'),
            accessor="id",
            orderable=False,
            attrs={"td": {"class": "select-cell"}, "th": {"class": "select-cell"}},
            empty_values=(),
        )


# The compare checkbox's cell, a `format_html` template filled by `select_values`.
SELECT_CELL = (
    '<td class="select-cell"><input class="form-check-input compare-pick" type="checkbox" form="compare-form" '
    'name="id" value="{}" aria-label="Compare {}"{}></td>'
)


def select_values(agent: PhoneAgent, picked: bool = False) -> tuple[str, str, str]:
    return agent.id, agent.display_name, " checked" if picked else ""


class ListTable(tables.Table):
    """A table the list pipeline draws: sorted and paged by the parameters its form reads
    (`listing.ListParameters`)."""

    class Meta:
        order_by_field = "sort"
        page_field = "page"
        per_page_field = "per_page"


class AgentTable(ListTable):
    class Meta(ListTable.Meta):
        attrs = {"class": "table table-sm table-hover align-middle agent-table cards-sm"}
        template_name = "tables/agent_table.html"
        empty_text = "No agents match."

    def __init__(
        self,
        rows: AgentRows,
        *,
        columns: list[str],
        context: CellContext,
        selectable: bool = True,
        picks: Sequence[str] = (),
        **kwargs: Any,
    ) -> None:
        registry_columns = rows.index.registry.columns
        self.specs = [registry_columns[key] for key in columns]
        self.cell_context = context
        self.selectable = selectable  # a compare checkbox per row
        self.picks = list(picks)  # the agents picked to compare, on any page
        shown = set(columns)
        select = [("select", SelectColumn())] if selectable else []
        super().__init__(
            rows,
            extra_columns=[
                *select,
                *((key, RegistryColumn(column, visible=key in shown)) for key, column in registry_columns.items()),
            ],
            sequence=[*(["select"] if selectable else []), *columns, "..."],
            **kwargs,
        )

    def _cell(self, column: Column, agent: PhoneAgent, drawn: Drawn) -> SafeString:
        if column.key == self.data.index.registry.title_column:  # the name links and carries the findings
            findings = self.data.index.findings_of(
                agent, self.cell_context.hidden, every_org=self.cell_context.every_org
            )
            return name_cell(agent, self.cell_context.link, findings)
        return cell_html(column, agent, self.cell_context, drawn)

    def _shown(self) -> list[PhoneAgent]:
        return [row.record for row in self.page.object_list] if self.page else list(self.data)

    def picks_elsewhere(self) -> list[str]:
        """The picked agents that are not on this page (the compare form carries them as they are)."""
        here = {agent.id for agent in self._shown()}
        return [agent_id for agent_id in self.picks if agent_id not in here]

    def colgroup_html(self) -> SafeString:
        """A <col> per shown column, marked with where it steps aside on narrower screens."""
        cols = ([("",)] if self.selectable else []) + [
            (format_html(' class="below-{}"', column.steps_aside) if column.steps_aside else "",)
            for column in self.specs
        ]
        return format_html("<colgroup>{}</colgroup>", format_html_join("", "<col{}>", cols))

    def body_html(self) -> SafeString:
        """The current page's rows, built in one pass: one `format_html` per row.

        django-tables2's generic path inspects each render method's signature for every cell and
        runs template tags per cell; this is the same markup at a fraction of the cost.
        """
        template = self._row_template()
        picks = set(self.picks)
        drawn: Drawn = {}
        return format_html_join("", template, (self._row(agent, picks, drawn) for agent in self._shown()))

    def _row_template(self) -> str:
        """A row with a slot per cell (`format_html` fills and escapes them), made once per page."""
        pick = SELECT_CELL if self.selectable else ""
        cells = (
            format_html('<td class="{}">{{}}</td>', column.css) if column.css else "<td>{}</td>"
            for column in self.specs
        )
        return f"<tr>{pick}{''.join(cells)}</tr>"

    def _row(self, agent: PhoneAgent, picks: set[str], drawn: Drawn) -> list[Any]:
        cells = [self._cell(column, agent, drawn) for column in self.specs]
        if not self.selectable:
            return cells
        return [*select_values(agent, agent.id in picks), *cells]
