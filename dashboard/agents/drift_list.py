"""The drift page's list: one more configuration of the list pipeline.

Its rows are the agents of one organization missing in the other, the pairs that differ and the
agents that cannot be paired (`drift.py`); its parameters add what to pair by (`match`) and the
kind and field filters to the list's sort, paging and export. Values are drawn as compare draws
them, each with its own organization's names.
"""

import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from cachetools import FIFOCache
from django.http import HttpRequest, QueryDict
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from dashboard.access.readers import Reader
from dashboard.fields import Field, PhoneAgent, ValueContext, active_registry, display
from dashboard.fields.registry import UNDECLARED
from dashboard.orgs.registry import Org
from dashboard.snapshots.service import first_reads
from dashboard.snapshots.snapshot import Snapshot

from .across import combined
from .compare import CompareRow, field_row, undeclared_row
from .drift import (
    AMBIGUOUS,
    DEFAULT_MATCH,
    DIFFERS,
    KINDS,
    MISSING_IN_FROM,
    MISSING_IN_TO,
    Drift,
    DriftRow,
    compared_fields,
    drift_between,
    matchable_fields,
)
from .exports import Sheet
from .listing import ListParameters, ListPipeline
from .tables import ListTable, agent_urls

KIND_TONES = {MISSING_IN_TO: "tone-4", MISSING_IN_FROM: "tone-1", DIFFERS: "tone-0", AMBIGUOUS: "tone-3"}
DIFFERS_CLASS = mark_safe(' class="differs"')
DIFFERS_BADGE = mark_safe(' <span class="badge tone-0">differs</span>')
KEEP = 8  # drifts kept per process: a few pairs of organizations, a few matches each
_lock = threading.Lock()  # around `_drifts`: cachetools' caches are not thread-safe
_drifts: FIFOCache[tuple[Any, ...], Drift] = FIFOCache(KEEP)


def kind_label(kind: str, source: Org, target: Org) -> str:
    if kind == MISSING_IN_TO:
        return f"missing in {target.name}"
    if kind == MISSING_IN_FROM:
        return f"missing in {source.name}"
    return kind


def _shown(value: str) -> str:
    return repr(value[:40])


class DriftParameters(ListParameters):
    """The list's parameters, plus `match` (a field to pair by), `kind` and `field` (any of several)."""

    def __init__(self, data: QueryDict, *, sortable: set[str], hidden: frozenset[str]) -> None:
        super().__init__(data, sortable=sortable)
        self.hidden = hidden

    @property
    def match(self) -> Field:
        """The field agents are paired by; the name when none is asked for or the one asked for cannot pair."""
        fields = {field.name: field for field in matchable_fields(self.hidden)}
        asked = self.data.get("match")
        if asked is None or asked in fields:
            return fields[asked or DEFAULT_MATCH]
        names = ", ".join(field.name for field in fields.values())
        self.notices.append(f"Agents cannot be paired by {_shown(asked)} (only by {names}): they were paired by name.")
        return fields[DEFAULT_MATCH]

    @property
    def kinds(self) -> list[str]:
        """The kinds of row asked for (none: every kind)."""
        asked = self.data.getlist("kind")
        unknown = [value for value in asked if value not in KINDS]
        if unknown:
            shown = ", ".join(_shown(value) for value in unknown[:3])
            self.notices.append(f"{shown} is not a kind of drift ({', '.join(KINDS)}): it was ignored.")
        return [kind for kind in KINDS if kind in asked]

    def differing_in(self, comparable: Sequence[str]) -> list[str]:
        """The fields asked for (none: any), of those the page may compare for this reader."""
        asked = list(dict.fromkeys(self.data.getlist("field")))
        unknown = [value for value in asked if value not in comparable]
        if unknown:
            shown = ", ".join(_shown(value) for value in unknown[:3])
            self.notices.append(f"No field {shown} is compared here: that filter was ignored.")
        return [value for value in asked if value in comparable]


def drift_of(mine: Snapshot, theirs: Snapshot, match: Field, hidden: frozenset[str]) -> Drift:
    """The drift between two snapshots, made once per pair of versions, match and hidden fields."""
    key = (mine.org, mine.version, theirs.org, theirs.version, match.name, tuple(sorted(hidden)))
    with _lock:
        found = _drifts.get(key)
    if found is None:
        found = drift_between(mine.agents, theirs.agents, match, hidden)
        with _lock:
            _drifts[key] = found
    return found


def comparable_fields(
    mine: Snapshot | None, theirs: Snapshot | None, match: Field, hidden: frozenset[str]
) -> list[str]:
    """What the field filter may name: every field drift compares, and the undeclared ones either side sent."""
    names = [field.name for field in compared_fields(match, hidden)]
    extra = {key for snapshot in (mine, theirs) if snapshot for agent in snapshot.agents for key in agent.extra}
    return names + sorted(extra - hidden)


class DriftTable(ListTable):
    """A block of rows per agent missing on a side, pair that differs, or set of agents that cannot be
    paired: first the value they are paired by, each side's agents linked (compare's identity row),
    then for a pair each field that differs with both values."""

    class Meta(ListTable.Meta):
        attrs = {"class": "table table-sm align-middle compare-table drift-table", "id": "drift"}
        template_name = "tables/drift_table.html"
        empty_text = "No drift: every agent has its match, configured alike."

    def __init__(
        self,
        rows: list[DriftRow],
        *,
        source: Org,
        target: Org,
        match: Field,
        contexts: tuple[ValueContext, ValueContext],
        hidden: frozenset[str],
        **kwargs: Any,
    ) -> None:
        self.source, self.target, self.match = source, target, match
        self.contexts, self.hidden = contexts, hidden
        self.link = agent_urls(across=True)  # each agent under its own organization's /o/<slug>/
        super().__init__(
            rows,
            extra_columns=[
                ("kind", tables.Column("Kind", accessor="kind", order_by=("kind_rank", "match_sort"))),
                # Sorts (`sort=match`, the order without one) but is no column: each block's first row shows it.
                ("match", tables.Column(match.label, accessor="match", order_by=("match_sort", "kind_rank"))),
                ("field", tables.Column("Field", accessor="fields", order_by=("field_sort", "match_sort"))),
                ("source", tables.Column(source.name, accessor="source", orderable=False)),
                ("target", tables.Column(target.name, accessor="target", orderable=False)),
            ],
            sequence=["kind", "field", "source", "target", "match"],
            **kwargs,
        )
        self.columns.hide("match")

    def _shown(self) -> list[DriftRow]:
        return [row.record for row in self.page.object_list] if self.page else list(self.data)

    def body_html(self) -> SafeString:
        """The current page's blocks, one <tbody> each (django-tables2 draws a row per record)."""
        blocks = [self._block(row) for row in self._shown()]
        if not blocks:
            return format_html('<tbody><tr><td colspan="4" id="no-drift">{}</td></tr></tbody>', self.empty_text)
        return format_html_join("", "{}", ((block,) for block in blocks))

    def _block(self, row: DriftRow) -> SafeString:
        # The value paired by, as compare shows an identity field (never marked), each side linked.
        lines = [
            (
                self.match.name,
                False,
                self.match.label,
                self._side(row, row.source, self.source),
                self._side(row, row.target, self.target),
            )
        ]
        if row.kind == DIFFERS:
            lines += [
                (line.key, line.differs, line.label, line.cells[0], line.cells[1])
                for line in pair_rows(row, self.contexts, self.hidden)
            ]
        kind = format_html(
            '<td rowspan="{}" class="text-nowrap"><span class="badge {}">{}</span></td>',
            len(lines),
            KIND_TONES[row.kind],
            kind_label(row.kind, self.source, self.target),
        )
        body = format_html_join(
            "",
            '<tr data-field="{}"{}>{}<th scope="row" class="fw-normal text-nowrap">{}{}</th>'
            # data-org: on a phone each value stands under its organization's name (switchboard.css).
            '<td class="text-break" data-org="{}">{}</td><td class="text-break" data-org="{}">{}</td></tr>',
            (
                (
                    key,
                    DIFFERS_CLASS if differs else "",
                    kind if index == 0 else "",
                    label,
                    DIFFERS_BADGE if differs else "",
                    self.source.name,
                    mine,
                    self.target.name,
                    theirs,
                )
                for index, (key, differs, label, mine, theirs) in enumerate(lines)
            ),
        )
        return format_html(
            '<tbody class="drift-block" data-kind="{}" data-match="{}">{}</tbody>',
            row.kind,
            "" if row.match is None else row.match,
            body,
        )

    def _side(self, row: DriftRow, agents: Sequence[PhoneAgent], org: Org) -> SafeString:
        """One side's agents, linked to their pages (under `org`'s prefix); none: not in `org`."""
        if not agents:
            return format_html('<span class="nil">not in {}</span>', org.name)
        if row.kind == AMBIGUOUS:  # agents that look alike are told apart by their ids
            detail = "id"
        elif row.match is not None and self.match.name != active_registry().title_column:
            detail = "match"  # paired by another field than the name: its value beside the name
        else:
            detail = ""
        return format_html_join(
            display.BR,
            '<a href="{}" class="agent-link{}">{}</a>{}',
            (
                (
                    self.link(agent),
                    "" if agent.name and agent.name.strip() else " fst-italic",
                    agent.display_name,
                    format_html(
                        ' <span class="font-monospace small text-body-secondary">{}</span>',
                        agent.id if detail == "id" else row.match,
                    )
                    if detail
                    else "",
                )
                for agent in agents
            ),
        )


def pair_rows(
    record: DriftRow, contexts: tuple[ValueContext, ValueContext], hidden: frozenset[str]
) -> list[CompareRow]:
    """A differing pair's differing fields as compare draws them, each value with its organization's names."""
    registry = active_registry()
    agents = (record.source[0], record.target[0])
    rows = []
    for name in record.fields:
        field = registry.by_name.get(name)
        rows.append(
            field_row(field, agents, contexts, hidden, identity=False)
            if field is not None
            else undeclared_row(name, agents, hidden)
        )
    return rows


@dataclass(frozen=True)
class DriftListPipeline(ListPipeline):
    """The drift from organization `source` to `target`, as a list."""

    source: Org | None = None
    target: Org | None = None
    template: str = "agents/drift.html"
    rows_called: str = "drift rows"

    @property
    def orgs(self) -> tuple[Org, Org]:
        assert self.source is not None and self.target is not None
        return self.source, self.target

    @property
    def export_name(self) -> str:
        source, target = self.orgs
        return f"drift-{source.slug}-{target.slug}"

    def described(self, query: QueryDict) -> str:
        source, target = self.orgs
        return f"from {source.slug} to {target.slug}" + (f", {query.urlencode()}" if query else "")

    def snapshot(self, reader: Reader) -> Snapshot:
        """Both organizations' snapshots (the page's data as of the older); one that has none yet is named."""
        orgs = list(dict.fromkeys(self.orgs))
        found = first_reads(orgs)
        left_out = tuple(
            f"{org.name}: its agents could not be read yet (its own pages say why)."
            for org in orgs
            if org.slug not in found
        )
        return combined(tuple(found[org.slug] for org in orgs if org.slug in found), left_out)

    def parameters(self, query: QueryDict, reader: Reader) -> DriftParameters:
        return DriftParameters(query, sortable={"kind", "match", "field"}, hidden=reader.hidden)

    def table(
        self, request: HttpRequest, reader: Reader, query: QueryDict, snapshot: Snapshot, parameters: ListParameters
    ) -> tuple[tables.Table, dict[str, Any]]:
        assert isinstance(parameters, DriftParameters)
        source, target = self.orgs
        parts = {part.org: part for part in snapshot.parts}
        mine, theirs = parts.get(source.slug), parts.get(target.slug)
        match = parameters.match
        notices = []
        if source.slug == target.slug:
            notices.append("Drift compares two organizations: choose another one to compare with.")
        if mine is None or theirs is None or source.slug == target.slug:
            drift = Drift(match, (), 0)
        else:
            drift = drift_of(mine, theirs, match, reader.hidden)
        kinds = parameters.kinds
        comparable = comparable_fields(mine, theirs, match, reader.hidden)
        fields = parameters.differing_in(comparable)
        rows = [
            row
            for row in drift.rows
            if (not kinds or row.kind in kinds) and (not fields or any(name in row.fields for name in fields))
        ]
        contexts = (
            mine.value_context if mine else snapshot.value_context,
            theirs.value_context if theirs else snapshot.value_context,
        )
        table = DriftTable(
            rows,
            source=source,
            target=target,
            match=match,
            contexts=contexts,
            hidden=reader.hidden,
            order_by=parameters.sort_keys or None,
            # Without both organizations' agents there is nothing to compare: no claim of "no drift".
            empty_text=None
            if mine and theirs and source.slug != target.slug
            else "Nothing compared: the drift needs both organizations' agents.",
        )
        registry = active_registry()
        return table, {
            "notices": notices,
            "source": source,
            "target": target,
            "drift": drift,
            "match": match,
            "kinds": kinds,
            "fields": fields,
            "filtered": bool(kinds or fields),
            "counts": [(kind, kind_label(kind, source, target), KIND_TONES[kind], drift.count(kind)) for kind in KINDS],
            # The field filter offers what differs, and keeps a field asked for that differs nowhere.
            "differing_fields": [
                (name, registry.label(name)) for name in dict.fromkeys([*drift.differing_fields(), *fields])
            ],
            "matchable": matchable_fields(reader.hidden),
            "agents_in": (len(mine.agents) if mine else None, len(theirs.agents) if theirs else None),
        }

    def sheet(self, export_format: str, table: tables.Table, snapshot: Snapshot, reader: Reader) -> Sheet:
        assert isinstance(table, DriftTable)
        return drift_sheet(table.data.data, table, json=export_format == "json")


def drift_sheet(rows: Sequence[DriftRow], table: DriftTable, *, json: bool) -> Sheet:
    """The drift rows as a spreadsheet reads them (one column per side of every differing field) or
    as JSON carries them (each pair's differences keyed by field)."""
    source, target, match = table.source, table.target, table.match
    registry = active_registry()
    contexts = table.contexts

    def value_of(name: str, agent: PhoneAgent, context: ValueContext) -> Any:
        field = registry.by_name.get(name)
        if field is None:
            value = agent.extra.get(name)
            return value if json else UNDECLARED.spreadsheet(value)
        value = field.read(agent)
        return field.kind.plain(value, context) if json else field.kind.spreadsheet(value, context)

    if json:
        keys = ["kind", "match", "from_agents", "to_agents", "fields", "differences"]

        def json_rows() -> Iterator[list[Any]]:
            for row in rows:
                differences = {
                    name: {
                        "from": value_of(name, row.source[0], contexts[0]),
                        "to": value_of(name, row.target[0], contexts[1]),
                    }
                    for name in row.fields
                }
                yield [
                    row.kind,
                    row.match,
                    [{"id": agent.id, "name": agent.name} for agent in row.source],
                    [{"id": agent.id, "name": agent.name} for agent in row.target],
                    list(row.fields),
                    differences,
                ]

        return Sheet("Drift", keys, json_rows(), keys)

    differing = [name for name in (field.name for field in registry.fields) if any(name in row.fields for row in rows)]
    differing += sorted({name for row in rows for name in row.fields} - set(differing))
    headers = ["Kind", match.label, f"In {source.name}", f"In {target.name}", "What differs"]
    for name in differing:
        label = registry.label(name)
        headers += [f"{label} ({source.name})", f"{label} ({target.name})"]

    def agents_text(agents: Sequence[PhoneAgent]) -> str:
        return "; ".join(f"{agent.display_name} ({agent.id})" for agent in agents)

    def spreadsheet_rows() -> Iterator[list[Any]]:
        for row in rows:
            cells = [
                kind_label(row.kind, source, target),
                "" if row.match is None else row.match,
                agents_text(row.source),
                agents_text(row.target),
                ", ".join(registry.label(name) for name in row.fields),
            ]
            for name in differing:
                if name in row.fields:
                    cells += [value_of(name, row.source[0], contexts[0]), value_of(name, row.target[0], contexts[1])]
                else:
                    cells += ["", ""]
            yield cells

    return Sheet("Drift", headers, spreadsheet_rows(), headers)
