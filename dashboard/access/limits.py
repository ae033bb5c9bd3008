"""Sign-in limits: django-axes' database handler with a second, per-address limit.

Axes counts wrong passwords per account and client address together (`AXES_LOCKOUT_PARAMETERS`):
the SIGN_IN_FAILURE_LIMIT-th in a row locks that account from that address for
SIGN_IN_LOCKOUT_MINUTES, and a successful sign-in to that account from there clears its count.
On its own that would let one address try passwords across accounts without end (signing in to
its own account now and then), so one address is also refused once its wrong passwords for any
accounts within the lockout period reach SIGN_IN_ADDRESS_FAILURE_LIMIT. A successful sign-in
clears only its own account's count, never the other accounts' failures that make up this sum.

Both limits read axes' `AccessAttempt` rows, so lifting a lockout is deleting them: staff in the
admin (Axes → Access attempts), or `manage.py axes_reset_ip ADDRESS` / `axes_reset_username NAME`.
"""

from typing import Any

from axes.attempts import get_cool_off_threshold
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Sum
from django.http import HttpRequest


def address_failures(request: HttpRequest) -> int:
    """Wrong passwords from the request's address, for any accounts, within the lockout period."""
    address = getattr(request, "axes_ip_address", None)
    if not address:
        return 0
    attempts = AccessAttempt.objects.filter(ip_address=address, attempt_time__gte=get_cool_off_threshold(request))
    return attempts.aggregate(failures=Sum("failures_since_start"))["failures"] or 0


class SignInLimits(AxesDatabaseHandler):
    def is_locked(self, request: HttpRequest, credentials: dict[str, Any] | None = None) -> bool:
        if super().is_locked(request, credentials):
            return True
        return address_failures(request) >= settings.SIGN_IN_ADDRESS_FAILURE_LIMIT
