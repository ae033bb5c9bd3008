"""The upstream's health: a status page for staff and a readiness endpoint for machines."""

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader
from dashboard.demo.server import FAULTS
from dashboard.demo.upstream import demo_fault
from dashboard.digests.delivery import failing_count
from dashboard.snapshots.service import upstream_status, warm_up


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    me = reader(request)
    me.require(me.is_staff)
    return render(
        request,
        "status.html",
        {
            "status": upstream_status(),
            "faults": FAULTS,
            "demo_fault": demo_fault() if settings.DEMO_MODE else None,
            "failing_deliveries": failing_count(),
        },
    )


@login_not_required
@never_cache
@require_GET
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready when there is agent data to serve, stale or not. Never waits for OpenCX, but with no
    data yet it starts the first read in the background, so a fresh instance warms itself up."""
    warm_up()
    figures = upstream_status()
    age = figures.snapshot_age
    body = {
        "status": "unavailable" if age is None else "stale" if figures.failing else "ok",
        "snapshot_age_seconds": None if age is None else round(age.total_seconds(), 1),
        "agents": figures.agents,
        "failing": figures.failing,
        "consecutive_failures": figures.consecutive_failures,
        "next_retry": figures.next_retry.isoformat() if figures.next_retry else None,
        "calls_last_minute": figures.calls_last_minute,
        "call_budget": figures.call_budget,
    }
    return JsonResponse(body, status=503 if age is None else 200)
