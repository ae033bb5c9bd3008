"""Putting a digest together: the changes and new findings of a window, as the subscriber may see them.

Values of fields hidden from the subscriber's role never enter a digest (their names do, as on the
Changes page). A subscription narrowed to a saved list keeps the agents that list selects now;
removed agents cannot be matched against it any more and are always listed.
"""

import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.conf import settings
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils.http import urlencode

from dashboard.access.readers import Reader, reader_for_user
from dashboard.agents.findings import RULES, SEVERITIES
from dashboard.agents.listing import filtered_agents
from dashboard.fields import active_registry
from dashboard.fields.kinds import utc_iso
from dashboard.history.models import AgentChange
from dashboard.orgs.paths import within_org
from dashboard.orgs.registry import org_named
from dashboard.snapshots.snapshot import Snapshot

from .models import FindingState, Subscription

MOST_LINES = 50  # the text lists this many entries, then says how many more
MOST_ENTRIES = 500  # the webhook's JSON carries this many
SHORT = 60  # a value longer than this is not quoted in the text


@dataclass
class Digest:
    subject: str
    text: str
    payload: dict[str, Any]
    changes: int = 0
    findings: int = 0
    agents: list[str] = field(default_factory=list)


# Line breaks and other control characters (an agent's name may hold them): a digest's entry is one line.
_BREAKS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]+")


def _one_line(text: str) -> str:
    return _BREAKS.sub(" ", text)


def _site(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _short(value: Any) -> str | None:
    if isinstance(value, bool) or value is None or isinstance(value, int | float):
        return "—" if value is None else str(value).lower()
    if isinstance(value, str) and len(value) <= SHORT:
        return value or "empty"
    return None


def _change_line(change: AgentChange, hidden: frozenset[str]) -> str:
    who = f"{change.name or 'Unnamed agent'} [{change.agent_id}]"
    if change.kind != AgentChange.CHANGED:
        return f"{change.kind.capitalize()}: {who}"
    registry = active_registry()
    parts = []
    for key in change.field_names:
        label = registry.label(key)
        if key in hidden:
            parts.append(f"{label} (hidden)")
            continue
        before, after = _short((change.before or {}).get(key)), _short((change.after or {}).get(key))
        parts.append(f"{label}: {before} → {after}" if before is not None and after is not None else label)
    return f"Changed: {who}: {'; '.join(parts)}"


def _change_entry(change: AgentChange, hidden: frozenset[str]) -> dict[str, Any]:
    def visible(values: dict[str, Any] | None) -> dict[str, Any] | None:
        return None if values is None else {key: value for key, value in values.items() if key not in hidden}

    return {
        "agent_id": change.agent_id,
        "name": change.name,
        "kind": change.kind,
        "recorded_at": utc_iso(change.recorded_at),
        "fields": change.field_names,
        "before": visible(change.before),
        "after": visible(change.after),
    }


def narrowed_to(subscription: Subscription, snapshot: Snapshot, reader: Reader) -> set[str] | None:
    """The ids of the agents the subscription's saved list selects now; None when it is not narrowed."""
    if not subscription.list_query:
        return None
    rows, _ = filtered_agents(snapshot, reader, QueryDict(subscription.list_query), ())
    return {agent.id for agent in rows.data}


def compose(subscription: Subscription, snapshot: Snapshot, since: datetime, until: datetime) -> Digest | None:
    """The digest of (since, until]; None when there is nothing to say."""
    try:
        reader = reader_for_user(subscription.user, org_named(subscription.org))
    except Http404:  # the organization is gone, or its subscriber may no longer see it
        return None
    hidden = reader.hidden_keys
    wanted = narrowed_to(subscription, snapshot, reader)
    changes: list[AgentChange] = []
    if subscription.changes:
        found = AgentChange.objects.filter(org=subscription.org, recorded_at__gt=since, recorded_at__lte=until)
        found = found.order_by("recorded_at", "id")
        changes = [c for c in found if wanted is None or c.agent_id in wanted or c.kind == AgentChange.REMOVED]
    findings: list[FindingState] = []
    if subscription.findings:
        found_states = FindingState.objects.filter(
            org=subscription.org, first_seen_at__gt=since, first_seen_at__lte=until
        )
        findings = [
            state
            for state in found_states
            if (wanted is None or state.agent_id in wanted)
            and state.rule_id in RULES
            and RULES[state.rule_id].shown_to(
                reader.hidden, every_org=reader.sees_every_org
            )  # a rule reading a hidden field tells its value
        ]
        findings.sort(
            key=lambda state: (SEVERITIES.index(RULES[state.rule_id].severity), state.rule_id, state.agent_id)
        )
    if not changes and not findings:
        return None
    names = {agent.id: agent.display_name for agent in snapshot.agents}
    counted = " and ".join(
        part
        for part in (
            f"{len(changes)} change{'s' if len(changes) != 1 else ''}" if changes else "",
            f"{len(findings)} new finding{'s' if len(findings) != 1 else ''}" if findings else "",
        )
        if part
    )
    subject = f"Switchboard: {counted} since {since:%Y-%m-%d %H:%M} UTC"
    lines = [_one_line(subject + (f" (list: {subscription.list_query})" if subscription.list_query else "")), ""]
    entries = [_one_line(_change_line(change, hidden)) for change in changes]
    entries += [
        _one_line(
            f"New finding: {RULES[state.rule_id].severity} {state.rule_id}: "
            f"{names.get(state.agent_id, 'Unnamed agent')} [{state.agent_id}]: {RULES[state.rule_id].explanation}"
        )
        for state in findings
    ]
    lines += entries[:MOST_LINES]
    if len(entries) > MOST_LINES:
        lines.append(f"… and {len(entries) - MOST_LINES} more.")
    changes_path = reverse("change-list") + "?" + urlencode({"since": f"{since:%Y-%m-%dT%H:%M:%S}"})
    changes_url = _site(within_org(changes_path, subscription.org))
    findings_url = _site(within_org(reverse("finding-list"), subscription.org))
    lines += ["", f"All changes: {changes_url}", f"Findings: {findings_url}"]
    text = "\n".join(lines)
    payload = {
        "text": text,
        "subscription": subscription.name,
        "since": utc_iso(since),
        "until": utc_iso(until),
        "snapshot_fetched_at": utc_iso(snapshot.fetched_at),
        "list_query": subscription.list_query or None,
        "changes": [_change_entry(change, hidden) for change in changes[:MOST_ENTRIES]],
        "new_findings": [
            {
                "rule_id": state.rule_id,
                "severity": RULES[state.rule_id].severity,
                "agent_id": state.agent_id,
                "name": names.get(state.agent_id),
                "first_seen_at": utc_iso(state.first_seen_at),
            }
            for state in findings[:MOST_ENTRIES]
        ],
        "more": max(0, len(changes) - MOST_ENTRIES) + max(0, len(findings) - MOST_ENTRIES),
    }
    agents = sorted({change.agent_id for change in changes} | {state.agent_id for state in findings})
    return Digest(subject[:200], text, payload, len(changes), len(findings), agents)
