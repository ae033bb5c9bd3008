"""The few ways reading from OpenCX can fail, each with a message that says what to do.

Messages are shown to people and written to logs, so they never contain the token.
"""


class OpenCXError(Exception):
    """Base class: `str(error)` is a complete, user-facing sentence."""

    reason = "error"


class TokenRejected(OpenCXError):
    reason = "token rejected"


class RateLimited(OpenCXError):
    reason = "rate limited"

    def __init__(self, message: str, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class UpstreamUnavailable(OpenCXError):
    reason = "unavailable"


class BadResponse(OpenCXError):
    reason = "unusable response"


class UnusableAddress(OpenCXError):
    """The API's URL is one this server refuses to contact (`outbound.addresses`); nothing was sent."""

    reason = "unusable address"
