from typing import Any

from django.conf import settings
from django.http import HttpRequest

from .readers import reader


def switchboard(request: HttpRequest) -> dict[str, Any]:
    """`reader` (views of a share link put theirs in the context instead) and `demo_mode`."""
    return {"reader": reader(request), "demo_mode": settings.DEMO_MODE}
