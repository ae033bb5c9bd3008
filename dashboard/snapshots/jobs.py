"""Background jobs: work that runs in a thread of its own so that no page waits for it.

Every job is tracked until it ends, closes the database connections its thread opened, and can
be waited for (`wait_for_jobs`): management commands wait before they exit, and the test suite
waits after every test, so no job outlives the test that started it.

With `REFRESH_IN_BACKGROUND` off (the test suite's default) a job runs at once in the caller's
thread instead, which makes every outcome deterministic.

A job runs in a copy of its starter's context, so its log lines carry the id of the request
that started it (`dashboard.logs`).
"""

import contextvars
import logging
import threading
from collections.abc import Callable

from django.conf import settings
from django.db import connections

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_running: set[threading.Thread] = set()


def start_job(name: str, work: Callable[[], None]) -> None:
    """Runs `work` in a background thread (or right here, with REFRESH_IN_BACKGROUND off)."""
    if not settings.REFRESH_IN_BACKGROUND:
        try:
            work()
        except Exception:
            logger.exception("A job failed")
        return
    context = contextvars.copy_context()
    thread = threading.Thread(target=context.run, args=(_run, work), name=name, daemon=True)
    with _lock:
        _running.add(thread)
    thread.start()


def _run(work: Callable[[], None]) -> None:
    try:
        work()
    except Exception:
        logger.exception("A background job failed")
    finally:
        connections.close_all()  # this thread's own connections
        with _lock:
            _running.discard(threading.current_thread())


def running_jobs() -> list[str]:
    with _lock:
        return sorted(thread.name for thread in _running)


def wait_for_jobs(timeout: float | None = None) -> bool:
    """Waits for every background job, including those they start; False if some still run after `timeout`."""
    while True:
        with _lock:
            threads = [thread for thread in _running if thread is not threading.current_thread()]
        if not threads:
            return True
        for thread in threads:
            thread.join(timeout)
            if thread.is_alive():
                return False
