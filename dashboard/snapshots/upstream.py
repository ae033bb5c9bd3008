"""Which OpenCX API to read for an organization: the configured one, or one that demo mode puts in its place."""

import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings

from dashboard.metrics import observe_upstream_attempt
from dashboard.opencx.client import OpenCXClient
from dashboard.orgs.registry import Org


@dataclass(frozen=True, slots=True)
class Upstream:
    url: str
    token: str
    # What the pages say the data comes from: "demo", or the API's base URL.
    source: str

    def __repr__(self) -> str:  # never the token
        return f"Upstream({self.url!r}, source={self.source!r})"


_lock = threading.Lock()
_clients: dict[tuple[str, str, float, int], OpenCXClient] = {}
_providers: list[Callable[[Org], Upstream | None]] = []


def provide(provider: Callable[[Org], Upstream | None]) -> None:
    """Lets an app serve another upstream for an organization (the demo's fake API) whenever
    `provider` returns one."""
    if provider not in _providers:
        _providers.append(provider)


def upstream_of(org: Org) -> Upstream:
    for provider in _providers:
        upstream = provider(org)
        if upstream is not None:
            return upstream
    return Upstream(org.url, org.token, org.url)


def client_for(upstream: Upstream) -> OpenCXClient:
    """One client (one pooled session) per upstream, per process."""
    key = (upstream.url, upstream.token, settings.OPENCX_TIMEOUT, settings.OPENCX_MAX_BODY_MB)
    with _lock:
        if key not in _clients:
            _clients[key] = OpenCXClient(
                upstream.url,
                upstream.token,
                timeout=settings.OPENCX_TIMEOUT,
                max_body_mb=settings.OPENCX_MAX_BODY_MB,
                observe=observe_upstream_attempt,
            )
        return _clients[key]


def forget_clients() -> None:
    with _lock:
        _clients.clear()
