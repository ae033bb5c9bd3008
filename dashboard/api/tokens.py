"""Making, finding and revoking personal API tokens.

A token is `sbt_` + 32 random bytes (URL-safe base64): too long to guess, so it is stored as its
SHA-256 digest only and looked up by it. It is shown to its owner once, when it is made.
"""

import hashlib
import secrets
from datetime import timedelta
from typing import Any

from django.utils import timezone

from .models import APIToken

PREFIX = "sbt_"
EXPIRY_DAYS = (30, 90, 365)  # the choices the token page offers, besides "never"
LAST_USED_PRECISION = timedelta(minutes=1)  # `last_used_at` is written at most this often


def digest_of(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: Any, name: str, days: int | None = None) -> tuple[APIToken, str]:
    """A new token for `user`: its row, and the token itself (to show once)."""
    token = PREFIX + secrets.token_urlsafe(32)
    expires_at = timezone.now() + timedelta(days=days) if days else None
    row = APIToken.objects.create(
        user=user, name=name.strip()[:100], digest=digest_of(token), prefix=token[:12], expires_at=expires_at
    )
    return row, token


def find_token(presented: str) -> APIToken | None:
    """The active token presented, with its owner; None for a wrong, revoked or expired one."""
    if not presented.startswith(PREFIX) or len(presented) > 100:
        return None
    row = APIToken.objects.select_related("user").filter(digest=digest_of(presented)).first()
    if row is None or row.state != "active" or not row.user.is_active:
        return None
    now = timezone.now()
    if row.last_used_at is None or now - row.last_used_at >= LAST_USED_PRECISION:
        APIToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row


def revoke_token(row: APIToken) -> bool:
    """Revokes the token; False when it was revoked already."""
    if row.revoked_at is not None:
        return False
    row.revoked_at = timezone.now()
    row.save(update_fields=["revoked_at"])
    return True
