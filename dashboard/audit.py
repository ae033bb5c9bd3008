"""The audit log: sign-ins, failed and refused sign-ins, share links and exports, for staff to read."""

from typing import Any

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.dispatch import receiver
from django.http import HttpRequest

from dashboard.models import AuditEvent


def client_ip(request: HttpRequest | None) -> str | None:
    # REMOTE_ADDR only: a forwarded header is whatever the client wrote unless a proxy is trusted.
    return request.META.get("REMOTE_ADDR") or None if request is not None else None


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
    # Django passes the credentials with the password already masked; only the name is kept.
    record_event(request, AuditEvent.SIGN_IN_FAILED, username=str(credentials.get("username", "")))
