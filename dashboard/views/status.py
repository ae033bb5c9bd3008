"""The upstream's health: a status page for staff and a readiness endpoint for machines."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from dashboard.agents.service import upstream_status, warm_up
from dashboard.demo.server import FAULTS
from dashboard.demo.upstream import demo_fault, set_demo_fault
from dashboard.roles import STAFF_TOOLS, require


def _require_staff(request: HttpRequest) -> None:
    require(request.user, STAFF_TOOLS)


@require_GET
def status(request: HttpRequest) -> HttpResponse:
    _require_staff(request)
    return render(
        request,
        "status.html",
        {
            "status": upstream_status(),
            "faults": FAULTS,
            "demo_fault": demo_fault() if settings.DEMO_MODE else None,
        },
    )


@require_POST
def choose_demo_fault(request: HttpRequest) -> HttpResponse:
    """Staff, in demo mode only: make the demo's fake OpenCX misbehave, to watch the dashboard cope."""
    _require_staff(request)
    if not settings.DEMO_MODE:
        raise Http404("Faults can only be chosen for the demo upstream.")
    fault = request.POST.get("fault") or None
    if fault is not None and fault not in FAULTS:
        messages.error(request, "That is not a fault the demo upstream knows; nothing was changed.")
    else:
        set_demo_fault(fault)
        described = f"now {FAULTS[fault]}" if fault else "answers properly again"
        messages.success(request, f"The demo upstream {described}. Refresh to see how the dashboard copes.")
    return redirect("status")


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
