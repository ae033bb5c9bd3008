"""/findings/: every configuration rule, how many agents it flags, and a link to them."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader

from ..across import snapshot_for
from ..findings import RULES
from ..fleet_findings import rule_outcomes


@require_GET
def finding_list(request: HttpRequest) -> HttpResponse:
    snapshot = snapshot_for(reader(request))
    rows = [
        {
            "rule": outcome.rule,
            "enabled": outcome.enabled,
            "count": outcome.count,
            "url": reverse("agent-list") + "?" + urlencode({"finding": outcome.rule.id}),
        }
        for outcome in rule_outcomes(snapshot, reader(request).hidden, every_org=reader(request).sees_every_org)
    ]
    unknown = sorted(set(settings.FINDINGS_DISABLED) - set(RULES))
    return render(request, "findings.html", {"snapshot": snapshot, "rows": rows, "unknown_disabled": unknown})
