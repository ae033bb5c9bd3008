"""A small requests-based client for the OpenCX phone-agent API.

Retries are urllib3's: bounded, with exponential back-off and jitter, for connection errors,
429 and 502/503/504, honouring `Retry-After`. Every call has a total time budget: a retry is
only started if it can finish (its back-off plus one attempt's timeout) before the budget runs
out, and the call ends at its deadline whatever the upstream does (`outbound.deadlines`: an
answer dripped a byte at a time is cut off then). 401/403 and unusable bodies are never retried,
redirects never followed (a 3xx is an error naming where it pointed), and a body larger than
`max_body_bytes` is not read further.

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
from urllib3.exceptions import ConnectTimeoutError, MaxRetryError, ReadTimeoutError, ResponseError
from urllib3.util.retry import Retry

from dashboard.outbound.addresses import UnsafeURL, host_of, parse_target
from dashboard.outbound.deadlines import BodyTooLarge, Deadline, DeadlineAdapter, read_capped

from .bulk import bulk_allocation
from .errors import BadResponse, RateLimited, TokenRejected, UnusableAddress, UpstreamUnavailable
from .payload import AgentList, NotAList, read_agent_list

__all__ = ["AgentList", "OpenCXClient"]

logger = logging.getLogger(__name__)

USER_AGENT = "Switchboard (read-only OpenCX dashboard)"
RETRY_STATUSES = frozenset({429, 502, 503, 504})
# Connecting should be quick on any working network; reading a whole fleet may take longer.
MAX_CONNECT_TIMEOUT = 3.05
MEGABYTE = 1024 * 1024


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
        max_body_mb: int = 512,
        observe: Callable[[Attempt], None] | None = None,
    ) -> None:
        try:
            self.target = parse_target(base_url, what="The OpenCX API URL")
        except UnsafeURL as error:
            raise UnusableAddress(
                f"{error} Correct OPENCX_API_URL, OPENCX_ORGS or the organization's API base URL in the admin."
            ) from None
        self.base_url = self.target.url.rstrip("/")
        self.timeout = timeout
        self.max_body_mb = max_body_mb
        self.observe = observe
        self.session = requests.Session()
        # Only what was checked is contacted: no proxy, CA bundle or .netrc credentials from the
        # environment (a plain-HTTP proxy would be handed the token).
        self.session.trust_env = False
        self.session.headers.update(
            {"Authorization": f"Bearer {token}", "Accept": "application/json", "User-Agent": USER_AGENT}
        )
        policy = BudgetedRetry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            other=0,
            redirect=False,  # a redirect is answered as an error (_raise_for_status), never followed
            allowed_methods={"GET"},
            status_forcelist=RETRY_STATUSES,
            backoff_factor=0.5,
            backoff_jitter=0.5,
            backoff_max=4,
            respect_retry_after_header=True,
            retry_after_max=3600,
            raise_on_status=False,
        )
        adapter = DeadlineAdapter(max_retries=policy)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)

    def list_phone_agents(self, on_request: Callable[[], None] | None = None) -> list[Any]:
        """`GET /phone`: the JSON list of agent objects, not yet validated one by one."""
        return self.fetch_phone_agents(on_request).records

    def fetch_phone_agents(self, on_request: Callable[[], None] | None = None) -> AgentList:
        """`GET /phone`, with the body to keep (as received, unless a record needed repair: `payload`).

        `on_request` is called once for every HTTP request made, retries included.
        """
        body, kind = self._read("/phone", on_request)
        try:
            return read_agent_list(body)
        except NotAList as error:
            raise BadResponse(
                f"The OpenCX API answered GET /phone with a JSON {error.kind} where a "
                "list of agents was expected: check that OPENCX_API_URL points at the OpenCX API."
            ) from None
        except (ValueError, RecursionError):
            raise self._not_json("/phone", kind, body) from None

    def fetch_voices(self, on_request: Callable[[], None] | None = None) -> Any:
        """`GET /phone/voices`: the voices `voice_id` refers to, as sent (see `voices.parse_voices`)."""
        return self._get_json("/phone/voices", on_request)[0]

    def fetch_actions(self, on_request: Callable[[], None] | None = None) -> Any:
        """`GET /actions`: the organization's actions `actionIds` refers to, as sent (see `actions.parse_actions`)."""
        return self._get_json("/actions", on_request)[0]

    def _get_json(self, path: str, on_request: Callable[[], None] | None) -> tuple[Any, bytes]:
        body, kind = self._read(path, on_request)
        try:
            with bulk_allocation():
                return json.loads(body), body
        except (ValueError, RecursionError):
            raise self._not_json(path, kind, body) from None

    def _read(self, path: str, on_request: Callable[[], None] | None) -> tuple[bytes, str]:
        """The body of a 2xx answer to `GET path` and its content type, read whole by the call's
        deadline and within OPENCX_MAX_BODY_MB; raises what any other answer means."""
        with Deadline(self.timeout) as deadline:
            # Two attempts fit in the budget, so one slow attempt still leaves room for a retry.
            attempt = self.timeout / 2
            budget = _CallBudget(
                deadline.ends, attempt, on_request, path, self.observe, attempt_started=time.monotonic()
            )
            try:
                with self._get(path, budget) as response:
                    ok = 200 <= response.status_code < 300
                    body = read_capped(response, self.max_body_mb * MEGABYTE) if ok else b""
                    budget.report(status=response.status_code, retrying=False)  # the last attempt, body and all
                    self._raise_for_status(response, path)
            except requests.RequestException as error:
                # Unless the retry policy reported it already; cut off by the deadline, it timed out.
                budget.report(error=requests.Timeout() if deadline.passed else error, retrying=False)
                raise self._unreachable(error, path, deadline.passed) from None
            except BodyTooLarge:
                budget.report(status=response.status_code, retrying=False)
                raise BadResponse(
                    f"The OpenCX API's answer to GET {path} is larger than OPENCX_MAX_BODY_MB "
                    f"({self.max_body_mb} MB), so it was not read further: raise OPENCX_MAX_BODY_MB if the "
                    "fleet is really that large, else check OPENCX_API_URL."
                ) from None
        return body, response.headers.get("Content-Type", "no content type")

    def _not_json(self, path: str, kind: str, body: bytes) -> BadResponse:
        return BadResponse(
            f"The OpenCX API answered GET {path} with a body that is not JSON ({kind}, "
            f"{len(body):,} bytes): a proxy may be in the way; check OPENCX_API_URL, then refresh."
        )

    def _get(self, path: str, budget: _CallBudget) -> requests.Response:
        """The answer's status and headers, its body not read yet; every attempt but the last is reported."""
        token = _current_call.set(budget)
        try:
            if budget.on_request is not None:
                budget.on_request()
            return self.session.get(
                self.base_url + path,
                timeout=(min(MAX_CONNECT_TIMEOUT, budget.attempt_seconds), budget.attempt_seconds),
                stream=True,
                allow_redirects=False,
            )
        finally:
            _current_call.reset(token)

    def _unreachable(self, error: requests.RequestException, path: str, deadline_passed: bool) -> UpstreamUnavailable:
        cause = error.args[0] if error.args else None
        timed_out = (
            deadline_passed
            or isinstance(error, requests.Timeout)
            or (isinstance(cause, MaxRetryError) and isinstance(cause.reason, ReadTimeoutError))
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
        if 300 <= status < 400:
            # Where it points is named by host only: the rest of the address may carry a secret.
            where = host_of(response.headers.get("Location")) or self.target.host
            raise BadResponse(
                f"The OpenCX API answered GET {path} with a redirect (HTTP {status}) to {where}, which this "
                "dashboard does not follow: set OPENCX_API_URL to the address that answers itself."
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
