"""Agent pages: the list, one agent's detail, the parse problems, and the Refresh action."""

import math

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from dashboard.agents.service import SnapshotUnavailable, get_snapshot, refresh_snapshot
from dashboard.filters import BOOLEAN_FILTERS, PRESENCE_FILTERS, RANGE_FILTERS, AgentFilterForm
from dashboard.opencx.errors import OpenCXError
from dashboard.opencx.flow import flow_outline
from dashboard.tables import DEFAULT_PER_PAGE, PER_PAGE_CHOICES, SORT_KEYS, AgentRows, AgentTable

LIST_QUERY_SESSION_KEY = "agent_list_query"
MORE_FILTERS = {*BOOLEAN_FILTERS, *PRESENCE_FILTERS, *(name for pair in RANGE_FILTERS for name in pair)}


@require_GET
def agent_list(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    form = AgentFilterForm(request.GET, snapshot=snapshot)
    rows = AgentRows(snapshot.index, form.mask)
    notices = form.ignored()

    per_page = _per_page(request, notices)
    sort = _sort(request, notices)
    table = AgentTable(rows, order_by=sort)
    table.paginate(page=_page(request, len(rows), per_page, notices), per_page=per_page)

    if request.session.get(LIST_QUERY_SESSION_KEY) != request.GET.urlencode():
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
        },
    )


def _per_page(request: HttpRequest, notices: list[str]) -> int:
    raw = request.GET.get("per_page")
    if raw is None:
        return DEFAULT_PER_PAGE
    if raw.isdigit() and int(raw) in PER_PAGE_CHOICES:
        return int(raw)
    choices = ", ".join(str(choice) for choice in PER_PAGE_CHOICES)
    notices.append(f"{raw[:20]!r} is not a page size ({choices}): showing {DEFAULT_PER_PAGE} per page.")
    return DEFAULT_PER_PAGE


def _sort(request: HttpRequest, notices: list[str]) -> list[str]:
    raw = request.GET.get("sort", "")
    aliases = [alias.strip() for alias in raw.split(",") if alias.strip()]
    unknown = [alias for alias in aliases if alias.lstrip("-") not in SORT_KEYS]
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
    back = reverse("agent-list")
    if request.session.get(LIST_QUERY_SESSION_KEY):
        back += "?" + request.session[LIST_QUERY_SESSION_KEY]
    agent = snapshot.get(agent_id)
    if agent is None:
        return render(
            request,
            "agents/not_found.html",
            {"snapshot": snapshot, "agent_id": agent_id, "back": back},
            status=404,
        )
    outline, flow_nodes = flow_outline(agent.flow)
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
        },
    )


@require_GET
def problem_list(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    return render(request, "agents/problems.html", {"snapshot": snapshot})


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
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
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = reverse("agent-list")
    return redirect(target)
