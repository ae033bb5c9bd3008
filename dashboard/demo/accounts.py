"""The demo account: `demo`/`demo` exists in demo mode only, with the Operator and Staff roles.

It is created after migrations in demo mode and deleted after migrations otherwise (with the
share links it made), so a database that once ran the demo never keeps a known password once a
real token is configured. `checks.py` refuses to serve outside demo mode while an active account
still has the demo password.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db.models import Q

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 (the documented demo password, demo mode only)
# Marks the account as the demo's own, so a real user who happens to be called "demo" is left alone.
DEMO_EMAIL = "demo@switchboard.invalid"


def sync_demo_account(**kwargs: Any) -> None:
    User = get_user_model()
    using = kwargs.get("using", "default")
    users = User.objects.db_manager(using)
    if settings.DEMO_MODE:
        user, _ = users.get_or_create(username=DEMO_USERNAME, defaults={"email": DEMO_EMAIL})
        if user.email == DEMO_EMAIL:
            user.is_active = True
            user.set_password(DEMO_PASSWORD)
            user.save()
            # Every role's features, so the demo shows them all (sign in as a Viewer to see less).
            user.groups.add(*Group.objects.db_manager(using).filter(name__in=["Operator", "Staff"]))
    else:
        users.filter(username=DEMO_USERNAME, email=DEMO_EMAIL).delete()


def accounts_with_the_demo_password(using: str = "default") -> list[str]:
    """Active accounts that sign in with the demo password: the demo's own, or any called demo."""
    User = get_user_model()
    candidates = (
        User.objects.db_manager(using)
        .filter(is_active=True)
        .filter(Q(username__iexact=DEMO_USERNAME) | Q(email=DEMO_EMAIL))
    )
    return [user.get_username() for user in candidates if user.check_password(DEMO_PASSWORD)]
