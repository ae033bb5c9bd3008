"""The upstream's health for staff: the status page (machines read /readyz, `probes.py`)."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader
from dashboard.demo.server import FAULTS
from dashboard.demo.upstream import demo_fault_in_force
from dashboard.digests.delivery import failing_count
from dashboard.snapshots.service import upstream_status


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    me = reader(request)
    me.require(me.is_staff)
    fault, origin = demo_fault_in_force() if settings.DEMO_MODE else (None, "")
    return render(
        request,
        "status.html",
        {
            "status": upstream_status(),
            "faults": FAULTS,
            "demo_fault": fault,
            "demo_fault_origin": origin,
            "demo_fault_started": settings.DEMO_FAULT,
            "failing_deliveries": failing_count(),
        },
    )
