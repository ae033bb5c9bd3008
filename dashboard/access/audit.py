"""The audit log: sign-ins, failed and refused sign-ins, share links, exports and the organizations
staff edit in the admin, for staff to read."""

from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.exceptions import AxesBackendPermissionDenied
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from dashboard.orgs.signals import organization_edited

from .addresses import client_ip
from .models import AuditEvent

REFUSED_FLAG = "switchboard_sign_in_refused"


class AuditedAxesBackend(AxesStandaloneBackend):
    """django-axes' backend, marking the attempts it refuses (the account is locked, the password
    is never checked) so the audit log can tell them from wrong passwords."""

    def authenticate(self, request: HttpRequest, *args: Any, **kwargs: Any) -> None:
        try:
            return super().authenticate(request, *args, **kwargs)
        except AxesBackendPermissionDenied:
            setattr(request, REFUSED_FLAG, True)
            raise


def record_event(request: HttpRequest | None, action: str, detail: str = "", username: str | None = None) -> AuditEvent:
    user = getattr(request, "user", None)
    if username is None:
        username = user.get_username() if user is not None and user.is_authenticated else ""
    return AuditEvent.objects.create(
        action=action, username=username[:150], ip_address=client_ip(request), detail=detail[:2000]
    )


@receiver(user_logged_in, dispatch_uid="audit-sign-in")
def _signed_in(sender: Any, request: HttpRequest, user: Any, **kwargs: Any) -> None:
    record_event(request, AuditEvent.SIGN_IN, username=user.get_username())


@receiver(user_login_failed, dispatch_uid="audit-sign-in-failed")
def _sign_in_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    refused = getattr(request, REFUSED_FLAG, False)
    action = AuditEvent.SIGN_IN_REFUSED if refused else AuditEvent.SIGN_IN_FAILED
    # Django passes the credentials with the password masked; only the name is kept.
    record_event(request, action, username=str(credentials.get("username", "")))


ORGANIZATION_ACTIONS = {
    "created": AuditEvent.ORG_CREATED,
    "changed": AuditEvent.ORG_CHANGED,
    "deleted": AuditEvent.ORG_DELETED,
}


@receiver(organization_edited, dispatch_uid="audit-organization-edited")
def _organization_edited(sender: Any, request: HttpRequest | None, action: str, detail: str, **kwargs: Any) -> None:
    record_event(request, ORGANIZATION_ACTIONS[action], detail)
