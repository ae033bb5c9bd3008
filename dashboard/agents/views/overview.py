"""/: the overview, the site's front page."""

from dataclasses import dataclass
from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader
from dashboard.history.models import AgentChange

from ..across import snapshot_for
from ..findings import RULES, SEVERITIES
from ..index import FleetIndex, index_of
from ..overview import breakdowns

RECENT = timedelta(hours=24)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    snapshot = snapshot_for(reader(request))
    index = index_of(snapshot)
    hidden, every_org = reader(request).hidden, reader(request).sees_every_org
    return render(
        request,
        "overview.html",
        {
            "snapshot": snapshot,
            "breakdowns": breakdowns(index, hidden),
            "severities": by_severity(index, hidden, every_org=every_org),
            "recent_changes": AgentChange.objects.filter(
                org__in=[part.org for part in snapshot.parts] or [snapshot.org],
                recorded_at__gte=timezone.now() - RECENT,
            ).count(),
        },
    )


@dataclass(frozen=True, slots=True)
class SeverityCount:
    """The open findings of one severity: the agents they flag (what the link lists) and how many there are."""

    severity: str
    agents: int
    findings: int
    url: str


def by_severity(index: FleetIndex, hidden: frozenset[str], *, every_org: bool) -> list[SeverityCount]:
    """Per severity, the findings a reader who may not see `hidden` may see (the others would tell hidden values)."""
    findings = index.visible_findings(hidden, every_org=every_org)
    counts = []
    for severity in SEVERITIES:
        rules = [rule_id for rule_id in findings if RULES[rule_id].severity == severity]
        flagged = 0
        for rule_id in rules:
            flagged |= findings[rule_id]
        url = reverse("agent-list") + "?" + urlencode({"finding": rules}, doseq=True) if rules else ""
        counts.append(
            SeverityCount(severity, flagged.bit_count(), sum(findings[rule_id].bit_count() for rule_id in rules), url)
        )
    return counts
