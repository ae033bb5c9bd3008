"""`manage.py refresh_agents`: read OpenCX now and record what changed, for cron or a systemd timer."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from dashboard.agents.service import SnapshotUnavailable, refresh_snapshot, wait_for_refresh
from dashboard.models import FleetRevision
from dashboard.opencx.errors import OpenCXError


class Command(BaseCommand):
    help = (
        "Reads the phone agents from OpenCX, makes them the dashboard's current data and records "
        "what changed in the change history. Exits with status 1 when OpenCX could not be read."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = refresh_snapshot()
        except (OpenCXError, SnapshotUnavailable) as error:
            raise CommandError(f"Refreshing agents failed: {error}") from None
        wait_for_refresh()  # the change history is recorded in a thread of its own
        snapshot = outcome.snapshot
        if outcome.reused:
            self.stdout.write(f"{len(snapshot.agents):,} agents were read moments ago; nothing new to record.")
            return
        revision = FleetRevision.objects.filter(recorded_at=snapshot.fetched_at).first()
        if not settings.HISTORY_RETENTION_DAYS:
            recorded = "change history is switched off (HISTORY_RETENTION_DAYS=0)"
        elif revision is None:
            recorded = "nothing changed since the last read"
        elif revision.baseline:
            recorded = "recorded as the start of the change history"
        else:
            recorded = f"recorded {revision.added} added, {revision.removed} removed, {revision.changed} changed"
        self.stdout.write(self.style.SUCCESS(f"Read {len(snapshot.agents):,} agents: {recorded}."))
