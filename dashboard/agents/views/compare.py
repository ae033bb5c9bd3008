"""/agents/compare/?id=…&id=…: two to four agents side by side, the fields that differ highlighted."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader
from dashboard.snapshots.service import get_snapshot

from ..compare import MAX_AGENTS, MIN_AGENTS, compare_rows
from ..listing import back_to_list


@require_GET
def agent_compare(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot(reader(request).org)
    me = reader(request)
    notices = []
    wanted = list(dict.fromkeys(request.GET.getlist("id")))
    missing = [agent_id for agent_id in wanted if snapshot.get(agent_id) is None]
    if missing:
        shown = ", ".join(repr(agent_id[:60]) for agent_id in missing[:5])
        notices.append(f"Not in the current data, so left out: {shown}.")
    agents = [snapshot.by_id[agent_id] for agent_id in wanted if agent_id not in missing]
    if len(agents) > MAX_AGENTS:
        notices.append(f"At most {MAX_AGENTS} agents compare side by side: showing the first {MAX_AGENTS}.")
        agents = agents[:MAX_AGENTS]
    only_differences = request.GET.get("only") == "differences"
    comparable = len(agents) >= MIN_AGENTS
    rows = compare_rows(agents, snapshot.value_context, me.hidden) if comparable else []
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
            "back": back_to_list(request),
        },
    )
