"""The Refresh button: read OpenCX now."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils import timezone
from django.views.decorators.http import require_POST

from dashboard.access.readers import reader
from dashboard.opencx.errors import OpenCXError
from dashboard.snapshots.service import RefreshRefused, SnapshotUnavailable, refresh_snapshot

from .lists import safe_next


@require_POST
def refresh(request: HttpRequest) -> HttpResponse:
    me = reader(request)
    me.require(me.can_refresh)
    # Staff may read again before the back-off after failures ends ("Read now anyway").
    force = me.is_staff and request.POST.get("force") == "1"
    try:
        outcome = refresh_snapshot(me.org, force=force)
    except RefreshRefused as refused:
        messages.info(request, str(refused))
    except (OpenCXError, SnapshotUnavailable) as error:
        messages.error(request, f"Refresh failed. {error}")
    else:
        if outcome.reused:
            age = (timezone.now() - outcome.snapshot.fetched_at).total_seconds()
            messages.info(
                request, f"The data was read from OpenCX {age:.0f} s ago, so it was reused rather than asked for again."
            )
        else:
            messages.success(request, f"Refreshed: {len(outcome.snapshot.agents):,} agents read from OpenCX just now.")
    return redirect(safe_next(request))
