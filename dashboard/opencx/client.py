"""A small requests-based client for the OpenCX phone-agent API."""

import json
import logging
from typing import Any

import requests

from .errors import BadResponse, OpenCXError, RateLimited, TokenRejected, UpstreamUnavailable

logger = logging.getLogger(__name__)

USER_AGENT = "Switchboard (read-only OpenCX dashboard)"
# Connecting should be quick on any working network; reading a whole fleet may take longer.
MAX_CONNECT_TIMEOUT = 5.0


class OpenCXClient:
    """Reads from one OpenCX API base URL with one token over one pooled `requests.Session`."""

    def __init__(self, base_url: str, token: str, *, timeout: float = 10.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = (min(MAX_CONNECT_TIMEOUT, timeout), timeout)
        self.session = requests.Session()
        self.session.headers.update(
            {
                "Authorization": f"Bearer {token}",
                "Accept": "application/json",
                "User-Agent": USER_AGENT,
            }
        )

    def list_phone_agents(self) -> list[Any]:
        """`GET /phone`: the raw JSON list of agent objects, not yet validated one by one."""
        payload = self._get_json("/phone")
        if not isinstance(payload, list):
            raise BadResponse(
                f"The OpenCX API answered GET /phone with a JSON {type(payload).__name__} where a "
                "list of agents was expected: check that OPENCX_API_URL points at the OpenCX API."
            )
        return payload

    def _get_json(self, path: str) -> Any:
        url = self.base_url + path
        try:
            response = self.session.get(url, timeout=self.timeout)
        except requests.Timeout:
            raise UpstreamUnavailable(
                f"The OpenCX API did not answer GET {path} within {self.timeout[1]:g} s: "
                "it may be overloaded; try again shortly or raise OPENCX_TIMEOUT."
            ) from None
        except requests.RequestException as error:
            raise UpstreamUnavailable(
                f"Could not reach the OpenCX API at {self.base_url} ({type(error).__name__}): "
                "check OPENCX_API_URL and the network, then refresh."
            ) from None
        with response:
            self._raise_for_status(response, path)
            try:
                return json.loads(response.content)
            except (ValueError, RecursionError):
                kind = response.headers.get("Content-Type", "no content type")
                raise BadResponse(
                    f"The OpenCX API answered GET {path} with a body that is not JSON ({kind}, "
                    f"{len(response.content):,} bytes): a proxy may be in the way; check "
                    "OPENCX_API_URL, then refresh."
                ) from None
            except requests.RequestException:
                raise UpstreamUnavailable(
                    f"The connection to the OpenCX API broke while reading GET {path}: "
                    "try again shortly."
                ) from None

    def _raise_for_status(self, response: requests.Response, path: str) -> None:
        status = response.status_code
        if 200 <= status < 300:
            return
        if status in (401, 403):
            what = "rejected the token" if status == 401 else "refused the token access"
            raise TokenRejected(
                f"The OpenCX API {what} (HTTP {status}): check OPENCX_API_TOKEN; the key "
                "needs the phone:read scope."
            )
        if status == 429:
            retry_after = _seconds(response.headers.get("Retry-After"))
            wait = f" it asks to wait {retry_after:g} s;" if retry_after is not None else ""
            raise RateLimited(
                f"The OpenCX API is rate limiting this dashboard (HTTP 429):{wait} the last "
                "good data stays on screen; refresh later.",
                retry_after=retry_after,
            )
        if status >= 500:
            raise UpstreamUnavailable(
                f"The OpenCX API failed with HTTP {status} on GET {path}: it is having "
                "trouble; try again shortly."
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


__all__ = ["OpenCXClient", "OpenCXError"]
