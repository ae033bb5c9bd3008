"""The demo upstreams: one fake OpenCX API per demo organization (production and staging) per
process, started on first use, read in demo mode.

Which fault it shows is kept in the shared cache, so the staff control on the status page
reaches every worker process; `DEMO_FAULT` sets it at start. A choice made on the status page
holds while `DEMO_FAULT` stays what it was when the choice was made: start the demo with another
`DEMO_FAULT` and that one applies again (the status page says which is in force, and from where).
"""

import logging
import secrets
import threading
import time
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.utils import timezone

from dashboard.orgs.registry import Org
from dashboard.snapshots.upstream import Upstream

from .fleet import demo_actions, demo_voices
from .living import living_fleet, record_past, slot_of, staging_fleet
from .server import FAULTS, FakeOpenCX

NO_FAULT = "none"
PRODUCTION, STAGING = "production", "staging"
# The demo's organizations: production, and a staging copy that drifted from it (`living.staging_fleet`).
DEMO_ORGS = [Org(PRODUCTION, "Production", "", origin="demo"), Org(STAGING, "Staging", "", origin="demo")]
FLEETS: dict[str, Callable[[int, datetime], list[dict[str, Any]]]] = {PRODUCTION: living_fleet, STAGING: staging_fleet}

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_running: dict[str, FakeOpenCX] = {}  # organization -> its fake API
_serving: dict[str, tuple[int, int]] = {}  # organization -> (agents, time slot) its fake serves now
_past_checked = False  # whether this process has looked for a fresh database to give a past


def _fault_key(org: str) -> str:
    return f"switchboard:demo:fault:{org}"


def demo_orgs() -> list[Org] | None:
    """The demo's organizations, in demo mode; None otherwise (the configured ones are read)."""
    return DEMO_ORGS if settings.DEMO_MODE else None


def demo_upstream(org: str = PRODUCTION) -> FakeOpenCX:
    """The running fake API of a demo organization, serving `DEMO_AGENTS` sample agents as they are
    now (they live), with the fault now chosen for it."""
    with _lock:
        fake = _running.get(org)
        if fake is None:
            fake = FakeOpenCX(
                [], token=f"ocx_demo_{secrets.token_urlsafe(16)}", voices=demo_voices(), actions=demo_actions()
            )
            _running[org] = fake = fake.start()
        now = timezone.now()
        if _serving.get(org) != (settings.DEMO_AGENTS, slot_of(now)):
            fake.set_agents(FLEETS[org](settings.DEMO_AGENTS, now))
            _serving[org] = (settings.DEMO_AGENTS, slot_of(now))
        fake.fault = demo_fault(org)
        return fake


def stop_demo_upstream() -> None:
    """Stops this process's fake APIs (tests); the next use starts new ones."""
    global _past_checked
    with _lock:
        for fake in _running.values():
            fake.stop()
        _running.clear()
        _serving.clear()
        _past_checked = False


def _give_a_fresh_demo_its_past() -> None:
    """Once per process: on a database with no history at all, record the demo's last two weeks."""
    global _past_checked
    if _past_checked or not settings.HISTORY_RETENTION_DAYS:
        return
    _past_checked = True
    started = time.monotonic()
    try:
        recorded = sum(
            record_past(
                settings.DEMO_AGENTS, timezone.now(), settings.HISTORY_RETENTION_DAYS, org.slug, FLEETS[org.slug]
            )
            for org in DEMO_ORGS
        )
    except DatabaseError:
        logger.exception("Recording the demo's past failed; its history starts now")
        return
    if recorded:
        logger.info("Recorded %d past reads of the demo in %.1f s", recorded, time.monotonic() - started)


def demo_provider(org: Org) -> Upstream | None:
    """A demo organization's fake API, in demo mode; None otherwise (the configured OpenCX is read)."""
    if not settings.DEMO_MODE or org.origin != "demo":
        return None
    _give_a_fresh_demo_its_past()  # before the first read is recorded, which it must precede
    fake = demo_upstream(org.slug)
    return Upstream(fake.url, fake.token, "demo")


def demo_fault(org: str = PRODUCTION) -> str | None:
    """The fault a demo organization's upstream shows now (None: it answers properly)."""
    return demo_fault_in_force(org)[0]


def demo_fault_in_force(org: str = PRODUCTION) -> tuple[str | None, str]:
    """The fault in force and where it comes from: "DEMO_FAULT" or "the status page"."""
    started = settings.DEMO_FAULT or NO_FAULT
    chosen = cache.get(_fault_key(org))
    if isinstance(chosen, dict) and chosen.get("over") == started and chosen.get("fault") in (NO_FAULT, *FAULTS):
        fault, origin = chosen["fault"], "the status page"
    else:
        fault, origin = started, "DEMO_FAULT"
    return (None if fault == NO_FAULT else fault), origin


def set_demo_fault(name: str | None, org: str = PRODUCTION) -> None:
    """Staff's choice for one demo organization, over the `DEMO_FAULT` in force now (a restart with
    another one overrides it)."""
    if name is not None and name not in FAULTS:
        raise ValueError(f"unknown fault {name!r}")
    cache.set(_fault_key(org), {"fault": name or NO_FAULT, "over": settings.DEMO_FAULT or NO_FAULT}, timeout=None)
