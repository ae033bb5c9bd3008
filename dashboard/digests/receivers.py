"""Right after a refresh: note new findings, send the digests that wait for one, retry failed deliveries."""

import logging
from typing import Any

from django.conf import settings
from django.dispatch import receiver

from dashboard.snapshots.signals import snapshot_refreshed

from .models import Subscription
from .sending import send_digests
from .states import update_finding_states

logger = logging.getLogger(__name__)


@receiver(snapshot_refreshed, dispatch_uid="digests-after-refresh")
def digests_after_refresh(sender: Any, snapshot: Any, **kwargs: Any) -> str | None:
    if not settings.HISTORY_RETENTION_DAYS or not Subscription.objects.exists():
        return None  # nobody subscribes (or there is no history to digest): nothing to keep up to date
    update_finding_states(snapshot)
    outcome = send_digests(snapshot)
    return f"digests: {outcome}" if outcome.digests or outcome.failing or outcome.sent else None
