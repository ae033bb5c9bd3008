"""`manage.py refresh_agents`: read OpenCX now and let the subscribers (the change history) record it.

For cron or a systemd timer. Exits with status 1, saying why, when OpenCX could not be read or
a subscriber failed.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from dashboard.opencx.errors import OpenCXError
from dashboard.snapshots.service import SnapshotUnavailable, refresh_snapshot, wait_for_refresh


class Command(BaseCommand):
    help = (
        "Reads the phone agents from OpenCX, makes them the dashboard's current data and records "
        "what changed in the change history. Exits with status 1 when either fails."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            outcome = refresh_snapshot()
        except (OpenCXError, SnapshotUnavailable) as error:
            raise CommandError(f"Refreshing agents failed: {error}") from None
        snapshot = outcome.snapshot
        if outcome.reused:
            self.stdout.write(f"{len(snapshot.agents):,} agents were read moments ago; nothing new to record.")
            return
        refresh = outcome.refresh
        assert refresh is not None
        refresh.wait_finished()
        wait_for_refresh()
        if refresh.failures:
            raise CommandError(
                f"Read {len(snapshot.agents):,} agents, but recording them failed: {'; '.join(refresh.failures)}"
            )
        said = "; ".join(refresh.outcomes) or "nothing else to do"
        self.stdout.write(self.style.SUCCESS(f"Read {len(snapshot.agents):,} agents: {said}."))
