"""The demo account: `demo`/`demo` exists in demo mode only, with the Operator and Staff roles.

It is created after migrations in demo mode and switched off after migrations otherwise, so a
database that once ran the demo never keeps a known password once a real token is configured.
"""

from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group

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
        users.filter(username=DEMO_USERNAME, email=DEMO_EMAIL).update(is_active=False, password=make_password(None))
