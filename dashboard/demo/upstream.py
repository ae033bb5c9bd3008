"""The demo upstream: one fake OpenCX API per process, started on first use, read in demo mode.

Which fault it shows is kept in the shared cache, so the staff control on the status page
reaches every worker process; `DEMO_FAULT` sets it at start. A choice made on the status page
holds while `DEMO_FAULT` stays what it was when the choice was made: start the demo with another
`DEMO_FAULT` and that one applies again (the status page says which is in force, and from where).
"""

import logging
import secrets
import threading
import time

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from dashboard.snapshots.upstream import Upstream

from .fleet import demo_actions, demo_voices
from .living import living_fleet, record_past, slot_of
from .server import FAULTS, FakeOpenCX

FAULT_KEY = "switchboard:demo:fault"
NO_FAULT = "none"

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_running: FakeOpenCX | None = None
_serving: tuple[int, int] | None = None  # (agents, time slot) the fake serves now
_past_checked = False  # whether this process has looked for a fresh database to give a past


def demo_upstream() -> FakeOpenCX:
    """The running fake API serving `DEMO_AGENTS` sample agents as they are now (they live), with the
    fault now chosen."""
    global _running, _serving
    with _lock:
        if _running is None:
            fake = FakeOpenCX(
                [], token=f"ocx_demo_{secrets.token_urlsafe(16)}", voices=demo_voices(), actions=demo_actions()
            )
            _running = fake.start()
        now = timezone.now()
        if _serving != (settings.DEMO_AGENTS, slot_of(now)):
            _running.set_agents(living_fleet(settings.DEMO_AGENTS, now))
            _serving = (settings.DEMO_AGENTS, slot_of(now))
        _running.fault = demo_fault()
        return _running


def stop_demo_upstream() -> None:
    """Stops this process's fake API (tests); the next use starts a new one."""
    global _running, _serving, _past_checked
    with _lock:
        if _running is not None:
            _running.stop()
        _running = _serving = None
        _past_checked = False


def _give_a_fresh_demo_its_past() -> None:
    """Once per process: on a database with no history at all, record the demo's last two weeks."""
    global _past_checked
    if _past_checked or not settings.HISTORY_RETENTION_DAYS:
        return
    _past_checked = True
    started = time.monotonic()
    try:
        recorded = record_past(settings.DEMO_AGENTS, timezone.now(), settings.HISTORY_RETENTION_DAYS)
    except DatabaseError:
        logger.exception("Recording the demo's past failed; its history starts now")
        return
    if recorded:
        logger.info("Recorded %d past reads of the demo in %.1f s", recorded, time.monotonic() - started)


def demo_provider() -> Upstream | None:
    """The demo's fake API, in demo mode; None otherwise (the configured OpenCX is read)."""
    if not settings.DEMO_MODE:
        return None
    _give_a_fresh_demo_its_past()  # before the first read is recorded, which it must precede
    fake = demo_upstream()
    return Upstream(fake.url, fake.token, "demo")


def demo_fault() -> str | None:
    """The fault the demo upstream shows now (None: it answers properly)."""
    return demo_fault_in_force()[0]


def demo_fault_in_force() -> tuple[str | None, str]:
    """The fault in force and where it comes from: "DEMO_FAULT" or "the status page"."""
    started = settings.DEMO_FAULT or NO_FAULT
    chosen = cache.get(FAULT_KEY)
    if isinstance(chosen, dict) and chosen.get("over") == started and chosen.get("fault") in (NO_FAULT, *FAULTS):
        fault, origin = chosen["fault"], "the status page"
    else:
        fault, origin = started, "DEMO_FAULT"
    return (None if fault == NO_FAULT else fault), origin


def set_demo_fault(name: str | None) -> None:
    """Staff's choice, over the `DEMO_FAULT` in force now (a restart with another one overrides it)."""
    if name is not None and name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}")
    cache.set(FAULT_KEY, {"fault": name or NO_FAULT, "over": settings.DEMO_FAULT or NO_FAULT}, timeout=None)
