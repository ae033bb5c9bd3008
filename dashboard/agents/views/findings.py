"""/findings/: every configuration rule, how many agents it flags, and a link to them."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from dashboard.snapshots.service import get_snapshot

from ..findings import RULES, SEVERITIES
from ..index import index_of


@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    snapshot = get_snapshot()
    flagged = index_of(snapshot).findings
    rules = sorted(RULES.values(), key=lambda found: (SEVERITIES.index(found.severity), found.id))
    rows = [
        {
            "rule": found,
            "enabled": found.id in flagged,
            "count": flagged[found.id].bit_count() if found.id in flagged else None,
            "url": reverse("agent-list") + "?" + urlencode({"finding": found.id}),
        }
        for found in rules
    ]
    unknown = sorted(set(settings.FINDINGS_DISABLED) - set(RULES))
    return render(request, "findings.html", {"snapshot": snapshot, "rows": rows, "unknown_disabled": unknown})
