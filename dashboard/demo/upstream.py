"""The demo upstream: one fake OpenCX API per process, started on first use."""

import secrets
import threading

from django.conf import settings

from .fleet import demo_fleet, demo_voices
from .server import FakeOpenCX

_lock = threading.Lock()
_running: FakeOpenCX | None = None


def demo_upstream() -> FakeOpenCX:
    """The running fake API serving `DEMO_AGENTS` sample agents behind a random token."""
    global _running
    with _lock:
        if _running is None:
            fake = FakeOpenCX(
                demo_fleet(settings.DEMO_AGENTS),
                token=f"ocx_demo_{secrets.token_urlsafe(16)}",
                voices=demo_voices(),
            )
            _running = fake.start()
        return _running
