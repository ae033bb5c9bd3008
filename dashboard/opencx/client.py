"""A small requests-based client for the OpenCX phone-agent API.

Retries are urllib3's: bounded, with exponential back-off and jitter, for connection errors,
429 and 502/503/504, honouring `Retry-After`. Every call has a total time budget: a retry is
only started if it can finish (its back-off plus one attempt's timeout) before the budget runs
out, so a caller never waits much longer than `timeout` seconds, whatever the upstream does.
401/403 and unusable bodies are never retried.
"""

import json
import logging
import time
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from .bulk import bulk_allocation
from .errors import BadResponse, RateLimited, TokenRejected, UpstreamUnavailable

logger = logging.getLogger(__name__)

USER_AGENT = "Switchboard (read-only OpenCX dashboard)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Connecting should be quick on any working network; reading a whole fleet may take longer.
MAX_CONNECT_TIMEOUT = 3.05


@dataclass(frozen=True, slots=True)
class AgentList:
    """`GET /phone` as read: the decoded records, not yet validated, and the body they came from."""

    records: list[Any]
    body: bytes


@dataclass
class _CallBudget:
    deadline: float
    attempt_seconds: float
    on_request: Callable[[], None] | None


# The budget of the call in progress on this thread; read by the retry policy below.
_current_call: ContextVar[_CallBudget | None] = ContextVar("opencx_call_budget", default=None)


class BudgetedRetry(Retry):
    """urllib3's Retry, refusing any retry that could not finish before the call's deadline."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # type: ignore[no-untyped-def]
        retry = super().increment(method, url, response, error, _pool, _stacktrace)
        budget = _current_call.get()
        if budget is not None:
            wait = retry.get_retry_after(response) if response is not None else None
            if wait is None:
                wait = retry.get_backoff_time()
            if time.monotonic() + wait + budget.attempt_seconds > budget.deadline:
                reason = error or ResponseError(f"no time left in the budget to wait {wait:g} s and retry")
                raise MaxRetryError(_pool, url, reason) from error  # type: ignore[arg-type]
            if budget.on_request is not None:
                budget.on_request()
        return retry


class OpenCXClient:
    """Reads from one OpenCX API base URL with one token over one pooled `requests.Session`."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0, retries: int = 3) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.session = requests.Session()
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
        )
        policy = BudgetedRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=3,
            allowed_methods={"GET"},
            status_forcelist=RETRY_STATUSES,
            backoff_factor=0.5,
            backoff_jitter=0.5,
            backoff_max=4,
            respect_retry_after_header=True,
            retry_after_max=3600,
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def list_phone_agents(self, on_request: Callable[[], None] | None = None) -> list[Any]:
        """`GET /phone`: the JSON list of agent objects, not yet validated one by one."""
        return self.fetch_phone_agents(on_request).records

    def fetch_phone_agents(self, on_request: Callable[[], None] | None = None) -> AgentList:
        """`GET /phone`, with the body as received (to keep without encoding it again).

        `on_request` is called once for every HTTP request made, retries included.
        """
        payload, body = self._get_json("/phone", on_request)
        if not isinstance(payload, list):
            raise BadResponse(
                f"The OpenCX API answered GET /phone with a JSON {type(payload).__name__} where a "
                "list of agents was expected: check that OPENCX_API_URL points at the OpenCX API."
            )
        return AgentList(payload, body)

    def fetch_voices(self, on_request: Callable[[], None] | None = None) -> Any:
        """`GET /phone/voices`: the voices `voice_id` refers to, as sent (see `voices.parse_voices`)."""
        return self._get_json("/phone/voices", on_request)[0]

    def fetch_actions(self, on_request: Callable[[], None] | None = None) -> Any:
        """`GET /actions`: the organization's actions `actionIds` refers to, as sent (see `actions.parse_actions`)."""
        return self._get_json("/actions", on_request)[0]

    def _get_json(self, path: str, on_request: Callable[[], None] | None) -> tuple[Any, bytes]:
        url = self.base_url + path
        # Two attempts fit in the budget, so one slow attempt still leaves room for a retry.
        attempt = self.timeout / 2
        budget = _CallBudget(time.monotonic() + self.timeout, attempt, on_request)
        token = _current_call.set(budget)
        try:
            if on_request is not None:
                on_request()
            response = self.session.get(url, timeout=(min(MAX_CONNECT_TIMEOUT, attempt), attempt))
        except requests.RequestException as error:
            raise self._unreachable(error, path) from None
        finally:
            _current_call.reset(token)
        with response:
            self._raise_for_status(response, path)
            try:
                with bulk_allocation():
                    return json.loads(response.content), response.content
            except (ValueError, RecursionError):
                kind = response.headers.get("Content-Type", "no content type")
                raise BadResponse(
                    f"The OpenCX API answered GET {path} with a body that is not JSON ({kind}, "
                    f"{len(response.content):,} bytes): a proxy may be in the way; check "
                    "OPENCX_API_URL, then refresh."
                ) from None

    def _unreachable(self, error: requests.RequestException, path: str) -> UpstreamUnavailable:
        cause = error.args[0] if error.args else None
        timed_out = isinstance(error, requests.Timeout) or (
            isinstance(cause, MaxRetryError) and isinstance(cause.reason, ReadTimeoutError)
        )
        if timed_out:
            return UpstreamUnavailable(
                f"The OpenCX API did not answer GET {path} within the {self.timeout:g} s budget: it may "
                "be overloaded; the dashboard tries again shortly, or raise OPENCX_TIMEOUT."
            )
        if isinstance(error, requests.exceptions.ChunkedEncodingError | requests.exceptions.ContentDecodingError):
            return UpstreamUnavailable(
                f"The connection to the OpenCX API broke while reading GET {path}: the dashboard tries again shortly."
            )
        return UpstreamUnavailable(
            f"Could not reach the OpenCX API at {self.base_url} ({type(error).__name__}): "
            "check OPENCX_API_URL and the network; the dashboard tries again shortly."
        )

    def _raise_for_status(self, response: requests.Response, path: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (401, 403):
            what = "rejected the token" if status == 401 else "refused the token access"
            raise TokenRejected(
                f"The OpenCX API {what} (HTTP {status}): check OPENCX_API_TOKEN; the key needs the phone:read scope."
            )
        if status == 429:
            retry_after = _seconds(response.headers.get("Retry-After"))
            wait = f" it asks to wait {retry_after:g} s;" if retry_after is not None else ""
            raise RateLimited(
                f"The OpenCX API is rate limiting this dashboard (HTTP 429):{wait} the last "
                "good data stays on screen and the dashboard tries again later.",
                retry_after=retry_after,
            )
        if status >= 500:
            raise UpstreamUnavailable(
                f"The OpenCX API failed with HTTP {status} on GET {path}: it is having "
                "trouble; the dashboard tries again shortly."
            )
        raise BadResponse(
            f"The OpenCX API answered GET {path} with HTTP {status}, which this dashboard "
            "does not expect: check OPENCX_API_URL."
        )


def _seconds(value: str | None) -> float | None:
    """`Retry-After` as seconds; the HTTP-date form is rare enough to treat as unknown."""
    try:
        seconds = float(value) if value is not None else None
    except ValueError:
        return None
    return seconds if seconds is not None and seconds >= 0 else None
