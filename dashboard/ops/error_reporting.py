"""Error reporting to Sentry (sentry-sdk), on when SENTRY_DSN is set.

sentry-sdk's Django integration reports unhandled exceptions and ERROR log lines (with the lines
before them as breadcrumbs). Nothing sensitive leaves: no personal data (`send_default_pii`
off), sentry's scrubber drops fields with sensitive names (passwords, cookies, authorization
headers, tokens, secret keys) in every frame, and `scrub` replaces the values of the OpenCX API
token, the secret keys and the metrics token, any `Bearer …` credential and share-link tokens
wherever they still appear in an event, before it is sent.
"""

import re
from typing import Any

import sentry_sdk
from django.conf import settings
from sentry_sdk.scrubber import DEFAULT_DENYLIST, DEFAULT_PII_DENYLIST, EventScrubber

from dashboard.logs import mask_share_tokens

FILTERED = "[Filtered]"
DENYLIST = [
    *DEFAULT_DENYLIST,
    *DEFAULT_PII_DENYLIST,
    "opencx_api_token",
    "api_token",
    "metrics_token",
    "secret_key",
    "secret_key_fallbacks",
    "sentry_dsn",
    "csrfmiddlewaretoken",
]
BEARER = re.compile(r"(Bearer\s+)[^\s'\"]+", re.IGNORECASE)


def _secrets() -> list[str]:
    values = [settings.OPENCX_API_TOKEN, settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS, settings.METRICS_TOKEN]
    return sorted({value for value in values if value and len(value) >= 8}, key=len, reverse=True)


def _scrubbed(value: Any, secrets: list[str]) -> Any:
    if isinstance(value, str):
        for secret in secrets:
            value = value.replace(secret, FILTERED)
        return mask_share_tokens(BEARER.sub(rf"\1{FILTERED}", value))
    if isinstance(value, dict):
        return {key: _scrubbed(item, secrets) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrubbed(item, secrets) for item in value]
    return value


def scrub(event: dict[str, Any], hint: dict[str, Any] | None = None) -> dict[str, Any]:
    """The event (or breadcrumb) with every secret value replaced, wherever it appears."""
    return _scrubbed(event, _secrets())


def start_error_reporting() -> None:
    sentry_sdk.init(
        dsn=settings.SENTRY_DSN,
        environment="development" if settings.DEBUG else "production",
        send_default_pii=False,
        event_scrubber=EventScrubber(denylist=DENYLIST, recursive=True),
        before_send=scrub,
        before_breadcrumb=scrub,
    )
