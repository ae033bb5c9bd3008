"""Turns "no agent data at all" into a clear 503 page instead of a server error."""

import math
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from dashboard.orgs.registry import NoOrganization, Org, OrganizationNeeded

from .service import SnapshotUnavailable, upstream_status

MIN_RETRY, DEFAULT_RETRY, MAX_RETRY = 5, 15, 300


class UpstreamErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SnapshotUnavailable):
            seconds = retry_in(getattr(request, "org", None))
            response = render(
                request, "errors/upstream.html", {"reason": str(exception), "retry_in": seconds}, status=503
            )
            response["Retry-After"] = str(seconds)
            return response
        return None


def retry_in(org: Org | None = None) -> int:
    """Seconds until the organization's OpenCX is asked again (its back-off), within 5 s to 5 minutes;
    15 s when unknown (a page of no one organization, when there are several)."""
    try:
        retry_at = upstream_status(org).next_retry
    except (OrganizationNeeded, NoOrganization):
        return DEFAULT_RETRY
    if retry_at is None:
        return DEFAULT_RETRY
    return min(MAX_RETRY, max(MIN_RETRY, math.ceil((retry_at - timezone.now()).total_seconds())))
