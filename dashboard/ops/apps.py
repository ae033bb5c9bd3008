import logging

from django.apps import AppConfig
from django.conf import settings
from django.core.signals import request_finished


class OpsConfig(AppConfig):
    name = "dashboard.ops"
    verbose_name = "Operations"

    def ready(self) -> None:
        # Python's warnings become log lines (logger py.warnings), in the log format like any other.
        logging.captureWarnings(True)
        request_finished.connect(_forget_request_id, dispatch_uid="ops-forget-request-id")
        if settings.SENTRY_DSN:
            from .error_reporting import start_error_reporting

            start_error_reporting()


def _forget_request_id(**kwargs: object) -> None:
    """Lines written after a response is closed belong to no request."""
    from dashboard.logs import request_id

    request_id.set(None)
