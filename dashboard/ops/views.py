"""The upstream's health for staff: the status page (machines read /readyz, `probes.py`)."""

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from dashboard.access.audit import record_event
from dashboard.access.models import AuditEvent
from dashboard.access.readers import reader
from dashboard.demo.server import FAULTS
from dashboard.demo.upstream import demo_fault_in_force
from dashboard.digests.delivery import failing_count
from dashboard.opencx.errors import OpenCXError
from dashboard.snapshots import service, shrink_guard
from dashboard.snapshots.service import SnapshotUnavailable, upstream_status


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    me = reader(request)
    me.require(me.is_staff)
    if me.org is None:  # several organizations: each one's state, each linking to its own page
        statuses = [upstream_status(org) for org in me.orgs]
        return render(request, "ops/organizations.html", {"statuses": statuses, "failing_deliveries": failing_count()})
    fault, origin = demo_fault_in_force(me.org.slug) if settings.DEMO_MODE else (None, "")
    return render(
        request,
        "status.html",
        {
            "status": upstream_status(me.org),
            "faults": FAULTS,
            "demo_fault": fault,
            "demo_fault_origin": origin,
            "demo_fault_started": settings.DEMO_FAULT,
            "failing_deliveries": failing_count(),
            "held": shrink_guard.current(me.org.slug),
        },
    )


@require_POST
def accept_held_read(request: HttpRequest) -> HttpResponse:
    """Staff: put in service the read the shrink guard held back (removals are then recorded), audited."""
    me = reader(request)
    me.require(me.is_staff)
    try:
        outcome = service.accept_held_read(me.org)
    except (OpenCXError, SnapshotUnavailable) as error:
        messages.error(request, f"Nothing was accepted. {error}")
    else:
        agents = len(outcome.snapshot.agents)
        record_event(
            request,
            AuditEvent.HELD_READ_ACCEPTED,
            f"{outcome.snapshot.org}: {agents:,} agents, read {outcome.snapshot.fetched_at}",
        )
        messages.success(request, f"Accepted: the {agents:,} agents OpenCX answered with are now in service.")
    return redirect("status")
