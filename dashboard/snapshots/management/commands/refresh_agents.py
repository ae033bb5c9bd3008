"""`manage.py refresh_agents`: read OpenCX now and let the subscribers (the change history) record it.

For cron or a systemd timer. Exits with status 1 and a one-line reason when OpenCX could not be
read or a subscriber (the change history's recording) failed; `--quiet` prints nothing else.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from dashboard.opencx.errors import OpenCXError
from dashboard.snapshots.service import SnapshotUnavailable, refresh_snapshot, wait_for_refresh


class Command(BaseCommand):
    help = (
        "Reads the phone agents from OpenCX, makes them the dashboard's current data and records "
        "what changed in the change history. Exits with status 1 when either fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless it fails (for cron).")

    def handle(self, *args: Any, quiet: bool = False, **options: Any) -> None:
        try:
            outcome = refresh_snapshot(wait=True, force=True)  # the timer's read: after a running one
        except (OpenCXError, SnapshotUnavailable) as error:
            raise CommandError(f"Refreshing agents failed: {error}") from None
        snapshot = outcome.snapshot
        if outcome.reused:
            said = f"{len(snapshot.agents):,} agents were read moments ago; nothing new to record."
        else:
            refresh = outcome.refresh
            assert refresh is not None
            refresh.wait_finished()
            wait_for_refresh()
            if refresh.failures:
                raise CommandError(
                    f"Read {len(snapshot.agents):,} agents, but recording them failed: {'; '.join(refresh.failures)}"
                )
            said = self.style.SUCCESS(
                f"Read {len(snapshot.agents):,} agents: {'; '.join(refresh.outcomes) or 'nothing else to do'}."
            )
        if not quiet:
            self.stdout.write(said)
