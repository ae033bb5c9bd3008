"""Delivering digests: e-mail through Django's mail backend, webhooks as signed JSON; failures retried with back-off.

The webhook body is JSON with a Slack-compatible `text`; it is signed with `DIGEST_WEBHOOK_SECRET`:
`X-Switchboard-Signature: v1=<hex HMAC-SHA256 of "<X-Switchboard-Timestamp>." + body>`. A failed
attempt is tried again after 1, 5 and 30 minutes, then 2 and 6 hours (when `send_digests` or a
refresh runs), then given up; staff see failing deliveries on the Digests page and in the admin.
Neither the secret nor a webhook URL (which may itself be secret) is written to an error.

Each post goes only where the subscription form allowed (checked again before sending: a URL
stored before a check existed, or a host since removed from DIGEST_WEBHOOK_HOSTS, is refused),
ends by its deadline, follows no redirect and reads nothing of the answer but its status.
"""

import hashlib
import hmac
import logging
import time
from datetime import datetime, timedelta

import orjson
import requests
from django.conf import settings
from django.core.mail import send_mail
from django.db.models import Q
from django.utils import timezone

from dashboard.outbound.addresses import Target, UnsafeURL, host_of, parse_target
from dashboard.outbound.deadlines import Deadline, deadline_session

from .models import Delivery

logger = logging.getLogger(__name__)

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
WEBHOOK_TIMEOUT = 5  # seconds for a whole delivery: connecting, sending, the answer's status
USER_AGENT = "Switchboard digests"


class DeliveryFailed(Exception):
    """`str()` is safe to store and show: no secret, no URL."""


def signature(secret: str, timestamp: str, body: bytes) -> str:
    return "v1=" + hmac.new(secret.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()


def webhook_target(url: str) -> Target:
    """Where a webhook URL posts, if it may: read as the HTTP client reads it, then held against
    DIGEST_WEBHOOK_HOSTS. Raises `UnsafeURL` saying what is wrong, without the URL (it may be a secret)."""
    target = parse_target(url, what="The webhook URL")
    if not target.allowed_by(settings.DIGEST_WEBHOOK_HOSTS):
        allowed = ", ".join(settings.DIGEST_WEBHOOK_HOSTS) or "none"
        raise UnsafeURL(f"Webhooks may go to these hosts only (DIGEST_WEBHOOK_HOSTS): {allowed}.")
    return target


def _post_webhook(delivery: Delivery) -> None:
    try:
        target = webhook_target(delivery.subscription.webhook_url)
    except UnsafeURL as error:
        raise DeliveryFailed(f"not sent: {error}") from None
    body = orjson.dumps(delivery.payload)
    timestamp = str(int(time.time()))
    headers = {
        "Content-Type": "application/json",
        "User-Agent": USER_AGENT,
        "X-Switchboard-Timestamp": timestamp,
        "X-Switchboard-Signature": signature(settings.DIGEST_WEBHOOK_SECRET, timestamp, body),
    }
    with Deadline(WEBHOOK_TIMEOUT) as deadline, deadline_session() as session:
        try:
            response = session.post(
                target.url, data=body, headers=headers, timeout=WEBHOOK_TIMEOUT, allow_redirects=False, stream=True
            )
        except requests.RequestException as error:
            if deadline.passed:
                raise DeliveryFailed(f"{target.host} did not answer within {WEBHOOK_TIMEOUT:g} s") from None
            raise DeliveryFailed(f"{target.host} could not be reached ({type(error).__name__})") from None
        # The answer's body says nothing we use: the connection is closed rather than read to its end.
        response.close()
    status = response.status_code
    if 300 <= status < 400:
        where = host_of(response.headers.get("Location")) or target.host
        raise DeliveryFailed(f"{target.host} answered HTTP {status}, a redirect to {where}, which is not followed")
    if not 200 <= status < 300:
        raise DeliveryFailed(f"{target.host} answered HTTP {status}")


def _send_email(delivery: Delivery) -> None:
    address = delivery.subscription.user.email
    if not address:
        raise DeliveryFailed("the account has no e-mail address")
    try:
        send_mail(delivery.subject, delivery.text, settings.DEFAULT_FROM_EMAIL, [address])
    except Exception as error:  # SMTP and socket errors of any kind; the message may name the server, not secrets
        raise DeliveryFailed(f"the mail server refused or failed ({type(error).__name__})") from None


def attempt(delivery: Delivery, now: datetime | None = None) -> bool:
    """One try; on failure the next is scheduled, or the delivery is given up. True when it was sent."""
    now = now or timezone.now()
    delivery.attempts += 1
    try:
        (_post_webhook if delivery.channel == Delivery.WEBHOOK else _send_email)(delivery)
    except DeliveryFailed as error:
        delivery.last_error = str(error)[:300]
        if delivery.attempts > len(BACKOFF):
            delivery.state, delivery.next_attempt_at = Delivery.FAILED, None
        else:
            delivery.next_attempt_at = now + BACKOFF[delivery.attempts - 1]
        logger.warning("Digest %s #%d failed (attempt %d): %s", delivery.channel, delivery.pk, delivery.attempts, error)
    else:
        delivery.state, delivery.sent_at, delivery.next_attempt_at = Delivery.SENT, now, None
    delivery.save(update_fields=["attempts", "state", "sent_at", "next_attempt_at", "last_error"])
    return delivery.state == Delivery.SENT


def retry_due(now: datetime | None = None) -> tuple[int, int]:
    """Tries every delivery whose retry is due; returns (sent, still failing)."""
    now = now or timezone.now()
    due = Delivery.objects.select_related("subscription__user").filter(
        Q(state=Delivery.PENDING) & Q(next_attempt_at__lte=now)
    )
    sent = failing = 0
    for delivery in due:
        if attempt(delivery, now):
            sent += 1
        else:
            failing += 1
    return sent, failing


FAILING = Q(state=Delivery.FAILED) | Q(state=Delivery.PENDING, attempts__gt=0)


def failing_deliveries() -> list[Delivery]:
    """Deliveries given up or waiting for a retry, the newest 100 (what staff see)."""
    return list(Delivery.objects.select_related("subscription__user").filter(FAILING).order_by("-created_at")[:100])


def failing_count() -> int:
    return Delivery.objects.filter(FAILING).count()
