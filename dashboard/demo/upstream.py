"""The demo upstream: one fake OpenCX API per process, started on first use, read in demo mode.

Which fault it shows is kept in the shared cache, so the staff control on the status page
reaches every worker process; `DEMO_FAULT` sets it at start.
"""

import secrets
import threading

from django.conf import settings
from django.core.cache import cache

from dashboard.snapshots.upstream import Upstream

from .fleet import demo_actions, demo_fleet, demo_voices
from .server import FAULTS, FakeOpenCX

FAULT_KEY = "switchboard:demo:fault"
NO_FAULT = "none"

_lock = threading.Lock()
_running: FakeOpenCX | None = None


def demo_upstream() -> FakeOpenCX:
    """The running fake API serving `DEMO_AGENTS` sample agents, with the fault now chosen."""
    global _running
    with _lock:
        if _running is None:
            fake = FakeOpenCX(
                demo_fleet(settings.DEMO_AGENTS),
                token=f"ocx_demo_{secrets.token_urlsafe(16)}",
                voices=demo_voices(),
                actions=demo_actions(),
            )
            _running = fake.start()
        _running.fault = demo_fault()
        return _running


def demo_provider() -> Upstream | None:
    """The demo's fake API, in demo mode; None otherwise (the configured OpenCX is read)."""
    if not settings.DEMO_MODE:
        return None
    fake = demo_upstream()
    return Upstream(fake.url, fake.token, "demo")


def demo_fault() -> str | None:
    chosen = cache.get(FAULT_KEY)
    if chosen is None:
        chosen = settings.DEMO_FAULT or NO_FAULT
    return None if chosen == NO_FAULT else chosen


def set_demo_fault(name: str | None) -> None:
    if name is not None and name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}")
    cache.set(FAULT_KEY, name or NO_FAULT, timeout=None)
