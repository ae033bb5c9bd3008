"""Which digests are due, and sending them: after a refresh, and from `manage.py send_digests` on the timer."""

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from dashboard.snapshots.snapshot import Snapshot

from . import delivery
from .compose import compose
from .models import Delivery, Subscription

logger = logging.getLogger(__name__)

DAY = timedelta(days=1)


@dataclass
class Outcome:
    digests: int = 0  # subscriptions that had something to say
    sent: int = 0
    failing: int = 0

    def __str__(self) -> str:
        return f"{self.digests} digest(s): {self.sent} delivered, {self.failing} failing"

    def __add__(self, other: "Outcome") -> "Outcome":
        return Outcome(self.digests + other.digests, self.sent + other.sent, self.failing + other.failing)


def due(subscription: Subscription, until: datetime) -> bool:
    """Right-after-a-refresh digests are due whenever a refresh found something; daily ones once a day."""
    if subscription.frequency == Subscription.AFTER_REFRESH:
        return True
    return until - subscription.covered_until >= DAY


def send_digests(snapshot: Snapshot) -> Outcome:
    """Puts together and delivers every due digest of the snapshot's organization up to `snapshot`,
    then retries earlier failures."""
    outcome = Outcome()
    if not settings.HISTORY_RETENTION_DAYS:
        return outcome  # digests are made of the change history
    until = snapshot.fetched_at
    subscriptions = Subscription.objects.select_related("user").filter(org=snapshot.org, covered_until__lt=until)
    for subscription in subscriptions:
        if not due(subscription, until) or not subscription.user.is_active:
            continue
        since = subscription.covered_until
        digest = compose(subscription, snapshot, since, until)
        with transaction.atomic():
            # Claimed before sending: another process running the same digest finds it covered.
            claimed = Subscription.objects.filter(pk=subscription.pk, covered_until=since).update(covered_until=until)
            if not claimed or digest is None:
                continue
            channels = [Delivery.EMAIL] if subscription.email else []
            if subscription.webhook_url and settings.DIGEST_WEBHOOK_SECRET:
                channels.append(Delivery.WEBHOOK)
            deliveries = [
                Delivery.objects.create(
                    subscription=subscription,
                    channel=channel,
                    subject=digest.subject,
                    text=digest.text,
                    payload=digest.payload,
                )
                for channel in channels
            ]
        outcome.digests += 1
        for item in deliveries:
            if delivery.attempt(item):
                outcome.sent += 1
            else:
                outcome.failing += 1
    sent, failing = delivery.retry_due()
    outcome.sent += sent
    outcome.failing += failing
    return outcome
