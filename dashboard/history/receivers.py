"""The change history's subscription: every new snapshot is compared with the last recorded one."""

import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from dashboard import metrics
from dashboard.snapshots.signals import snapshot_refreshed

from .record import record_snapshot

logger = logging.getLogger(__name__)

_lock = threading.Lock()  # one recording at a time in this process


@receiver(snapshot_refreshed, dispatch_uid="history-record-snapshot")
def record_refreshed_snapshot(sender: Any, snapshot: Any, records: list[Any], **kwargs: Any) -> str:
    """Records what changed; says what it did in a few words (`refresh_agents` prints them)."""
    if not settings.HISTORY_RETENTION_DAYS:
        return "change history is switched off (HISTORY_RETENTION_DAYS=0)"
    started = time.monotonic()
    with _lock:
        try:
            revision = record_snapshot(
                records,
                snapshot.by_id.keys(),
                recorded_at=snapshot.fetched_at,
                source=snapshot.source,
                org=snapshot.org,
            )
        except Exception:
            metrics.RECORDING_FAILURES.inc()
            logger.exception("Recording the change history failed; the new snapshot is in service all the same")
            raise
        metrics.RECORDING_DURATION.observe(time.monotonic() - started)
    if revision is None:
        return "nothing changed since the last read"
    logger.info(
        "Recorded changes in %.2f s: %d added, %d removed, %d changed%s",
        time.monotonic() - started,
        revision.added,
        revision.removed,
        revision.changed,
        " (baseline)" if revision.baseline else "",
    )
    if revision.baseline:
        return "recorded as the start of the change history"
    return f"recorded {revision.added} added, {revision.removed} removed, {revision.changed} changed"
