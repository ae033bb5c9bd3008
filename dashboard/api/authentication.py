"""`Authorization: Bearer <token>` for the API, audited; a missing, wrong, revoked or expired token is a 401,
and an address past API_WRONG_TOKENS_PER_MINUTE gets 429 (`throttling.WrongTokens`)."""

from typing import Any, NoReturn

from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed, Throttled
from rest_framework.request import Request

from dashboard.access.addresses import client_ip
from dashboard.access.audit import record_event
from dashboard.access.models import AuditEvent

from .throttling import WrongTokens
from .tokens import find_token

REALM = 'Bearer realm="switchboard"'


class BearerTokenAuthentication(BaseAuthentication):
    """A personal API token (`dashboard.api.tokens`): the request reads as the token's owner."""

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != b"bearer":
            return None  # no token at all: DRF answers 401 ("not provided")
        if len(parts) != 2:
            raise AuthenticationFailed("Send the token as `Authorization: Bearer <token>`, with nothing after it.")
        try:
            presented = parts[1].decode("ascii")
        except UnicodeDecodeError:
            presented = ""
        token = find_token(presented)
        if token is None:
            self._refuse(request)
        return token.user, token

    def _refuse(self, request: Request) -> NoReturn:
        wrong = WrongTokens(client_ip(request._request))
        if wrong.past_limit():  # counted no further: past the limit a wrong token costs no write
            raise Throttled(
                wait=wrong.retry_after,
                detail="Too many wrong API tokens from this address: wait, then check the token you send.",
            )
        if wrong.count() == 1 and wrong.may_audit():  # one audit row per address and window at most
            # Never the token itself: what was sent is a secret whether it is valid or not.
            record_event(
                request._request,
                AuditEvent.API_REFUSED,
                "a wrong, revoked or expired API token (further ones from this address within the minute "
                "are counted, not recorded)",
                username="",
            )
        raise AuthenticationFailed("The token is not valid: it is wrong, revoked or expired.")

    def authenticate_header(self, request: Request) -> str:
        return REALM


class BearerTokenScheme(OpenApiAuthenticationExtension):
    """How the OpenAPI schema describes the tokens."""

    target_class = BearerTokenAuthentication
    name = "personalToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, Any]:
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on the API tokens page or with `manage.py api_token create`.",
        }
