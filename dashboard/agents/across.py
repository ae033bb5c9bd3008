"""Views across organizations: their snapshots combined into one, and an index made of theirs.

A person who may see several organizations gets, at the URLs without /o/<slug>/, the overview,
the list (with its Organization column and facet), its search and the findings over all of them.
Each organization's own snapshot and index are reused: the combined one is their agents one after
another, and its facets, search texts and findings are theirs, shifted into place, so combining
costs little and nothing is read or parsed twice. An organization with no data yet (its first read
is under way) or failing is left out with a notice; it never holds the others up.
"""

import hashlib
import threading
from collections.abc import Sequence

from cachetools import FIFOCache
from django.utils import timezone

from dashboard.access.readers import Reader
from dashboard.fields import PhoneAgent
from dashboard.orgs.registry import Org
from dashboard.snapshots.service import SnapshotUnavailable, first_reads, get_snapshot
from dashboard.snapshots.snapshot import Snapshot

KEEP = 8
_lock = threading.Lock()  # around `_combined`: cachetools' caches are not thread-safe
_combined: FIFOCache[tuple[str, ...], Snapshot] = FIFOCache(KEEP)  # parts' versions -> the combined snapshot


def snapshot_for(reader: Reader) -> Snapshot:
    """The agents a page of `reader` shows: its organization's, or (none named) every one it may see."""
    if reader.org is not None:
        return get_snapshot(reader.org)
    if not reader.orgs:
        raise SnapshotUnavailable(
            "No OpenCX organization is configured for you: ask staff to give you a role in one "
            "(admin, Organization roles)."
        )
    return across(reader.orgs)


def across(orgs: Sequence[Org]) -> Snapshot:
    """Every organization in `orgs` that has data, combined; those without are named in `left_out`."""
    found = first_reads(orgs)
    parts = tuple(found[org.slug] for org in orgs if org.slug in found)
    unread = [org for org in orgs if org.slug not in found]
    left_out = tuple(f"{org.name}: its agents could not be read yet (its own pages say why)." for org in unread)
    return combined(parts, left_out)


def combined(parts: tuple[Snapshot, ...], left_out: tuple[str, ...] = ()) -> Snapshot:
    """One snapshot of the parts' agents, one organization after another (made once per set of versions)."""
    key = (*(f"{part.org}:{part.version}:{part.stale_reason or ''}" for part in parts), *left_out)
    with _lock:
        found = _combined.get(key)
    if found is not None:
        return found
    agents: list[PhoneAgent] = []
    problems = []
    voices: dict[str, str] = {}
    actions: dict[str, str] = {}
    for part in parts:
        agents.extend(part.agents)
        problems.extend(part.problems)
        voices.update(part.voice_names)
        actions.update(part.action_names)
    stale = [f"{part.org}: {part.stale_reason}" for part in parts if part.stale_reason]
    snapshot = Snapshot(
        agents=tuple(agents),
        fetched_at=min((part.fetched_at for part in parts), default=timezone.now()),
        source=", ".join(sorted({part.source for part in parts})),
        problems=tuple(problems),
        version=hashlib.blake2b("\n".join(key).encode(), digest_size=12).hexdigest(),
        org="",
        parts=parts,
        left_out=left_out,
        stale_reason="; ".join(stale) or None,
        voice_names=voices,
        action_names=actions,
    )
    with _lock:
        _combined[key] = snapshot
    return snapshot
