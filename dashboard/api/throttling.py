"""A rate limit per API token (`API_REQUESTS_PER_MINUTE`), counted in the shared cache so it holds across workers."""

from typing import Any

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle


class TokenRateThrottle(SimpleRateThrottle):
    scope = "token"

    def get_rate(self) -> str:
        return f"{settings.API_REQUESTS_PER_MINUTE}/min"

    def get_cache_key(self, request: Any, view: Any) -> str | None:
        token = getattr(request, "auth", None)
        return None if token is None else f"switchboard:api:throttle:{token.pk}"
