"""/agents/<id>/: every field of one agent, grouped, its findings, its history and its record as sent."""

import json
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access.readers import Reader, reader
from dashboard.fields import active_registry
from dashboard.history.coverage import history_coverage
from dashboard.history.diff import TimelineEntry, timeline
from dashboard.history.models import AgentChange
from dashboard.snapshots.raw import RawRecordsUnavailable, raw_record
from dashboard.snapshots.service import get_snapshot
from dashboard.snapshots.snapshot import Snapshot

from ..detail import detail_groups, detail_row
from ..ids import encode_agent_id
from ..index import index_of
from ..listing import SHARE_DAYS, back_to_list


@require_GET
def agent_detail(request: HttpRequest, agent_id: str) -> HttpResponse:
    return agent_page(request, reader(request), agent_id, back=back_to_list(request))


def agent_page(request: HttpRequest, reader: Reader, agent_id: str, *, back: str | None) -> HttpResponse:
    """One agent's page as `reader` may see it; a 404 page (with its history, if any) when it is gone."""
    snapshot = get_snapshot(reader.org)
    agent = snapshot.get(agent_id)
    if agent is None:
        history = _history(snapshot.org, agent_id, reader)
        return render(
            request,
            "agents/not_found.html",
            {
                "snapshot": snapshot,
                "reader": reader,
                "agent_id": agent_id,
                "back": back,
                **_removal(history["history"], snapshot, reader),
                **history,
            },
            status=404,
        )
    context = snapshot.value_context
    hidden = reader.hidden
    registry = active_registry()
    return render(
        request,
        "agents/detail.html",
        {
            "snapshot": snapshot,
            "reader": reader,
            "agent": agent,
            "back": back,
            "header": {name: detail_row(agent, name, context, hidden) for name in ("type", "model", "phone_number")},
            "groups": detail_groups(agent, context, hidden),
            "problems": [
                problem
                for problem in snapshot.problems
                if problem.agent_id == agent.id and registry.canonical(problem.field or "") not in hidden
            ],
            "findings": index_of(snapshot).findings_of(agent, hidden, every_org=reader.sees_every_org),
            # What the drift finding found ("missing in Staging"), from fields no role hides.
            "drift": index_of(snapshot).fleet.drift.get(agent.id),
            "share_days": SHARE_DAYS,
            **_raw_json(snapshot, agent.id, reader),
            **_history(snapshot.org, agent.id, reader),
        },
    )


def _raw_json(snapshot: Snapshot, agent_id: str, reader: Reader) -> dict[str, Any]:
    """The record as OpenCX sent it, pretty-printed, without the fields hidden from `reader`."""
    try:
        record = raw_record(snapshot, agent_id)
    except RawRecordsUnavailable:
        record = None
    if record is None:
        return {"raw_json": None, "raw_hidden": []}
    shown, withheld = reader.redacted(record)
    return {"raw_json": json.dumps(shown, indent=2, ensure_ascii=False), "raw_hidden": withheld}


@require_GET
def agent_json(request: HttpRequest, agent_id: str) -> HttpResponse:
    """/agents/<id>/json/: the record as OpenCX sent it, redacted for the reader, to download."""
    snapshot = get_snapshot(reader(request).org)
    if snapshot.get(agent_id) is None:
        raise Http404("No agent with this id in the current data.")
    raw = _raw_json(snapshot, agent_id, reader(request))["raw_json"]
    if raw is None:
        raise Http404("The record is being replaced by a newer read: reload in a moment.")
    response = HttpResponse(raw + "\n", content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="agent-{encode_agent_id(agent_id)}.json"'
    return response


def _removal(history: list[TimelineEntry], snapshot: Snapshot, reader: Reader) -> dict[str, Any]:
    """When the agent's newest recorded change is its removal: when, and its settings as last recorded."""
    change = history[0].change if history else None
    if change is None or change.kind != AgentChange.REMOVED or not isinstance(change.before, dict):
        return {"removed": None}
    last = active_registry().parse_record(change.before, 0, [])
    groups = detail_groups(last, snapshot.value_context, reader.hidden) if last is not None else []
    return {"removed": change, "last_known": last, "groups": groups}


def _history(org: str, agent_id: str, reader: Reader) -> dict[str, Any]:
    """The agent's timeline for `history/timeline.html`, hidden fields withheld."""
    entries, total = timeline(org, agent_id, hidden=reader.hidden_keys)
    return {
        "history": entries,
        "history_total": total,
        "history_agent_id": agent_id,
        "coverage": history_coverage(org),
    }
