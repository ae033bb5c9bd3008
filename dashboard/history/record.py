"""Recording snapshots: only the agents added, removed or changed since the last one are stored.

Each agent's content is hashed (its upstream record, keys sorted); `AgentState` holds the newest
hash and record of every agent, so a snapshot is compared with one read of 50,000 short rows
and only the agents whose hash moved are written. The first recording is the baseline.

The comparison runs outside any write transaction and the changes are written in batches of
`CHUNK` agents, each batch with those agents' new state in one short transaction: recording a
change of the whole fleet never holds the database (on SQLite, the whole file) for long.
"""

import hashlib
import json
import logging
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import orjson
from django.conf import settings
from django.db import connection, transaction

from dashboard.fields import active_registry
from dashboard.fields.values import bulk_allocation
from dashboard.orgs.registry import DEFAULT_SLUG

from .models import AgentChange, AgentState, FleetRevision

logger = logging.getLogger(__name__)

# Agents per batch, and ids per `IN (...)` query: far below every database's limit on query
# parameters, and a write transaction short enough not to be felt by other requests.
CHUNK = 500
BATCH_PAUSE = 0.05  # seconds between batches on SQLite


def content_hash(record: dict[str, Any]) -> str:
    """A digest of the agent as sent: any change to any field, known to this code or not, moves it."""
    try:
        canonical = orjson.dumps(record, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # integers beyond 64 bits
        canonical = json.dumps(record, sort_keys=True, default=str).encode()
    return hashlib.blake2b(canonical, digest_size=16).hexdigest()


def changed_fields(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The fields whose values differ, in the schema's order, then unknown ones alphabetically."""
    keys = (before.keys() | after.keys()) - {"id"}
    changed = [key for key in keys if _canonical(before.get(key)) != _canonical(after.get(key))]
    order = {field.upstream_key: position for position, field in enumerate(active_registry().fields)}
    return sorted(changed, key=lambda key: (order.get(key, len(order)), key))


def _canonical(value: Any) -> bytes:
    # Compared as JSON, not with ==, for which 1 == 1.0 == True.
    return json.dumps(value, sort_keys=True, default=str).encode()


@dataclass(frozen=True, slots=True)
class _Seen:
    content_hash: str
    record: dict[str, Any]


def _fleet(records: Iterable[Any], agent_ids: Iterable[str]) -> dict[str, _Seen]:
    """Each agent's first record (as the snapshot shows it), hashed; records the snapshot left out are skipped."""
    wanted = set(agent_ids)
    fleet: dict[str, _Seen] = {}
    for record in records:
        if not isinstance(record, dict):
            continue
        agent_id = record.get("id")
        if agent_id in wanted and agent_id not in fleet:
            fleet[agent_id] = _Seen(content_hash(record), record)
    return fleet


def _chunks(items: list[str]) -> Iterator[list[str]]:
    for start in range(0, len(items), CHUNK):
        yield items[start : start + CHUNK]


def _name(record: dict[str, Any] | None) -> str:
    name = record.get("name") if record else None
    return name if isinstance(name, str) else ""


def record_snapshot(
    records: list[Any], agent_ids: Iterable[str], *, recorded_at: datetime, source: str, org: str = DEFAULT_SLUG
) -> FleetRevision | None:
    """Stores what changed in organization `org` since its last recorded snapshot; None (and no
    write) when nothing did, or when a newer snapshot has been recorded already.

    `records` are the upstream's agent objects as received; `agent_ids` those the snapshot kept.
    """
    # Hashing and comparing 50,000 agents makes a few hundred thousand short-lived objects; a
    # cyclic collection over the heap they sit on would cost more than the recording itself.
    with bulk_allocation():
        fleet = _fleet(records, agent_ids)
        revision = _record(org, fleet, recorded_at=recorded_at, source=source)
    if revision is not None:
        prune(now=recorded_at)
    return revision


def _record(org: str, fleet: dict[str, _Seen], *, recorded_at: datetime, source: str) -> FleetRevision | None:
    states = AgentState.objects.filter(org=org)
    # Read outside any write transaction: on SQLite a write transaction holds the whole file, and
    # comparing 50,000 agents takes long enough to stall every other request that writes.
    previous = dict(states.values_list("agent_id", "content_hash"))
    added = [agent_id for agent_id in fleet if agent_id not in previous]
    removed = [agent_id for agent_id in previous if agent_id not in fleet]
    changed = [
        agent_id for agent_id, seen in fleet.items() if agent_id in previous and previous[agent_id] != seen.content_hash
    ]
    with transaction.atomic():
        if _superseded(org, recorded_at):
            return None
        baseline = not previous and not FleetRevision.objects.filter(org=org).exists()
        if not (added or removed or changed or baseline):
            return None
        revision = FleetRevision.objects.create(
            org=org,
            recorded_at=recorded_at,
            source=source,
            agents=len(fleet),
            added=0 if baseline else len(added),
            removed=len(removed),
            changed=len(changed),
            baseline=baseline,
        )
    work = [(agent_id, AgentChange.ADDED) for agent_id in added]
    work += [(agent_id, AgentChange.REMOVED) for agent_id in removed]
    work += [(agent_id, AgentChange.CHANGED) for agent_id in changed]
    for start in range(0, len(work), CHUNK):
        if not _record_batch(revision, fleet, work[start : start + CHUNK]):
            break
        if connection.vendor == "sqlite" and start + CHUNK < len(work):
            # SQLite has one writer at a time and a waiting one only retries now and then (its
            # busy handler sleeps up to 100 ms between tries): a pause between batches lets it in.
            time.sleep(BATCH_PAUSE)
    return revision


def _record_batch(revision: FleetRevision, fleet: dict[str, _Seen], batch: list[tuple[str, str]]) -> bool:
    """Writes one batch of a revision's changes with the agents' new state, in one short transaction,
    so the history and the state never disagree about an agent; False when a newer snapshot of the
    organization was recorded meanwhile (the rest is then its to record, not this one's)."""
    org = revision.org
    leaving = [agent_id for agent_id, kind in batch if kind != AgentChange.ADDED]
    old = _stored_records(org, leaving)
    entries = []
    for agent_id, kind in batch:
        if kind == AgentChange.ADDED and not revision.baseline:
            entries.append(_added(revision, agent_id, fleet[agent_id].record))
        elif kind == AgentChange.REMOVED:
            entries.append(_removed(revision, agent_id, old[agent_id]))
        elif kind == AgentChange.CHANGED:
            entries.append(_changed(revision, agent_id, old[agent_id], fleet[agent_id].record))
    states = [
        AgentState(org=org, agent_id=agent_id, content_hash=fleet[agent_id].content_hash, record=fleet[agent_id].record)
        for agent_id, kind in batch
        if kind != AgentChange.REMOVED
    ]
    # Only the writes in the transaction: what they write is worked out before it begins.
    with transaction.atomic():
        if _superseded(org, revision.recorded_at):
            return False
        AgentChange.objects.bulk_create(entries, batch_size=CHUNK)
        # Replaced rather than updated: one DELETE and one INSERT per batch whatever the number.
        AgentState.objects.filter(org=org, agent_id__in=leaving).delete()
        AgentState.objects.bulk_create(states, batch_size=CHUNK)
    return True


def _superseded(org: str, recorded_at: datetime) -> bool:
    # Recording runs after the snapshot is in service, so another process's newer snapshot can,
    # rarely, be recorded first; an older one must not then roll the state back.
    if FleetRevision.objects.filter(org=org, recorded_at__gt=recorded_at).exists():
        logger.info("Snapshot of %s at %s not recorded: a newer one already was.", org, recorded_at.isoformat())
        return True
    return False


def _stored_records(org: str, agent_ids: list[str]) -> dict[str, dict[str, Any]]:
    stored: dict[str, dict[str, Any]] = {}
    for chunk in _chunks(agent_ids):
        stored.update(AgentState.objects.filter(org=org, agent_id__in=chunk).values_list("agent_id", "record"))
    return stored


def _added(revision: FleetRevision, agent_id: str, record: dict[str, Any]) -> AgentChange:
    return _change(revision, agent_id, AgentChange.ADDED, name=_name(record), after=record)


def _removed(revision: FleetRevision, agent_id: str, record: dict[str, Any]) -> AgentChange:
    return _change(revision, agent_id, AgentChange.REMOVED, name=_name(record), before=record)


def _changed(revision: FleetRevision, agent_id: str, before: dict[str, Any], after: dict[str, Any]) -> AgentChange:
    fields = changed_fields(before, after)
    return _change(
        revision,
        agent_id,
        AgentChange.CHANGED,
        name=_name(after) or _name(before),
        fields=fields,
        before={field: before.get(field) for field in fields},
        after={field: after.get(field) for field in fields},
    )


def _change(
    revision: FleetRevision, agent_id: str, kind: str, *, name: str, fields: Sequence[str] = (), **values: Any
) -> AgentChange:
    return AgentChange(
        revision=revision,
        org=revision.org,
        recorded_at=revision.recorded_at,
        agent_id=agent_id,
        name=name,
        kind=kind,
        fields=f" {' '.join(fields)} " if fields else "",
        **values,
    )


def prune(*, now: datetime) -> int:
    """Deletes changes older than `HISTORY_RETENTION_DAYS`; returns how many. The agents' current
    state is kept whatever its age, so the next snapshot is still compared with it."""
    cutoff = now - timedelta(days=settings.HISTORY_RETENTION_DAYS)
    deleted, _ = AgentChange.objects.filter(recorded_at__lt=cutoff).delete()
    FleetRevision.objects.filter(recorded_at__lt=cutoff).delete()
    return deleted
