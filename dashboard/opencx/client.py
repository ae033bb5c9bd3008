"""A small requests-based client for the OpenCX phone-agent API.

Retries are urllib3's: bounded, with exponential back-off and jitter, for connection errors,
429 and 502/503/504, honouring `Retry-After`. Every call has a total time budget: a retry is
only started if it can finish (its back-off plus one attempt's timeout) before the budget runs
out, so a caller never waits much longer than `timeout` seconds, whatever the upstream does.
401/403 and unusable bodies are never retried.

Every attempt is logged (path, attempt number, status or error, duration; never the token or
the headers) and handed to the client's `observe` callback as an `Attempt` (for metrics).
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
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from .bulk import bulk_allocation
from .errors import BadResponse, RateLimited, TokenRejected, UpstreamUnavailable
from .payload import AgentList, NotAList, read_agent_list

__all__ = ["AgentList", "OpenCXClient"]

logger = logging.getLogger(__name__)

USER_AGENT = "Switchboard (read-only OpenCX dashboard)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Connecting should be quick on any working network; reading a whole fleet may take longer.
MAX_CONNECT_TIMEOUT = 3.05


@dataclass(frozen=True, slots=True)
class Attempt:
    """One HTTP request of a call: its answer's status, or the error that stopped it."""

    path: str
    number: int  # 1 for the first attempt of a call
    status: int | None
    error: str | None  # the exception's name when there was no answer
    seconds: float
    retrying: bool  # another attempt follows

    @property
    def outcome(self) -> str:
        if self.status is None:
            return "timeout" if self.error and "Timeout" in self.error else "connection_error"
        if 200 <= self.status < 300:
            return "ok"
        if self.status in (401, 403):
            return "rejected"
        if self.status == 429:
            return "rate_limited"
        return "server_error" if self.status >= 500 else "unexpected"


@dataclass
class _CallBudget:
    deadline: float
    attempt_seconds: float
    on_request: Callable[[], None] | None
    path: str = ""
    observe: Callable[[Attempt], None] | None = None
    attempt: int = 1
    attempt_started: float = 0.0
    reported: int = 0  # the last attempt logged

    def report(self, *, status: int | None = None, error: BaseException | None = None, retrying: bool) -> None:
        """Logs the attempt in progress, once, and hands it to the observer."""
        if self.reported == self.attempt:
            return
        self.reported = self.attempt
        attempt = Attempt(
            path=self.path,
            number=self.attempt,
            status=status,
            error=None if error is None else _error_name(error),
            seconds=max(0.0, time.monotonic() - self.attempt_started),
            retrying=retrying,
        )
        answer = f"HTTP {status}" if status is not None else f"no answer ({attempt.error})"
        logger.info(
            "GET %s attempt %d: %s in %.3f s%s",
            attempt.path,
            attempt.number,
            answer,
            attempt.seconds,
            ", retrying" if retrying else "",
            extra={
                "upstream_path": attempt.path,
                "attempt": attempt.number,
                "status": status,
                "duration_ms": round(attempt.seconds * 1000, 1),
                "outcome": attempt.outcome,
            },
        )
        if self.observe is not None:
            self.observe(attempt)

    def next_attempt(self, wait: float) -> None:
        self.attempt += 1
        self.attempt_started = time.monotonic() + wait  # after the back-off urllib3 sleeps next


def _error_name(error: BaseException) -> str:
    """The most telling exception name: the cause a MaxRetryError or requests wraps, if any."""
    cause = error.args[0] if isinstance(error, requests.RequestException) and error.args else error
    if isinstance(cause, MaxRetryError) and cause.reason is not None:
        cause = cause.reason
    if isinstance(cause, ReadTimeoutError | ConnectTimeoutError):
        return "ReadTimeout" if isinstance(cause, ReadTimeoutError) else "ConnectTimeout"
    return type(cause).__name__


# The budget of the call in progress on this thread; read by the retry policy below.
_current_call: ContextVar[_CallBudget | None] = ContextVar("opencx_call_budget", default=None)


class BudgetedRetry(Retry):
    """urllib3's Retry, refusing any retry that could not finish before the call's deadline."""

    def increment(self, method=None, url=None, response=None, error=None, _pool=None, _stacktrace=None):  # type: ignore[no-untyped-def]
        budget = _current_call.get()
        status = response.status if response is not None else None
        try:
            retry = super().increment(method, url, response, error, _pool, _stacktrace)
        except MaxRetryError:
            if budget is not None and error is not None:
                budget.report(error=error, retrying=False)  # an answer is reported by the caller
            raise
        if budget is not None:
            wait = retry.get_retry_after(response) if response is not None else None
            if wait is None:
                wait = retry.get_backoff_time()
            if time.monotonic() + wait + budget.attempt_seconds > budget.deadline:
                if error is not None:
                    budget.report(error=error, retrying=False)
                reason = error or ResponseError(f"no time left in the budget to wait {wait:g} s and retry")
                raise MaxRetryError(_pool, url, reason) from error  # type: ignore[arg-type]
            budget.report(status=status, error=error, retrying=True)
            budget.next_attempt(wait)
            if budget.on_request is not None:
                budget.on_request()
        return retry


class OpenCXClient:
    """Reads from one OpenCX API base URL with one token over one pooled `requests.Session`."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        retries: int = 3,
        observe: Callable[[Attempt], None] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.observe = observe
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
        """`GET /phone`, with the body to keep (as received, unless a record needed repair: `payload`).

        `on_request` is called once for every HTTP request made, retries included.
        """
        response = self._get("/phone", on_request)
        try:
            return read_agent_list(response.content)
        except NotAList as error:
            raise BadResponse(
                f"The OpenCX API answered GET /phone with a JSON {error.kind} where a "
                "list of agents was expected: check that OPENCX_API_URL points at the OpenCX API."
            ) from None
        except (ValueError, RecursionError):
            raise self._not_json("/phone", response) from None

    def fetch_voices(self, on_request: Callable[[], None] | None = None) -> Any:
        """`GET /phone/voices`: the voices `voice_id` refers to, as sent (see `voices.parse_voices`)."""
        return self._get_json("/phone/voices", on_request)[0]

    def fetch_actions(self, on_request: Callable[[], None] | None = None) -> Any:
        """`GET /actions`: the organization's actions `actionIds` refers to, as sent (see `actions.parse_actions`)."""
        return self._get_json("/actions", on_request)[0]

    def _get_json(self, path: str, on_request: Callable[[], None] | None) -> tuple[Any, bytes]:
        response = self._get(path, on_request)
        try:
            with bulk_allocation():
                return json.loads(response.content), response.content
        except (ValueError, RecursionError):
            raise self._not_json(path, response) from None

    def _get(self, path: str, on_request: Callable[[], None] | None) -> requests.Response:
        """The answer to `GET path`, read whole; raises what its status means unless it is 2xx."""
        url = self.base_url + path
        # Two attempts fit in the budget, so one slow attempt still leaves room for a retry.
        attempt = self.timeout / 2
        started = time.monotonic()
        budget = _CallBudget(started + self.timeout, attempt, on_request, path, self.observe, attempt_started=started)
        token = _current_call.set(budget)
        try:
            if on_request is not None:
                on_request()
            response = self.session.get(url, timeout=(min(MAX_CONNECT_TIMEOUT, attempt), attempt))
        except requests.RequestException as error:
            budget.report(error=error, retrying=False)  # unless the retry policy did already
            raise self._unreachable(error, path) from None
        finally:
            _current_call.reset(token)
        budget.report(status=response.status_code, retrying=False)
        with response:
            self._raise_for_status(response, path)
            response.content  # noqa: B018 (read whole while the connection is held)
        return response

    def _not_json(self, path: str, response: requests.Response) -> BadResponse:
        kind = response.headers.get("Content-Type", "no content type")
        return BadResponse(
            f"The OpenCX API answered GET {path} with a body that is not JSON ({kind}, "
            f"{len(response.content):,} bytes): a proxy may be in the way; check "
            "OPENCX_API_URL, then refresh."
        )

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
