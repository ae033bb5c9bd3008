"""Which findings are new: every (rule, agent) in force, with when it was first seen, kept up to date per refresh."""

from datetime import UTC, datetime

from django.db import transaction

from dashboard.agents.index import index_of, positions
from dashboard.snapshots.snapshot import Snapshot

from .models import FindingState

# First seen "before digests existed": the findings in force when the states are first filled are not new.
KNOWN_BEFORE = datetime(2000, 1, 1, tzinfo=UTC)
CHUNK = 500


def update_finding_states(snapshot: Snapshot) -> int:
    """Notes the findings of the snapshot's organization that appeared (first seen now) and forgets
    those gone; returns how many appeared."""
    index = index_of(snapshot)
    current = {
        (rule_id, index.agents[position].id) for rule_id, mask in index.findings.items() for position in positions(mask)
    }
    states = FindingState.objects.filter(org=snapshot.org)
    with transaction.atomic():
        known = {(rule_id, agent_id): pk for pk, rule_id, agent_id in states.values_list("pk", "rule_id", "agent_id")}
        first_seen = snapshot.fetched_at if known else KNOWN_BEFORE
        appeared = [pair for pair in current if pair not in known]
        gone = [pk for pair, pk in known.items() if pair not in current]
        for start in range(0, len(gone), CHUNK):
            FindingState.objects.filter(pk__in=gone[start : start + CHUNK]).delete()
        FindingState.objects.bulk_create(
            [
                FindingState(org=snapshot.org, rule_id=rule_id, agent_id=agent_id, first_seen_at=first_seen)
                for rule_id, agent_id in appeared
            ],
            batch_size=CHUNK,
        )
    return len(appeared) if known else 0
