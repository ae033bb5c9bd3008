"""The demo account: `demo`/`demo` exists in demo mode only, with the Operator and Staff roles.

It is created after migrations in demo mode and deleted after migrations otherwise (with the
share links it made), so a database that once ran the demo never keeps a known password once a
real token is configured. `checks.py` refuses to serve outside demo mode while any active account
still has the demo password.

With DEBUG off (a public demo) every visitor is this one account: `middleware.PublicDemoGuard`
lets it browse everything but change nothing another visitor would see.
"""

import contextlib
import hashlib
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX, check_password
from django.contrib.auth.models import Group
from django.core.cache import cache

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


def is_public_demo() -> bool:
    """Demo mode served with DEBUG off: on the internet, where every visitor is the demo account."""
    return settings.DEMO_MODE and not settings.DEBUG


def is_shared_demo_account(user: Any) -> bool:
    return getattr(user, "is_authenticated", False) and user.email == DEMO_EMAIL


def accounts_with_the_demo_password(using: str = "default") -> list[str]:
    """Every active account that signs in with the demo password, whatever it is called.

    Checking a password costs a deliberate hash for each account, so each verdict is kept in the
    cache under a digest of the stored hash (which changes with the password): a start only hashes
    the accounts whose password it has not seen before."""
    User = get_user_model()
    candidates = (
        User.objects.db_manager(using)
        .filter(is_active=True)
        .exclude(password__startswith=UNUSABLE_PASSWORD_PREFIX)
        .only(User.USERNAME_FIELD, "password")
    )
    return [user.get_username() for user in candidates.iterator() if _is_demo_password(user.password)]


def _is_demo_password(encoded: str) -> bool:
    key = "switchboard:demo-password:" + hashlib.sha256(encoded.encode()).hexdigest()
    try:
        verdict = cache.get(key)
    except Exception:  # a cache that does not answer yet: hash, as without one
        verdict = None
    if verdict is None:
        verdict = check_password(DEMO_PASSWORD, encoded)  # no setter: a check never rewrites the hash
        with contextlib.suppress(Exception):  # a cache that does not answer: remembered next time
            cache.set(key, verdict, timeout=None)
    return verdict
