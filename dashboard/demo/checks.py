"""Start-up checks of the demo settings."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register
from django.db import DatabaseError

from .accounts import accounts_with_the_demo_password
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


@register(Tags.security, deploy=True)
def check_no_demo_password(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    """Outside demo mode no active account may sign in with the demo password (`check --deploy`
    and the WSGI start run this; `migrate` deletes the demo's own account)."""
    if settings.DEMO_MODE:
        return []
    try:
        found = accounts_with_the_demo_password()
    except DatabaseError:
        return []  # no tables yet, or no database: nothing to sign in to
    return [
        Error(
            f"The account {username!r} is active and signs in with the demo password, outside demo mode.",
            hint="Run `manage.py migrate` (which deletes the demo's own account), or give it another password "
            f"(`manage.py changepassword {username}`), or delete it.",
            id="switchboard.E021",
        )
        for username in found
    ]
