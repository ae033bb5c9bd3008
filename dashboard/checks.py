"""Project-wide start-up checks: the environment the settings were read from.

`manage.py` commands and `runserver` run the system checks themselves (and `manage.py` stops
every command, those that skip the checks too, while the environment is wrong); the WSGI start
(`dashboard/wsgi.py`) runs them, the deployment checks included, through `stop_on_errors`, so
gunicorn does not serve with a configuration that makes no sense.
"""

from typing import Any

from django.conf import settings
from django.core.checks import Error, register, run_checks
from django.core.management.base import SystemCheckError


@register()
def check_environment(app_configs: Any = None, **kwargs: Any) -> list[Error]:
    messages = [Error(problem, id="switchboard.E001") for problem in settings.ENVIRONMENT_PROBLEMS]
    if settings.DATABASES["default"]["ENGINE"].endswith("sqlite3") and not settings.DATA_DIR.is_dir():
        messages.append(
            Error(
                f"DATA_DIR {settings.DATA_DIR} does not exist: create it (mkdir -p {settings.DATA_DIR}); "
                "`make run` does so for the default.",
                id="switchboard.E002",
            )
        )
    return messages


def stop_on_errors() -> None:
    """Raises SystemCheckError, listing them, when a system check (deployment checks included)
    reports an error."""
    found = run_checks(include_deployment_checks=True)
    serious = [message for message in found if message.is_serious() and not message.is_silenced()]
    if serious:
        raise SystemCheckError("Switchboard cannot start:\n" + "\n".join(str(message) for message in serious))
