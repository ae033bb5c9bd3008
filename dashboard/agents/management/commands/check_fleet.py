"""`manage.py check_fleet`: the findings, for the CI of a configuration repository or a cron alert.

Reads OpenCX now (or reuses a read of the last few seconds), prints every finding and exits 1
when one of the `--fail-on` severity or worse exists, else 0; 2 when OpenCX could not be read.
"""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.http import Http404

from dashboard.agents.findings import SEVERITIES
from dashboard.agents.fleet_findings import at_least, rule_outcomes
from dashboard.fields.kinds import utc_iso
from dashboard.opencx.errors import OpenCXError
from dashboard.orgs.registry import NoOrganization, OrganizationNeeded, org_named, organizations, the_org
from dashboard.snapshots.service import SnapshotUnavailable, get_snapshot, refresh_snapshot, wait_for_refresh

NEVER = "never"


class Command(BaseCommand):
    help = "Prints the configuration findings; exits 1 when one of --fail-on's severity or worse exists."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--fail-on",
            choices=[*SEVERITIES, NEVER],
            default="error",
            help="Exit 1 when a finding of this severity or worse exists (default: error; never: always 0).",
        )
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument(
            "--cached", action="store_true", help="Use the data the dashboard has instead of reading OpenCX now."
        )
        parser.add_argument("--org", help="The organization's slug (needed when there are several).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            org = org_named(options["org"]) if options["org"] else the_org(None)
        except (Http404, NoOrganization, OrganizationNeeded) as error:
            known = ", ".join(org.slug for org in organizations())
            raise CommandError(f"{error} Name one with --org ({known or 'none configured'}).", returncode=2) from None
        try:
            snapshot = get_snapshot(org) if options["cached"] else refresh_snapshot(org, wait=True, force=True).snapshot
        except (OpenCXError, SnapshotUnavailable) as error:
            raise CommandError(f"Could not read the agents: {error}", returncode=2) from None
        finally:
            wait_for_refresh()
        failing = set() if options["fail_on"] == NEVER else at_least(options["fail_on"])
        outcomes = [
            outcome for outcome in rule_outcomes(snapshot, every_org=True) if outcome.enabled and outcome.agents
        ]
        failed = [outcome for outcome in outcomes if outcome.rule.severity in failing]
        if options["format"] == "json":
            self.stdout.write(json.dumps(self._json(snapshot, outcomes, options["fail_on"], bool(failed)), indent=2))
        else:
            self._text(snapshot, outcomes, options["fail_on"], failed)
        if failed:
            raise SystemExit(1)

    def _json(self, snapshot: Any, outcomes: list, fail_on: str, failed: bool) -> dict[str, Any]:
        return {
            "fetched_at": utc_iso(snapshot.fetched_at),
            "source": snapshot.source,
            "agents": len(snapshot.agents),
            "fail_on": fail_on,
            "failed": failed,
            "findings": [
                {
                    "id": outcome.rule.id,
                    "severity": outcome.rule.severity,
                    "explanation": outcome.rule.explanation,
                    "remedy": outcome.rule.remedy,
                    "count": len(outcome.agents),
                    "agents": [{"id": agent.id, "name": agent.display_name} for agent in outcome.agents],
                }
                for outcome in outcomes
            ],
        }

    def _text(self, snapshot: Any, outcomes: list, fail_on: str, failed: list) -> None:
        for outcome in outcomes:
            rule = outcome.rule
            self.stdout.write(f"{rule.severity:<7} {rule.id} ({len(outcome.agents)}): {rule.explanation} {rule.remedy}")
            for agent in outcome.agents:
                self.stdout.write(f"        {agent.display_name} [{agent.id}]")
        counts = {severity: 0 for severity in SEVERITIES}
        for outcome in outcomes:
            counts[outcome.rule.severity] += len(outcome.agents)
        summary = ", ".join(f"{count} {severity}" for severity, count in counts.items())
        verdict = f"failing: findings of severity {fail_on} or worse" if failed else "passing"
        self.stdout.write(
            f"{len(snapshot.agents):,} agents read {utc_iso(snapshot.fetched_at)}: {summary} — {verdict} "
            f"(--fail-on {fail_on})."
        )
