"""Turns "no agent data at all" into a clear 503 page instead of a server error."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from .service import SnapshotUnavailable


class UpstreamErrorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, SnapshotUnavailable):
            response = render(request, "errors/upstream.html", {"reason": str(exception)}, status=503)
            response["Retry-After"] = "15"
            return response
        return None
