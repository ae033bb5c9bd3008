"""The demo's fault control on the status page: make the fake OpenCX misbehave, to watch the dashboard cope."""

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from dashboard.access.readers import reader

from .server import FAULTS
from .upstream import PRODUCTION, set_demo_fault


@require_POST
def choose_demo_fault(request: HttpRequest) -> HttpResponse:
    """Staff, in demo mode only."""
    me = reader(request)
    me.require(me.is_staff)
    if not settings.DEMO_MODE:
        raise Http404("Faults can only be chosen for the demo upstream.")
    fault = request.POST.get("fault") or None
    if fault is not None and fault not in FAULTS:
        messages.error(request, "That is not a fault the demo upstream knows; nothing was changed.")
    else:
        set_demo_fault(fault, me.org.slug if me.org else PRODUCTION)
        described = f"now {FAULTS[fault]}" if fault else "answers properly again"
        messages.success(request, f"The demo upstream {described}. Use “Refresh now” to see how the dashboard copes.")
    return redirect("status")
