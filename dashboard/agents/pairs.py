"""Organizations staff marked "should match", and what the drift finding needs of each such pair.

Findings are computed per organization snapshot (`index.py`); the drift finding needs the other
organization's snapshot as well. Rules never call services: `drift_facts` hands the index, for one
snapshot, agent id -> what drifted, which reaches the rule through `Fleet.drift`. It is computed
once per pair of snapshot versions, from the fields no role hides (SENSITIVE_FIELDS) and only for
pairs matched by such a field, so the finding tells no reader a hidden value.

A process trusts its list of pairs for `PAIRS_SECONDS` and a snapshot's facts for
`RECHECK_SECONDS` (then it reads the other organization's version again); marking a pair, or a
refresh, in this process makes both stale at once.
"""

import threading
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from cachetools import FIFOCache
from django.db import DatabaseError, transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from dashboard.access.readers import sensitive_fields
from dashboard.fields import PhoneAgent, active_registry
from dashboard.orgs.models import DriftPair
from dashboard.orgs.registry import org_names, organizations
from dashboard.snapshots.service import snapshot_if_any
from dashboard.snapshots.signals import snapshot_refreshed

from .drift import AMBIGUOUS, DIFFERS, MISSING_IN_TO, drift_between

PAIRS_SECONDS = 10.0
RECHECK_SECONDS = 1.0
KEEP = 16  # facts and drifts kept per process (a few organizations, a few versions each)


@dataclass(frozen=True, slots=True)
class ShouldMatch:
    source: str  # the organization whose agents the finding flags
    target: str  # the one they should match
    match_field: str


@dataclass(frozen=True, slots=True)
class DriftFacts:
    """What drifted in one organization's snapshot, from every organization it should match."""

    key: tuple[Any, ...]  # the pairs and snapshot versions it was computed from; () for none
    summaries: Mapping[str, str]  # agent id -> what drifted ("It is missing in Staging.")


NO_DRIFT = DriftFacts((), MappingProxyType({}))

_lock = threading.Lock()
_generation = 0  # moves when this process marks or unmarks a pair, or reads a snapshot
_pairs: tuple[float, int, list[ShouldMatch]] | None = None
# Used under `_lock`, as cachetools' caches are not thread-safe.
# (org, version) -> when, generation, facts
_facts: FIFOCache[tuple[str, str], tuple[float, int, DriftFacts]] = FIFOCache(KEEP)
# versions, match field, hidden -> summaries
_summaries: FIFOCache[tuple[Any, ...], Mapping[str, str]] = FIFOCache(KEEP)


def should_match_pairs() -> list[ShouldMatch]:
    """Every pair staff marked, read from the database at most every `PAIRS_SECONDS`."""
    global _pairs
    now, generation = time.monotonic(), _generation
    cached = _pairs
    if cached is not None and cached[1] == generation and now - cached[0] < PAIRS_SECONDS:
        return cached[2]
    try:
        found = [
            ShouldMatch(source, target, match_field)
            for source, target, match_field in DriftPair.objects.values_list("source", "target", "match_field")
        ]
    except DatabaseError:  # before `migrate` made the table
        found = []
    _pairs = (now, generation, found)
    return found


def forget() -> None:
    """The pairs and every organization's facts are read again on next use."""
    global _generation
    with _lock:
        _generation += 1


@receiver(post_save, sender=DriftPair, dispatch_uid="drift-pair-saved")
@receiver(post_delete, sender=DriftPair, dispatch_uid="drift-pair-deleted")
def _pair_changed(**kwargs: Any) -> None:
    forget()
    # Again once the change is committed: a request that read the pairs in between cached the old ones.
    transaction.on_commit(forget)


@receiver(snapshot_refreshed, dispatch_uid="drift-snapshot-refreshed")
def _snapshot_refreshed(**kwargs: Any) -> None:
    forget()


def drift_facts(org: str, version: str, agents: Sequence[PhoneAgent]) -> DriftFacts:
    """The drift of organization `org`'s snapshot `version` (its `agents`) from each organization it
    should match, as the other organization's snapshot in service is now."""
    now, generation = time.monotonic(), _generation
    with _lock:
        memo = _facts.get((org, version))
    if memo is not None and memo[1] == generation and now - memo[0] < RECHECK_SECONDS:
        return memo[2]
    facts = _current_facts(org, version, agents)
    with _lock:
        _facts[(org, version)] = (now, generation, facts)  # an entry made again counts as the newest
    return facts


def _current_facts(org: str, version: str, agents: Sequence[PhoneAgent]) -> DriftFacts:
    known = {each.slug: each for each in organizations()}
    if len(known) < 2:  # alone, an organization has none to match: its pairs are not even read
        return NO_DRIFT
    pairs = [pair for pair in should_match_pairs() if pair.source == org and pair.target != org]
    if not pairs:
        return NO_DRIFT
    registry, hidden = active_registry(), sensitive_fields()
    key: list[Any] = []
    summaries: dict[str, str] = {}
    for pair in pairs:
        match = registry.field(pair.match_field)
        target = known.get(pair.target)
        if match is None or not match.matchable or match.name in hidden or target is None:
            continue  # an unusable pair (a match field now sensitive, a removed organization) flags nothing
        theirs = snapshot_if_any(target)
        if theirs is None:
            continue  # not read yet: nothing can be said
        versions = (version, pair.target, theirs.version, match.name, tuple(sorted(hidden)))
        key.append(versions)
        for agent_id, summary in _summaries_for(versions, agents, theirs.agents, match, hidden).items():
            summaries.setdefault(agent_id, summary)
    return DriftFacts(tuple(key), MappingProxyType(summaries)) if key else NO_DRIFT


def _summaries_for(
    versions: tuple[Any, ...], agents: Sequence[PhoneAgent], theirs: Sequence[PhoneAgent], match: Any, hidden: Any
) -> Mapping[str, str]:
    with _lock:
        found = _summaries.get(versions)
    if found is not None:
        return found
    name = org_names().get(versions[1], versions[1])
    drift = drift_between(agents, theirs, match, hidden)
    found = {}
    for row in drift.rows:
        if row.kind == MISSING_IN_TO:
            summary = f"It is missing in {name}."
        elif row.kind == DIFFERS:
            labels = [registry_label(field) for field in row.fields]
            summary = f"It differs from {name} in {', '.join(labels)}."
        elif row.kind == AMBIGUOUS:
            summary = f"It has no single match in {name} by {match.label.lower()}."
        else:
            continue  # only in the other organization: none of this one's agents
        for agent in row.source:
            found.setdefault(agent.id, summary)
    found = MappingProxyType(found)
    with _lock:
        _summaries[versions] = found
    return found


def registry_label(name: str) -> str:
    return active_registry().label(name)
