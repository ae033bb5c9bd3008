"""What span of time the change history covers, for the pages that say so."""

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings

from .models import AgentState, FleetRevision


@dataclass(frozen=True, slots=True)
class Coverage:
    enabled: bool  # HISTORY_RETENTION_DAYS is not 0
    started: bool  # a snapshot has been recorded (the agents' state is kept whatever its age)
    began_at: datetime | None  # the first recording, until retention prunes it
    agents_at_start: int | None
    retention_days: int


def history_coverage(org: str) -> Coverage:
    """What organization `org`'s recorded history covers."""
    baseline = FleetRevision.objects.filter(org=org, baseline=True).first()
    return Coverage(
        enabled=bool(settings.HISTORY_RETENTION_DAYS),
        started=baseline is not None or AgentState.objects.filter(org=org).exists(),
        began_at=baseline.recorded_at if baseline else None,
        agents_at_start=baseline.agents if baseline else None,
        retention_days=settings.HISTORY_RETENTION_DAYS,
    )
