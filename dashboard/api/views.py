"""The read-only API: agents (the list's filters, search and sort), one agent, findings, changes, status.

Every view reads as the token's owner (`reader_for_user`): their role's hidden fields are left
out of every answer, and may not be filtered, searched or sorted by, as on the pages. Every use
is audited and counted against the owner's rate limit (per person, not per token).
"""

import math
from typing import Any

from django.http import QueryDict
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dashboard.access.audit import record_event
from dashboard.access.models import AuditEvent
from dashboard.access.readers import Reader, reader
from dashboard.agents.across import snapshot_for
from dashboard.agents.findings import SEVERITIES
from dashboard.agents.fleet_findings import at_least, rule_outcomes
from dashboard.agents.listing import ListParameters, filtered_agents, sortable_columns
from dashboard.fields import active_registry
from dashboard.fields.kinds import utc_iso
from dashboard.history.coverage import history_coverage
from dashboard.history.filters import ChangeFilterForm
from dashboard.history.models import AgentChange
from dashboard.snapshots.service import get_snapshot, upstream_status

from . import schema
from .authentication import BearerTokenAuthentication
from .bodies import agent_body, change_body, finding_body, snapshot_body
from .renderers import FastJSONRenderer
from .throttling import PersonRateThrottle

API_PAGE_SIZES = (25, 50, 100, 250, 500)


class APIListParameters(ListParameters):
    """The list's parameters, with the bigger pages a script wants."""

    page_sizes = API_PAGE_SIZES
    default_page_size = 100


class ReadOnlyAPIView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes = [IsAuthenticated]
    throttle_classes = [PersonRateThrottle]
    renderer_classes = [FastJSONRenderer]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)  # authenticates, checks and throttles, or raises
        token = request.auth
        record_event(
            request,
            AuditEvent.API,
            f"{request.method} {request.get_full_path()[:1800]} with token “{token.name}” (#{token.pk})",
        )

    def reader(self, request: Request) -> Reader:
        """The token's owner, in the organization of the URL (/o/<slug>/api/v1/…) or the one they see."""
        return reader(request._request)


def _paged(request: Request, parameters: ListParameters, count: int) -> tuple[slice, dict[str, Any]]:
    """Which results this page holds, and what the answer says of the paging (links to the pages either side)."""
    per_page = parameters.page_size
    page = parameters.page_number(count, per_page)
    pages = max(1, math.ceil(count / per_page))

    def link(number: int) -> str | None:
        if not 1 <= number <= pages:
            return None
        query = request.query_params.copy()
        query["page"] = str(number)
        return request.build_absolute_uri(f"{request.path}?{query.urlencode()}")

    body = {"count": count, "page": page, "pages": pages, "per_page": per_page, "next": link(page + 1)}
    return slice((page - 1) * per_page, page * per_page), {**body, "previous": link(page - 1)}


class AgentListView(ReadOnlyAPIView):
    @extend_schema(
        summary="Agents",
        operation_id="list_agents",
        description=(
            "The agents the list page's filters, search and sort select, a page at a time, each under OpenCX's "
            "own field names with the values OpenCX sent. A parameter that cannot apply is ignored, as on the "
            "list page, and said in `notices`."
        ),
        parameters=schema.agent_list_parameters(),
        responses={200: schema.AgentPage, 401: schema.Problem, 429: schema.Problem},
    )
    def get(self, request: Request) -> Response:
        me = self.reader(request)
        snapshot = snapshot_for(me)
        query: QueryDict = request.query_params
        parameters = APIListParameters(query, sortable=sortable_columns(me))
        rows, form = filtered_agents(snapshot, me, query, parameters.sort_keys)
        shown, paging = _paged(request, parameters, len(rows))
        return Response(
            {
                "snapshot": snapshot_body(snapshot),
                **paging,
                "notices": [*form.ignored(), *parameters.notices],
                "results": [agent_body(request, snapshot, agent, me) for agent in rows.data[shown]],
            }
        )


class AgentDetailView(ReadOnlyAPIView):
    @extend_schema(
        summary="One agent",
        operation_id="get_agent",
        description="One agent as OpenCX sent it, with its findings and what could not be read of it.",
        responses={200: schema.AgentDetail, 401: schema.Problem, 404: schema.Problem},
    )
    def get(self, request: Request, agent_id: str) -> Response:
        me = self.reader(request)
        snapshot = get_snapshot(me.org)
        agent = snapshot.get(agent_id)
        if agent is None:
            raise NotFound("No agent with this id in the current data.")
        registry = active_registry()
        problems = [
            {"field": problem.field, "message": problem.message}
            for problem in snapshot.problems
            if problem.agent_id == agent.id and registry.canonical(problem.field or "") not in me.hidden
        ]
        return Response(
            {"snapshot": snapshot_body(snapshot), **agent_body(request, snapshot, agent, me), "problems": problems}
        )


class FindingListView(ReadOnlyAPIView):
    @extend_schema(
        summary="Findings",
        operation_id="list_findings",
        description="Every configuration rule with its severity, whether it is on, how many agents it flags and which.",
        parameters=schema.finding_parameters(),
        responses={200: schema.FindingList, 401: schema.Problem},
    )
    def get(self, request: Request) -> Response:
        snapshot = snapshot_for(self.reader(request))
        severity = request.query_params.get("severity")
        wanted = at_least(severity) if severity in SEVERITIES else set(SEVERITIES)
        notices = [] if severity in (None, "", *SEVERITIES) else [f"{severity[:20]!r} is not a severity: ignored."]
        outcomes = [
            outcome
            for outcome in rule_outcomes(
                snapshot, self.reader(request).hidden, every_org=self.reader(request).sees_every_org
            )
            if outcome.rule.severity in wanted
        ]
        return Response(
            {"snapshot": snapshot_body(snapshot), "notices": notices, "findings": [finding_body(o) for o in outcomes]}
        )


class ChangeListView(ReadOnlyAPIView):
    @extend_schema(
        summary="Changes",
        operation_id="list_changes",
        description=(
            "Recorded changes, newest first, chosen as on the Changes page (the last 24 hours unless told "
            "otherwise). Values of fields hidden from your role are left out; their names are kept."
        ),
        parameters=schema.change_parameters(),
        responses={200: schema.ChangePage, 401: schema.Problem},
    )
    def get(self, request: Request) -> Response:
        me = self.reader(request)
        snapshot = get_snapshot(me.org)
        form = ChangeFilterForm(request.query_params)
        form.is_valid()
        now = timezone.now()
        since, until = form.window(now)
        changes = form.apply(AgentChange.objects.filter(org=snapshot.org), now)
        parameters = APIListParameters(request.query_params, sortable=())
        shown, paging = _paged(request, parameters, changes.count())
        hidden_keys = me.hidden_keys
        return Response(
            {
                "snapshot": snapshot_body(snapshot),
                "since": utc_iso(since) if since else None,
                "until": utc_iso(until) if until else None,
                **paging,
                "notices": [*form.ignored(), *parameters.notices],
                "results": [change_body(change, hidden_keys) for change in changes[shown]],
            }
        )


class StatusView(ReadOnlyAPIView):
    @extend_schema(
        summary="Status",
        operation_id="get_status",
        description="How reading OpenCX goes, as readiness says it; staff also get the last failure's reason.",
        responses={200: schema.Status, 401: schema.Problem},
    )
    def get(self, request: Request) -> Response:
        me = self.reader(request)
        snapshot = get_snapshot(me.org)
        figures = upstream_status(me.org)
        coverage = history_coverage(snapshot.org)
        return Response(
            {
                "snapshot": snapshot_body(snapshot),
                "status": "stale" if figures.failing else "ok",
                "failing": figures.failing,
                "consecutive_failures": figures.consecutive_failures,
                "last_failure_at": utc_iso(figures.last_failure_at) if figures.last_failure_at else None,
                "last_failure_reason": figures.last_failure_reason if me.is_staff else None,
                "next_retry": utc_iso(figures.next_retry) if figures.next_retry else None,
                "refreshing": figures.refreshing,
                "calls_last_minute": figures.calls_last_minute,
                "call_budget": figures.call_budget,
                "history": {
                    "enabled": coverage.enabled,
                    "began_at": utc_iso(coverage.began_at) if coverage.began_at else None,
                    "retention_days": coverage.retention_days,
                },
            }
        )
