"""Errors as JSON: DRF's own, and "no data yet" (503 with Retry-After) instead of the HTML error page."""

from typing import Any

from rest_framework.response import Response
from rest_framework.views import exception_handler

from dashboard.snapshots.raw import RawRecordsUnavailable
from dashboard.snapshots.service import SnapshotUnavailable

RETRY_AFTER = "15"


def handle(exception: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exception, SnapshotUnavailable | RawRecordsUnavailable):
        return Response({"detail": str(exception)}, status=503, headers={"Retry-After": RETRY_AFTER})
    return exception_handler(exception, context)
