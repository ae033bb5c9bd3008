"""Start-up checks of the access settings (run by `manage.py check`, `migrate`, `runserver` and the WSGI start)."""

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from dashboard.fields import active_registry


@register(Tags.security)
def check_sensitive_fields(app_configs: Any = None, **kwargs: Any) -> list[Any]:
    registry = active_registry()
    messages: list[Any] = []
    for name in settings.SENSITIVE_FIELDS:
        field = registry.field(name)
        if field is not None and not field.may_be_sensitive:
            messages.append(
                Error(
                    f"SENSITIVE_FIELDS names {name}, which identifies an agent and cannot be hidden.",
                    hint="Leave it out; every other field of an agent can be made sensitive.",
                    id="switchboard.E010",
                )
            )
        elif field is None:
            known = ", ".join(f.name for f in registry.fields if f.may_be_sensitive)
            messages.append(
                Warning(
                    f"SENSITIVE_FIELDS names {name}, which is not a field this dashboard knows: it will be "
                    "hidden if OpenCX sends it, but check the spelling.",
                    hint=f"Known fields: {known}.",
                    id="switchboard.W011",
                )
            )
    return messages
