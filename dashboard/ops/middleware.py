"""The outermost middleware: request ids for the logs, request latency for /metrics, and the probes."""

import re
import time
import uuid
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from dashboard import logs, metrics

# What an incoming X-Request-ID may look like to be kept (it goes into every log line).
REQUEST_ID = re.compile(r"[A-Za-z0-9._:@+=/-]{1,128}")


class RequestContextMiddleware:
    """Takes the proxy's `X-Request-ID` (or makes one), sets it for every log line of the request
    and returns it on the response; times the request by view for /metrics."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = incoming if REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        # Kept until the response is closed (`apps.py`), so Django's own lines about the
        # response, written after the middleware returns, carry it too.
        logs.request_id.set(request_id)
        started = time.perf_counter()
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        metrics.observe_request(
            _view_name(request), request.method or "", response.status_code, time.perf_counter() - started
        )
        return response


def _view_name(request: HttpRequest) -> str:
    probe = getattr(request, "probe", None)
    if probe is not None:
        return probe
    match = getattr(request, "resolver_match", None)
    return match.view_name if match is not None and match.view_name else "unmatched"


class ProbeMiddleware:
    """Answers /healthz, /readyz and /metrics before the host check, the HTTPS redirect and the
    sessions: a load balancer's probe by IP over plain HTTP gets JSON, not 400 or 301."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        from .metrics import metrics_view
        from .probes import healthz, readyz

        self.get_response = get_response
        self.probes: dict[str, tuple[str, Callable[[HttpRequest], HttpResponse]]] = {
            "/healthz": ("healthz", healthz),
            "/readyz": ("readyz", readyz),
            "/metrics": ("metrics", metrics_view),
        }

    def __call__(self, request: HttpRequest) -> HttpResponse:
        probe = self.probes.get(request.path_info)
        if probe is None:
            return self.get_response(request)
        name, view = probe
        request.probe = name  # type: ignore[attr-defined]
        return view(request)
