"""Start-up checks of the demo settings."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register

from .server import FAULTS


@register()
def check_demo_fault(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    if settings.DEMO_FAULT and settings.DEMO_FAULT not in FAULTS:
        return [
            Error(
                f"DEMO_FAULT={settings.DEMO_FAULT!r} is not a known fault: use one of {', '.join(FAULTS)}.",
                id="switchboard.E020",
            )
        ]
    return []
