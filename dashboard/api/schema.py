"""The API's OpenAPI description: response shapes (serializers used for the schema only) and the query
parameters, the agent filters drawn from the field registry so the schema names every one."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

from dashboard.agents.filters import FINDING_FILTER, NOT_SET
from dashboard.agents.findings import SEVERITIES
from dashboard.fields import active_registry
from dashboard.fields.kinds import Integer, Moment
from dashboard.fields.registry import Facet, Presence, Range, YesNo
from dashboard.history.filters import PERIOD_LABELS
from dashboard.history.models import AgentChange

QUERY = OpenApiParameter.QUERY


class Problem(serializers.Serializer):
    detail = serializers.CharField(help_text="What went wrong, in a sentence.")


class SnapshotInfo(serializers.Serializer):
    fetched_at = serializers.DateTimeField(help_text="When the data was read from OpenCX (UTC).")
    source = serializers.CharField(help_text="`demo`, or the OpenCX API's base URL.")
    stale = serializers.BooleanField(help_text="The last refresh failed: the data is older than it should be.")
    stale_reason = serializers.CharField(allow_null=True)
    agents = serializers.IntegerField(help_text="Agents in the snapshot.")
    problems = serializers.IntegerField(help_text="Records or fields that could not be read.")


class Agent(serializers.Serializer):
    id = serializers.CharField()
    url = serializers.URLField(help_text="This agent in the API.")
    page = serializers.URLField(help_text="This agent's page in the dashboard.")
    name = serializers.CharField(help_text="The agent's name, or “Unnamed agent <id>”.")
    fields = serializers.DictField(
        help_text="The record exactly as OpenCX sent it, under OpenCX's own keys, but the hidden ones."
    )
    hidden = serializers.ListField(
        child=serializers.CharField(), help_text="Keys left out of `fields` because your role does not show them."
    )
    names = serializers.DictField(
        child=serializers.DictField(child=serializers.CharField()),
        help_text="Names OpenCX gives the ids the record holds: `voices` and `actions`, id -> name.",
    )
    findings = serializers.ListField(child=serializers.CharField(), help_text="Ids of the rules that flag it.")


class ReadProblem(serializers.Serializer):
    field = serializers.CharField(allow_null=True)
    message = serializers.CharField()


class AgentDetail(Agent):
    snapshot = SnapshotInfo()
    problems = ReadProblem(many=True)


class Page(serializers.Serializer):
    snapshot = SnapshotInfo()
    count = serializers.IntegerField(help_text="How many match, on every page.")
    page = serializers.IntegerField()
    pages = serializers.IntegerField()
    per_page = serializers.IntegerField()
    next = serializers.URLField(allow_null=True, help_text="The next page; null on the last.")
    previous = serializers.URLField(allow_null=True)
    notices = serializers.ListField(child=serializers.CharField(), help_text="Parameters that were ignored, and why.")


class AgentPage(Page):
    results = Agent(many=True)


class Finding(serializers.Serializer):
    id = serializers.CharField()
    severity = serializers.ChoiceField(choices=SEVERITIES)
    explanation = serializers.CharField()
    remedy = serializers.CharField()
    enabled = serializers.BooleanField(help_text="False when FINDINGS_DISABLED switches it off.")
    count = serializers.IntegerField(allow_null=True)
    agent_ids = serializers.ListField(child=serializers.CharField())


class FindingList(serializers.Serializer):
    snapshot = SnapshotInfo()
    notices = serializers.ListField(child=serializers.CharField())
    findings = Finding(many=True)


class Change(serializers.Serializer):
    id = serializers.IntegerField()
    recorded_at = serializers.DateTimeField()
    agent_id = serializers.CharField()
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=[kind for kind, _ in AgentChange.KINDS])
    fields = serializers.ListField(child=serializers.CharField(), help_text="OpenCX keys of the fields that changed.")
    before = serializers.DictField(allow_null=True, help_text="The values before (the whole record when removed).")
    after = serializers.DictField(allow_null=True, help_text="The values after (the whole record when added).")
    hidden = serializers.ListField(child=serializers.CharField(), help_text="Keys whose values were left out.")


class ChangePage(Page):
    since = serializers.DateTimeField(allow_null=True)
    until = serializers.DateTimeField(allow_null=True)
    results = Change(many=True)


class History(serializers.Serializer):
    enabled = serializers.BooleanField()
    began_at = serializers.DateTimeField(allow_null=True)
    retention_days = serializers.IntegerField()


class Status(serializers.Serializer):
    snapshot = SnapshotInfo()
    status = serializers.ChoiceField(choices=["ok", "stale"])
    failing = serializers.BooleanField()
    consecutive_failures = serializers.IntegerField()
    last_failure_at = serializers.DateTimeField(allow_null=True)
    last_failure_reason = serializers.CharField(allow_null=True, help_text="Staff only; null for others.")
    next_retry = serializers.DateTimeField(allow_null=True)
    refreshing = serializers.BooleanField()
    calls_last_minute = serializers.IntegerField()
    call_budget = serializers.IntegerField()
    history = History()


def _paging(sizes: str) -> list[OpenApiParameter]:
    return [
        OpenApiParameter("page", OpenApiTypes.INT, QUERY, description="The page number, from 1."),
        OpenApiParameter("per_page", OpenApiTypes.INT, QUERY, description=f"Results a page: {sizes}."),
    ]


def agent_list_parameters() -> list[OpenApiParameter]:
    """`q`, every filter the registry declares, `finding`, `sort` and the paging, as the list page reads them."""
    parameters = [
        OpenApiParameter("q", OpenApiTypes.STR, QUERY, description="Search, case-insensitive, over every text field."),
        OpenApiParameter(
            FINDING_FILTER, {"type": "array", "items": {"type": "string"}}, QUERY, description="Rule ids (any of)."
        ),
    ]
    for field, declared in active_registry().filters:
        if isinstance(declared, Facet):
            parameters.append(
                OpenApiParameter(
                    declared.parameter,
                    {"type": "array", "items": {"type": "string"}},
                    QUERY,
                    description=f"{declared.label}: any of these values; `{NOT_SET}` for not set.",
                )
            )
        elif isinstance(declared, YesNo | Presence):
            choices = ["yes", "no", "unset"] if isinstance(declared, YesNo) else ["set", "unset"]
            parameters.append(
                OpenApiParameter(declared.parameter, str, QUERY, enum=choices, description=declared.label)
            )
        elif isinstance(declared, Range):
            kind = (
                OpenApiTypes.DATE
                if isinstance(field.kind, Moment)
                else OpenApiTypes.INT
                if isinstance(field.kind, Integer)
                else OpenApiTypes.NUMBER
            )
            for name, side in ((declared.low, "at least"), (declared.high, "at most")):
                parameters.append(OpenApiParameter(name, kind, QUERY, description=f"{declared.label}, {side}."))
    parameters.append(
        OpenApiParameter(
            "sort",
            OpenApiTypes.STR,
            QUERY,
            description="Column keys, comma-separated, `-` first for descending (`-updated_at,name`).",
        )
    )
    return parameters + _paging("25, 50, 100 (default), 250 or 500")


def finding_parameters() -> list[OpenApiParameter]:
    return [OpenApiParameter("severity", str, QUERY, enum=list(SEVERITIES), description="This severity or worse.")]


def change_parameters() -> list[OpenApiParameter]:
    return [
        OpenApiParameter("period", str, QUERY, enum=list(PERIOD_LABELS), description="Default: 24h."),
        OpenApiParameter("since", OpenApiTypes.DATETIME, QUERY, description="From (UTC); wins over `period`."),
        OpenApiParameter("until", OpenApiTypes.DATETIME, QUERY, description="To (UTC)."),
        OpenApiParameter("field", OpenApiTypes.STR, QUERY, description="An OpenCX field key, e.g. `instructions`."),
        OpenApiParameter("agent", OpenApiTypes.STR, QUERY, description="An agent id, or part of a name."),
        OpenApiParameter("kind", str, QUERY, enum=[kind for kind, _ in AgentChange.KINDS]),
        *_paging("25, 50, 100 (default), 250 or 500"),
    ]
