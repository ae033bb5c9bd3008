"""What the findings amount to over one snapshot: each rule, whether it is on, and the agents it flags.

Read by the Findings page, the API and `manage.py check_fleet`, so all three count the same sets.
"""

from dataclasses import dataclass

from dashboard.fields import PhoneAgent
from dashboard.snapshots.snapshot import Snapshot

from .findings import RULES, SEVERITIES, Rule
from .index import index_of, positions


@dataclass(frozen=True, slots=True)
class RuleOutcome:
    rule: Rule
    enabled: bool
    agents: list[PhoneAgent]  # the agents it flags, in the snapshot's order (none when switched off)

    @property
    def count(self) -> int | None:
        return len(self.agents) if self.enabled else None


def rule_outcomes(snapshot: Snapshot, hidden: frozenset[str] = frozenset(), *, every_org: bool) -> list[RuleOutcome]:
    """Every rule a reader who may not see `hidden` (and sees `every_org`, or not) may see, most severe
    first, then by id."""
    index = index_of(snapshot)
    flagged = index.findings
    rules = sorted(
        (found for found in RULES.values() if found.shown_to(hidden, every_org=every_org)),
        key=lambda found: (SEVERITIES.index(found.severity), found.id),
    )
    return [
        RuleOutcome(
            found,
            found.id in flagged,
            [index.agents[position] for position in positions(flagged.get(found.id, 0))],
        )
        for found in rules
    ]


def at_least(severity: str) -> set[str]:
    """The severities as serious as `severity` or more ("warning" -> error and warning)."""
    return set(SEVERITIES[: SEVERITIES.index(severity) + 1])
