"""/: the overview, the site's front page."""

from datetime import timedelta

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader
from dashboard.history.models import AgentChange
from dashboard.snapshots.service import get_snapshot

from ..index import index_of
from ..overview import breakdowns

RECENT = timedelta(hours=24)


@require_GET
def overview(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    index = index_of(snapshot)
    flagged = 0
    findings = index.visible_findings(reader(request).hidden)
    for mask in findings.values():
        flagged |= mask
    return render(
        request,
        "overview.html",
        {
            "snapshot": snapshot,
            "breakdowns": breakdowns(index, reader(request).hidden),
            "findings_open": sum(mask.bit_count() for mask in findings.values()),
            "agents_flagged": flagged.bit_count(),
            "recent_changes": AgentChange.objects.filter(recorded_at__gte=timezone.now() - RECENT).count(),
        },
    )
