"""Agent pages: the list, one agent's detail, comparing agents, the parse problems, and the Refresh action."""

import math
from typing import Any
from urllib.parse import urlsplit

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dashboard.agents.service import SnapshotUnavailable, get_snapshot, refresh_snapshot
from dashboard.audit import record_event
from dashboard.columns import COLUMNS, DEFAULT_COLUMNS, REQUIRED_COLUMNS, in_order
from dashboard.compare import MAX_AGENTS, MIN_AGENTS, compare_rows
from dashboard.exports import FORMATS, export_response
from dashboard.filters import BOOLEAN_FILTERS, PRESENCE_FILTERS, RANGE_FILTERS, AgentFilterForm
from dashboard.history.coverage import history_coverage
from dashboard.history.diff import timeline
from dashboard.models import AuditEvent, ColumnPreference
from dashboard.opencx.errors import OpenCXError
from dashboard.opencx.flow import flow_outline
from dashboard.roles import EXPORT, REFRESH, hidden_fields, hidden_upstream_keys, redact, require
from dashboard.tables import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, AgentRows, AgentTable

LIST_QUERY_SESSION_KEY = "agent_list_query"
SHARE_DAYS = (1, 7, 30, 90)  # the expiry choices offered
MORE_FILTERS = {*BOOLEAN_FILTERS, *PRESENCE_FILTERS, *(name for pair in RANGE_FILTERS for name in pair)}


@require_GET
def agent_list(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    shared = getattr(request, "share_link", None) is not None
    hidden = hidden_fields(request.user)
    form = AgentFilterForm(request.GET, snapshot=snapshot, hidden=hidden)
    rows = AgentRows(snapshot.index, form.mask)
    notices = form.ignored()
    columns = _columns(request, notices)
    sort = _sort(request, notices, hidden)
    rows.order_by(sort)  # by any field, even one whose column is not shown
    table = AgentTable(rows, columns=columns, order_by=sort, hidden=hidden, selectable=not shared)

    export_format = request.GET.get("_export")
    if export_format is not None:
        require(request.user, EXPORT)
        if export_format in FORMATS:
            record_event(
                request,
                AuditEvent.EXPORT,
                f"{export_format.upper()} of {len(rows):,} agents: {request.GET.urlencode()}",
            )
            return export_response(export_format, table.data.data, columns, snapshot.fetched_at, hidden)
        notices.append(f"{export_format[:20]!r} is not an export format ({', '.join(FORMATS)}): nothing was exported.")

    per_page = _per_page(request, notices)
    table.paginate(page=_page(request, len(rows), per_page, notices), per_page=per_page)
    if not shared and request.session.get(LIST_QUERY_SESSION_KEY) != request.GET.urlencode():
        request.session[LIST_QUERY_SESSION_KEY] = request.GET.urlencode()
    return render(
        request,
        "agents/list.html",
        {
            "snapshot": snapshot,
            "form": form,
            "table": table,
            "notices": notices,
            "chips": form.chips(),
            "more_active": any(name in request.GET for name in MORE_FILTERS),
            "per_page": per_page,
            "per_page_choices": PER_PAGE_CHOICES,
            "shown": len(rows),
            "columns": columns,
            "all_columns": COLUMNS.values(),
            "required_columns": REQUIRED_COLUMNS,
            "export_links": [(fmt, _with(request, _export=fmt, page=None)) for fmt in FORMATS],
            "share_days": SHARE_DAYS,
        },
    )


def _with(request: HttpRequest, **changes: str | None) -> str:
    """This page's query string with some parameters set (or removed, for None)."""
    query = request.GET.copy()
    for name, value in changes.items():
        query.pop(name, None)
        if value is not None:
            query[name] = value
    return "?" + query.urlencode()


def _columns(request: HttpRequest, notices: list[str]) -> list[str]:
    """The columns asked for in the URL (`columns=a,b`), else the user's choice, else the defaults."""
    raw = request.GET.get("columns")
    if raw is not None:
        keys = [key.strip() for key in raw.split(",") if key.strip()]
        unknown = [key for key in keys if key not in COLUMNS]
        if unknown:
            notices.append(f"Unknown column {', '.join(repr(k[:40]) for k in unknown[:5])}: it was left out.")
        if any(key in COLUMNS for key in keys):
            return in_order(keys)
    preference = ColumnPreference.objects.filter(user=request.user).first() if request.user.is_authenticated else None
    if preference is not None and any(key in COLUMNS for key in preference.columns):
        return in_order([key for key in preference.columns if key in COLUMNS])
    return list(DEFAULT_COLUMNS)


@require_POST
def choose_columns(request: HttpRequest) -> HttpResponse:
    """Remembers the chosen columns for this user and shows them, in a URL that can be shared."""
    target = _safe_next(request)
    query = QueryDict(urlsplit(target).query, mutable=True)
    query.pop("page", None)
    if "reset" in request.POST:
        ColumnPreference.objects.filter(user=request.user).delete()
        query.pop("columns", None)
    else:
        chosen = in_order([key for key in request.POST.getlist("columns") if key in COLUMNS])
        ColumnPreference.objects.update_or_create(user=request.user, defaults={"columns": chosen})
        query["columns"] = ",".join(chosen)
    return redirect(reverse("agent-list") + ("?" + query.urlencode() if query else ""))


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return reverse("agent-list")
    return target


def _per_page(request: HttpRequest, notices: list[str]) -> int:
    raw = request.GET.get("per_page")
    if raw is None:
        return DEFAULT_PER_PAGE
    if raw.isdigit() and int(raw) in PER_PAGE_CHOICES:
        return int(raw)
    choices = ", ".join(str(choice) for choice in PER_PAGE_CHOICES)
    notices.append(f"{raw[:20]!r} is not a page size ({choices}): showing {DEFAULT_PER_PAGE} per page.")
    return DEFAULT_PER_PAGE


def _sort(request: HttpRequest, notices: list[str], hidden: frozenset[str]) -> list[str]:
    raw = request.GET.get("sort", "")
    aliases = [alias.strip() for alias in raw.split(",") if alias.strip()]
    # A hidden field cannot sort either: the order would tell its values.
    unknown = [alias for alias in aliases if alias.lstrip("-") not in COLUMNS or alias.lstrip("-") in hidden]
    if unknown:
        notices.append(f"Cannot sort by {', '.join(repr(a[:40]) for a in unknown)}: that sort was ignored.")
    return [alias for alias in aliases if alias not in unknown]


def _page(request: HttpRequest, count: int, per_page: int, notices: list[str]) -> int:
    raw = request.GET.get("page")
    last = max(1, math.ceil(count / per_page))
    if raw is None:
        return 1
    if not raw.isdigit() or int(raw) < 1:
        notices.append(f"{raw[:20]!r} is not a page number: showing the first page.")
        return 1
    if int(raw) > last:
        notices.append(f"There is no page {int(raw):,}: showing the last page, {last:,}.")
        return last
    return int(raw)


@require_GET
def agent_detail(request: HttpRequest, agent_id: str) -> HttpResponse:
    snapshot = get_snapshot()
    back = _back(request)
    hidden = hidden_fields(request.user)
    agent = snapshot.get(agent_id)
    if agent is None:
        return render(
            request,
            "agents/not_found.html",
            {
                "snapshot": snapshot,
                "agent_id": agent_id,
                "back": back,
                **_history(agent_id, hidden),
            },
            status=404,
        )
    outline, flow_nodes = flow_outline(agent.flow)
    findings = snapshot.index.findings_of(agent)
    voice_name = snapshot.voice_name(agent.voice_id)
    agent = redact(agent, hidden)
    return render(
        request,
        "agents/detail.html",
        {
            "snapshot": snapshot,
            "agent": agent,
            "back": back,
            "flow_outline": outline,
            "flow_nodes": flow_nodes,
            "problems": [problem for problem in snapshot.problems if problem.agent_id == agent.id],
            "findings": findings,
            "voice_name": voice_name,
            "share_days": SHARE_DAYS,
            **_history(agent.id, hidden),
        },
    )


def _back(request: HttpRequest) -> str:
    """The agent list as the user last left it."""
    back = reverse("agent-list")
    if request.session.get(LIST_QUERY_SESSION_KEY):
        back += "?" + request.session[LIST_QUERY_SESSION_KEY]
    return back


def _history(agent_id: str, hidden: frozenset[str]) -> dict[str, Any]:
    """The agent's timeline for `history/timeline.html`, hidden fields withheld."""
    entries, total = timeline(agent_id, hidden=hidden_upstream_keys(hidden))
    return {
        "history": entries,
        "history_total": total,
        "history_agent_id": agent_id,
        "coverage": history_coverage(),
    }


@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    return render(request, "agents/problems.html", {"snapshot": snapshot})


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    require(request.user, REFRESH)
    try:
        outcome = refresh_snapshot()
    except (OpenCXError, SnapshotUnavailable) as error:
        messages.error(request, f"Refresh failed. {error}")
    else:
        if outcome.reused:
            age = (timezone.now() - outcome.snapshot.fetched_at).total_seconds()
            messages.info(
                request, f"The data was read from OpenCX {age:.0f} s ago, so it was reused rather than asked for again."
            )
        else:
            messages.success(request, f"Refreshed: {len(outcome.snapshot.agents):,} agents read from OpenCX just now.")
    return redirect(_safe_next(request))


@require_GET
def agent_compare(request: HttpRequest) -> HttpResponse:
    """Two to four agents side by side (`?id=…&id=…`), the fields that differ highlighted."""
    snapshot = get_snapshot()
    notices = []
    wanted = list(dict.fromkeys(request.GET.getlist("id")))
    missing = [agent_id for agent_id in wanted if snapshot.get(agent_id) is None]
    if missing:
        shown = ", ".join(repr(agent_id[:60]) for agent_id in missing[:5])
        notices.append(f"Not in the current data, so left out: {shown}.")
    hidden = hidden_fields(request.user)
    agents = [redact(snapshot.get(agent_id), hidden) for agent_id in wanted if agent_id not in missing]
    if len(agents) > MAX_AGENTS:
        notices.append(f"At most {MAX_AGENTS} agents compare side by side: showing the first {MAX_AGENTS}.")
        agents = agents[:MAX_AGENTS]
    only_differences = request.GET.get("only") == "differences"
    comparable = len(agents) >= MIN_AGENTS
    rows = compare_rows(agents, snapshot.voice_names, hidden) if comparable else []
    return render(
        request,
        "agents/compare.html",
        {
            "snapshot": snapshot,
            "agents": agents,
            "notices": notices,
            "rows": [row for row in rows if row.differs] if only_differences else rows,
            "differing": sum(row.differs for row in rows),
            "only_differences": only_differences,
            "comparable": comparable,
            "min_agents": MIN_AGENTS,
            "max_agents": MAX_AGENTS,
            "back": _back(request),
        },
    )
