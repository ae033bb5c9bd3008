"""`manage.py refresh_agents`: read every organization's agents now and let the subscribers (the
change history) record them.

For cron or a systemd timer. Each organization is read on its own: one failing does not stop the
others. Exits with status 1 and a line per failure when an organization could not be read or a
subscriber (the change history's recording) failed; `--quiet` prints nothing else.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from dashboard.opencx.errors import OpenCXError
from dashboard.orgs.registry import Org, org_named, organizations
from dashboard.snapshots.service import SnapshotUnavailable, refresh_snapshot, wait_for_refresh


class Command(BaseCommand):
    help = (
        "Reads the phone agents of every organization (or of --org) from OpenCX, makes them the dashboard's "
        "current data and records what changed in the change history. Exits with status 1 when either fails."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet", action="store_true", help="Print nothing unless it fails (for cron).")
        parser.add_argument("--org", action="append", default=[], help="Only this organization (its slug; repeatable).")

    def handle(self, *args: Any, quiet: bool = False, org: list[str], **options: Any) -> None:
        try:
            orgs = [org_named(slug) for slug in org] if org else organizations()
        except Http404 as error:
            raise CommandError(f"{error} Known: {', '.join(o.slug for o in organizations())}.") from None
        if not orgs:
            raise CommandError("No organization is configured: set OPENCX_API_TOKEN or OPENCX_ORGS.")
        several = len(orgs) > 1
        failures = []
        for each in orgs:
            named = f"{each.name}: " if several else ""
            try:
                said = self._refresh(each)
            except CommandError as error:
                failures.append(f"{named}{error}")
                continue
            if not quiet:
                self.stdout.write(f"{named}{said}")
        if failures:
            raise CommandError("\n".join(failures))

    def _refresh(self, org: Org) -> str:
        try:
            outcome = refresh_snapshot(org, wait=True, force=True)  # the timer's read: after a running one
        except (OpenCXError, SnapshotUnavailable) as error:
            raise CommandError(f"Refreshing agents failed: {error}") from None
        snapshot = outcome.snapshot
        if outcome.reused:
            return f"{len(snapshot.agents):,} agents were read moments ago; nothing new to record."
        refresh = outcome.refresh
        assert refresh is not None
        refresh.wait_finished()
        wait_for_refresh()
        if refresh.failures:
            raise CommandError(
                f"Read {len(snapshot.agents):,} agents, but recording them failed: {'; '.join(refresh.failures)}"
            )
        return self.style.SUCCESS(
            f"Read {len(snapshot.agents):,} agents: {'; '.join(refresh.outcomes) or 'nothing else to do'}."
        )
