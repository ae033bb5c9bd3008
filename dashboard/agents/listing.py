"""One list pipeline, declared per list: reader + snapshot + filter form + columns + sort + page + export.

In the spirit of NetBox's ObjectListView: a list is a configuration of `ListPipeline`, not a view
of its own. The agent list, a shared list (the same, read by a share link's visitor) and the
parse problems are such configurations; views only say who reads (`Reader`) and which query
applies. Page, page size, sort, columns and export are read by one form, `ListParameters`.
"""

import math
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import django_tables2 as tables
from django import forms
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.urls import reverse
from django.utils.html import format_html

from dashboard.access.audit import record_event
from dashboard.access.models import AuditEvent
from dashboard.access.readers import Reader
from dashboard.fields import Column, active_registry
from dashboard.fields.registry import ORG_FIELD
from dashboard.snapshots.service import get_snapshot
from dashboard.snapshots.snapshot import Snapshot

from .across import snapshot_for
from .compare import MAX_AGENTS, MIN_AGENTS
from .exports import FORMATS, Sheet, agent_sheet, export_response, hold_export
from .filters import AgentFilterForm
from .index import index_of
from .models import ColumnPreference
from .tables import AgentLink, AgentRows, AgentTable, CellContext, ListTable, agent_url, agent_urls, shared_agent_urls

PER_PAGE_CHOICES = (25, 50, 100)
DEFAULT_PER_PAGE = 50
MAX_SORT_KEYS = 3  # more than this orders nothing a person can see, and costs a sort each
LIST_QUERY_SESSION_KEY = "agent_list_query"  # the agent list as last left, for "Back to list"
SHARE_DAYS = (1, 7, 30, 90)  # the expiry choices the Share menu offers
MAX_PICKS = 20  # agents a list URL keeps picked for comparing (compare itself shows MAX_AGENTS)


class ListParameters(forms.Form):
    """Everything in a list's query string but its filters. Anything unusable gets a notice and a default."""

    sort = forms.CharField(required=False)
    page = forms.IntegerField(required=False)
    per_page = forms.IntegerField(required=False)
    columns = forms.CharField(required=False)
    _export = forms.CharField(required=False)

    # The page sizes offered, and the one without `per_page` (the API allows bigger pages).
    page_sizes: tuple[int, ...] = PER_PAGE_CHOICES
    default_page_size = DEFAULT_PER_PAGE

    def __init__(
        self, data: QueryDict, *, sortable: Collection[str], columns: Mapping[str, Column] | None = None
    ) -> None:
        super().__init__(data)
        self.sortable = sortable  # the keys this reader may sort by
        self.known_columns = columns or {}  # the columns that may be chosen
        self.notices: list[str] = []
        self.is_valid()
        for name in ("sort", "columns"):  # text that is no text at all (a NUL): said, then left out
            if name in self.errors:
                self.notices.append(f"{name}: {' '.join(self.errors[name])} It was ignored.")

    def _raw(self, name: str) -> str:
        return repr(str(self.data.get(name, ""))[:20])

    @property
    def sort_keys(self) -> list[str]:
        """Sort keys (`-` first for descending), known and visible to the reader, each once, at most MAX_SORT_KEYS."""
        raw = self.cleaned_data.get("sort") or ""
        wanted, refused, seen = [], [], set()
        for alias in (part.strip() for part in raw.split(",")):
            bare = alias[1:] if alias.startswith("-") else alias
            if not alias:
                continue
            if bare not in self.sortable:
                refused.append(alias)
            elif bare not in seen:
                seen.add(bare)
                wanted.append(alias)
        if refused:
            shown = ", ".join(repr(alias[:40]) for alias in refused[:5]) + (" …" if len(refused) > 5 else "")
            self.notices.append(f"Cannot sort by {shown}: that sort was ignored.")
        if len(wanted) > MAX_SORT_KEYS:
            self.notices.append(
                f"At most {MAX_SORT_KEYS} sort keys apply: the list is sorted by the first {MAX_SORT_KEYS}."
            )
            wanted = wanted[:MAX_SORT_KEYS]
        return wanted

    @property
    def page_size(self) -> int:
        value = self.cleaned_data.get("per_page")
        if "per_page" not in self.data:
            return self.default_page_size
        if value in self.page_sizes:
            return value
        choices = ", ".join(str(choice) for choice in self.page_sizes)
        self.notices.append(
            f"{self._raw('per_page')} is not a page size ({choices}): showing {self.default_page_size} per page."
        )
        return self.default_page_size

    def page_number(self, count: int, per_page: int) -> int:
        if "page" not in self.data:
            return 1
        value = self.cleaned_data.get("page")
        if value is None or value < 1:
            self.notices.append(f"{self._raw('page')} is not a page number: showing the first page.")
            return 1
        last = max(1, math.ceil(count / per_page))
        if value > last:
            self.notices.append(f"There is no page {value:,}: showing the last page, {last:,}.")
            return last
        return value

    @property
    def chosen_columns(self) -> list[str] | None:
        """The columns asked for (`columns=a,b`), in registry order; None when none is usable."""
        if "columns" not in self.data:
            return None
        keys = [key.strip() for key in (self.cleaned_data.get("columns") or "").split(",") if key.strip()]
        unknown = [key for key in keys if key not in self.known_columns]
        if unknown:
            self.notices.append(f"Unknown column {', '.join(repr(k[:40]) for k in unknown[:5])}: it was left out.")
        return in_order(keys, self.known_columns) if len(unknown) < len(keys) else None

    @property
    def export_format(self) -> str | None:
        """The export format asked for; None when none (a notice when it is not one)."""
        if "_export" not in self.data:
            return None
        value = self.cleaned_data.get("_export") or ""
        if value in FORMATS:
            return value
        self.notices.append(f"{value[:20]!r} is not an export format ({', '.join(FORMATS)}): nothing was exported.")
        return None


def in_order(keys: Sequence[str], columns: Mapping[str, Column]) -> list[str]:
    """Known column keys in the registry's order, the title column (the name) always among them."""
    wanted = set(keys) | {active_registry().title_column}
    return [key for key in columns if key in wanted]


def offered_columns(reader: Reader) -> dict[str, Column]:
    """The columns a list of `reader` offers: the organization's only across organizations."""
    columns = active_registry().columns
    if reader.org is None:
        return columns
    return {key: column for key, column in columns.items() if column.field.from_upstream}


def chosen_columns(request: HttpRequest, reader: Reader, asked: list[str] | None) -> list[str]:
    """The columns asked for in the URL, else the person's choice, else the defaults (across
    organizations, the organization's column too)."""
    registry = active_registry()
    offered = offered_columns(reader)
    if asked is not None:
        return [key for key in asked if key in offered]
    chosen = list(registry.default_columns)
    if not reader.is_shared and request.user.is_authenticated:
        preference = ColumnPreference.objects.filter(user=request.user).first()
        if preference is not None and any(key in offered for key in preference.columns):
            chosen = in_order(preference.columns, offered)
    if reader.org is None and ORG_FIELD in offered:
        chosen = in_order([*chosen, ORG_FIELD], offered)
    return [key for key in chosen if key in offered]


def _with(query: QueryDict, **changes: str | None) -> str:
    """The query string with some parameters set (or removed, for None)."""
    query = query.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode()


@dataclass(frozen=True)
class ListPipeline:
    """What every list does: read the parameters, page, export or render."""

    template: str
    rows_called: str = "rows"  # what the audit log calls an export's rows
    extra: dict[str, Any] = field(default_factory=dict)

    def snapshot(self, reader: Reader) -> Snapshot:
        """The snapshot the list is drawn from: the reader's organization's."""
        return get_snapshot(reader.org)

    @property
    def export_name(self) -> str:
        """What an export's file is called (before the snapshot's time)."""
        return self.rows_called

    def described(self, query: QueryDict) -> str:
        """What the audit log says was exported, beside the format and the number of rows."""
        return query.urlencode()

    def respond(self, request: HttpRequest, reader: Reader, query: QueryDict) -> HttpResponse:
        snapshot = self.snapshot(reader)
        parameters = self.parameters(query, reader)
        table, context = self.table(request, reader, query, snapshot, parameters)
        export_format = parameters.export_format
        if "_export" in query:
            reader.require(reader.can_export)
        if export_format is not None:
            release = hold_export(str(request.user.pk))
            if release is None:
                return render(request, "agents/export_busy.html", {"snapshot": snapshot, "reader": reader}, status=429)
            record_event(
                request,
                AuditEvent.EXPORT,
                f"{export_format.upper()} of {len(table.data):,} {self.rows_called}: {self.described(query)}",
            )
            try:
                sheet = self.sheet(export_format, table, snapshot, reader)
            except BaseException:
                release()
                raise
            return export_response(
                export_format, sheet, name=self.export_name, fetched_at=snapshot.fetched_at, release=release
            )
        per_page = parameters.page_size
        table.paginate(page=parameters.page_number(len(table.data), per_page), per_page=per_page)
        return render(
            request,
            self.template,
            {
                "snapshot": snapshot,
                "reader": reader,
                "table": table,
                "query": query,
                "notices": [*context.pop("notices", []), *parameters.notices],
                "per_page": per_page,
                "per_page_choices": PER_PAGE_CHOICES,
                "shown": len(table.data),
                "export_links": [(fmt, _with(query, _export=fmt, page=None)) for fmt in FORMATS],
                **self.extra,
                **context,
            },
        )

    def parameters(self, query: QueryDict, reader: Reader) -> ListParameters:
        raise NotImplementedError

    def table(
        self, request: HttpRequest, reader: Reader, query: QueryDict, snapshot: Snapshot, parameters: ListParameters
    ) -> tuple[tables.Table, dict[str, Any]]:
        raise NotImplementedError

    def sheet(self, export_format: str, table: tables.Table, snapshot: Snapshot, reader: Reader) -> Sheet:
        """The rows of every page, as the export writes them."""
        raise NotImplementedError


@dataclass(frozen=True)
class AgentListPipeline(ListPipeline):
    """The agents: filters, any registry column, sort by any of them, pages, exports."""

    template: str = "agents/list.html"
    rows_called: str = "agents"

    def snapshot(self, reader: Reader) -> Snapshot:
        """The reader's organization's agents, or, with none named, those of every organization it sees."""
        return snapshot_for(reader)

    def parameters(self, query: QueryDict, reader: Reader) -> ListParameters:
        return ListParameters(query, sortable=sortable_columns(reader), columns=offered_columns(reader))

    def table(
        self, request: HttpRequest, reader: Reader, query: QueryDict, snapshot: Snapshot, parameters: ListParameters
    ) -> tuple[tables.Table, dict[str, Any]]:
        index = index_of(snapshot)
        form = AgentFilterForm(
            query, index=index, hidden=reader.hidden, every_org=reader.sees_every_org, select_by_hidden=reader.is_shared
        )
        columns = chosen_columns(request, reader, parameters.chosen_columns)
        sort = parameters.sort_keys
        picks = [] if reader.is_shared else [agent_id for agent_id in picked(query) if snapshot.get(agent_id)]
        table = AgentTable(
            AgentRows(index, form.mask),
            columns=columns,
            context=CellContext(snapshot.value_context, reader.hidden, self.agent_link(reader), reader.sees_every_org),
            selectable=not reader.is_shared and reader.org is not None,  # compare is within one organization
            picks=picks,
            order_by=sort or None,
        )
        if not reader.is_shared:
            remember_list(request, query)
        return table, {
            "form": form,
            "notices": [*form.ignored(), *unread_parameters(query, form, parameters)],
            "chips": form.chips(),
            "more_active": form.more_active(),
            "picks": picks,
            "compare_between": (MIN_AGENTS, MAX_AGENTS),
            "columns": columns,
            "all_columns": offered_columns(reader).values(),
            "title_column": active_registry().title_column,
            "share_days": SHARE_DAYS,
        }

    def agent_link(self, reader: Reader) -> AgentLink:
        """Where a row's name links: the agent's page, or for a share link's visitor, that agent's
        page under the same share (which opens only agents of the shared list)."""
        if reader.share is not None:
            return shared_agent_urls(reader.share)
        return agent_urls(across=reader.org is None)

    def sheet(self, export_format: str, table: tables.Table, snapshot: Snapshot, reader: Reader) -> Sheet:
        return agent_sheet(
            table.data.data,
            table.specs,
            json=export_format == "json",
            hidden=reader.hidden,
            context=snapshot.value_context,
        )


PICK = "pick"  # agents picked to compare: read by `picked`, not by a form


def unread_parameters(query: QueryDict, filters: AgentFilterForm, parameters: ListParameters) -> list[str]:
    """A notice for the parameters nothing of the agent list reads (a misspelt or removed filter), which
    would otherwise be dropped without a word; a filter by a hidden field has its own notice."""
    read = {PICK, *parameters.fields, *filters.fields, *filters.withheld}
    unread = [name for name in query if name not in read]
    if not unread:
        return []
    shown = ", ".join(repr(name[:40]) for name in unread[:5]) + (" …" if len(unread) > 5 else "")
    if len(unread) == 1:
        return [f"{shown} is not a parameter of this list: it was ignored."]
    return [f"{shown} are not parameters of this list: they were ignored."]


def picked(query: QueryDict) -> list[str]:
    """The agents picked to compare (`pick=`, kept in the list's URL across pages and filters)."""
    return list(dict.fromkeys(value for value in query.getlist(PICK) if value))[:MAX_PICKS]


def sortable_columns(reader: Reader) -> set[str]:
    """The column keys `reader` may sort by: a hidden field cannot sort either (the order would tell its values)."""
    columns = offered_columns(reader)
    return {key for key, column in columns.items() if column.sortable and column.field.name not in reader.hidden}


def filtered_agents(
    snapshot: Snapshot, reader: Reader, query: QueryDict, sort_keys: Sequence[str]
) -> tuple[AgentRows, AgentFilterForm]:
    """The agents `query`'s filters select for `reader`, in `sort_keys` order (the list's filter form and
    sort path, for readers of the list other than its page), and the form, which says what it ignored."""
    index = index_of(snapshot)
    form = AgentFilterForm(
        query, index=index, hidden=reader.hidden, every_org=reader.sees_every_org, select_by_hidden=reader.is_shared
    )
    rows = AgentRows(index, form.mask)
    rows.order_by(sort_keys)
    return rows, form


def lists_agent(snapshot: Snapshot, reader: Reader, query: QueryDict, agent_id: str) -> bool:
    """Whether the list `query` selects for `reader` holds the agent (a share link opens only those)."""
    agent = snapshot.get(agent_id)
    if agent is None:
        return False
    index = index_of(snapshot)
    position = next(position for position, candidate in enumerate(index.agents) if candidate is agent)
    form = AgentFilterForm(
        query, index=index, hidden=reader.hidden, every_org=reader.sees_every_org, select_by_hidden=reader.is_shared
    )
    return bool(form.mask >> position & 1)


def remember_list(request: HttpRequest, query: QueryDict) -> None:
    """Keeps the list as the person leaves it, for "Back to list": the list, never an export of it
    (a download, and a 403 for a role that may not export)."""
    shown = query.copy()
    shown.pop("_export", None)
    if request.session.get(LIST_QUERY_SESSION_KEY) != shown.urlencode():
        request.session[LIST_QUERY_SESSION_KEY] = shown.urlencode()


def back_to_list(request: HttpRequest) -> str:
    """The agent list as the person last left it."""
    back = reverse("agent-list")
    if request.session.get(LIST_QUERY_SESSION_KEY):
        back += "?" + request.session[LIST_QUERY_SESSION_KEY]
    return back


class ProblemTable(ListTable):
    record = tables.Column(
        accessor="index", verbose_name="Record", attrs={"td": {"class": "text-end"}, "th": {"class": "text-end"}}
    )
    agent_id = tables.Column(verbose_name="Agent", attrs={"td": {"class": "font-monospace text-break"}})
    field = tables.Column(verbose_name="Field", attrs={"td": {"class": "font-monospace"}})
    message = tables.Column(verbose_name="Problem")

    class Meta(ListTable.Meta):
        attrs = {"class": "table table-sm align-middle", "id": "problems"}
        empty_text = "None: every record was read as the schema says."

    def render_record(self, value: int) -> str:
        return f"#{value + 1}"

    def value_record(self, value: int) -> int:
        return value + 1

    def render_agent_id(self, value: str) -> Any:
        return format_html('<a href="{}">{}</a>', agent_url(value), value)


@dataclass(frozen=True)
class ProblemListPipeline(ListPipeline):
    """What could not be read of the last upstream payload: one row per problem."""

    template: str = "agents/problems.html"
    rows_called: str = "problems"

    def parameters(self, query: QueryDict, reader: Reader) -> ListParameters:
        return ListParameters(query, sortable=set(ProblemTable.base_columns))

    def table(
        self, request: HttpRequest, reader: Reader, query: QueryDict, snapshot: Snapshot, parameters: ListParameters
    ) -> tuple[tables.Table, dict[str, Any]]:
        registry = active_registry()
        # A problem with a hidden field may quote its value: the reader does not see it.
        rows = [
            problem
            for problem in snapshot.problems
            if problem.field is None or registry.canonical(problem.field) not in reader.hidden
        ]
        return ProblemTable(rows, order_by=parameters.sort_keys or None), {}

    def sheet(self, export_format: str, table: tables.Table, snapshot: Snapshot, reader: Reader) -> Sheet:
        keys = ["record", "agent_id", "field", "message"]
        rows = ([problem.index + 1, problem.agent_id, problem.field, problem.message] for problem in table.data.data)
        headers = keys if export_format == "json" else ["Record", "Agent", "Field", "Problem"]
        return Sheet("Problems", headers, rows, keys)


AGENT_LIST = AgentListPipeline()
PROBLEM_LIST = ProblemListPipeline()
