"""What the API answers with: agents under OpenCX's own keys, findings, changes and the snapshot they come from."""

from typing import Any

from django.urls import reverse

from dashboard.access.readers import Reader
from dashboard.agents.fleet_findings import RuleOutcome
from dashboard.agents.index import index_of
from dashboard.fields import PhoneAgent
from dashboard.fields.kinds import utc_iso
from dashboard.history.models import AgentChange
from dashboard.orgs.paths import within_org
from dashboard.snapshots.raw import raw_record
from dashboard.snapshots.snapshot import Snapshot


def snapshot_body(snapshot: Snapshot) -> dict[str, Any]:
    """When the data was read, from where, and whether it is stale: in every response."""
    return {
        "fetched_at": utc_iso(snapshot.fetched_at),
        "source": snapshot.source,
        "stale": snapshot.stale_reason is not None,
        "stale_reason": snapshot.stale_reason,
        "agents": len(snapshot.agents),
        "problems": len(snapshot.problems),
    }


def agent_body(request: Any, snapshot: Snapshot, agent: PhoneAgent, reader: Reader) -> dict[str, Any]:
    """One agent: the record as OpenCX sent it (the reader's hidden fields left out and named), the names
    OpenCX gives its voice and actions, and the findings that flag it."""
    fields, hidden = reader.redacted(raw_record(snapshot.part_of(agent), agent.id) or {})
    names: dict[str, dict[str, str]] = {}
    if "voice_id" not in reader.hidden and agent.voice_id in snapshot.voice_names:
        names["voices"] = {agent.voice_id: snapshot.voice_names[agent.voice_id]}
    if "action_ids" not in reader.hidden:
        known = {
            action: snapshot.action_names[action]
            for action in agent.action_ids or ()
            if action in snapshot.action_names
        }
        if known:
            names["actions"] = known
    return {
        "id": agent.id,
        "organization": agent.org,
        "url": request.build_absolute_uri(within_org(reverse("api-agent", args=[agent.id]), agent.org)),
        "page": request.build_absolute_uri(within_org(reverse("agent-detail", args=[agent.id]), agent.org)),
        "name": agent.display_name,
        "fields": fields,
        "hidden": hidden,
        "names": names,
        "findings": [
            found.id for found in index_of(snapshot).findings_of(agent, reader.hidden, every_org=reader.sees_every_org)
        ],
    }


def finding_body(outcome: RuleOutcome) -> dict[str, Any]:
    rule = outcome.rule
    return {
        "id": rule.id,
        "severity": rule.severity,
        "explanation": rule.explanation,
        "remedy": rule.remedy,
        "enabled": outcome.enabled,
        "count": outcome.count,
        "agent_ids": [agent.id for agent in outcome.agents],
    }


def change_body(change: AgentChange, hidden_keys: frozenset[str]) -> dict[str, Any]:
    """One recorded change; the values of fields hidden from the reader are left out, their names kept."""

    def visible(values: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if values is None else {key: value for key, value in values.items() if key not in hidden_keys}

    touched = set(change.field_names) | set(change.before or {}) | set(change.after or {})
    return {
        "id": change.pk,
        "recorded_at": utc_iso(change.recorded_at),
        "agent_id": change.agent_id,
        "name": change.name,
        "kind": change.kind,
        "fields": change.field_names,
        "before": visible(change.before),
        "after": visible(change.after),
        "hidden": sorted(touched & hidden_keys),
    }
