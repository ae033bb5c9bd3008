"""`manage.py send_digests`: the daily digests that are due, and retries of failed deliveries.

Run it on the refresh timer, after `refresh_agents` (digests waiting for a refresh go out after
each one by themselves). Exits 1 when a delivery is failing.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dashboard.digests.models import Delivery
from dashboard.digests.sending import Outcome, send_digests
from dashboard.digests.states import update_finding_states
from dashboard.orgs.registry import organizations
from dashboard.snapshots.service import SnapshotUnavailable, get_snapshot, wait_for_refresh


class Command(BaseCommand):
    help = "Sends the digests that are due and retries failed deliveries; exits 1 while one is failing."

    def handle(self, *args: Any, **options: Any) -> None:
        outcome, unread = Outcome(), []
        for org in organizations():
            try:
                snapshot = get_snapshot(org)
            except SnapshotUnavailable as error:
                unread.append(f"{org.name}: {error}")
                continue
            finally:
                wait_for_refresh()
            update_finding_states(snapshot)
            outcome += send_digests(snapshot)
        if unread:
            raise CommandError(f"No agent data to digest for {'; '.join(unread)}")
        # Counted afterwards: a refresh this command caused may have run the retries already.
        retrying = Delivery.objects.filter(state=Delivery.PENDING, attempts__gt=0).count()
        if retrying:
            raise CommandError(
                f"Sent {outcome}; {retrying} deliveries are failing and will be retried (staff see them on /digests/)."
            )
        self.stdout.write(self.style.SUCCESS(f"Sent {outcome}."))
