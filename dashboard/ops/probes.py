"""Probes for load balancers and process managers: liveness and readiness, always JSON.

`ProbeMiddleware` (`middleware.py`) answers them before the host check and the HTTPS redirect,
so a probe addressed by IP over plain HTTP gets its answer. Neither needs signing in or waits
for OpenCX.
"""

import logging
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from dashboard.orgs.registry import organizations
from dashboard.snapshots.service import UpstreamStatus, upstream_status, warm_up

from .metrics import holds_metrics_token

logger = logging.getLogger(__name__)

# A key nobody writes: reading it is one round trip to the cache.
CACHE_PROBE_KEY = "switchboard:readyz:probe"
# What any client learns: whether it is ready and which check failed. The organizations' slugs,
# agent counts, failures and call budgets are for the holder of METRICS_TOKEN.
PUBLIC = ("status", "checks", "failed")


@login_not_required
@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """The process is alive and answers; nothing else is checked."""
    return JsonResponse({"status": "ok"})


def _check(name: str, checks: dict[str, str], probe: Any) -> bool:
    try:
        probe()
    except Exception as error:  # whatever the driver raises, the answer is "not ready"
        checks[name] = f"unavailable ({type(error).__name__})"
        logger.warning("Readiness: the %s is unavailable: %s", name, type(error).__name__)
        return False
    checks[name] = "ok"
    return True


def _query_database() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


@dataclass(frozen=True, slots=True)
class _SnapshotState:
    check: str  # "ok", "stale", or why the organization cannot be served
    warming: bool  # its first read is under way
    figures: dict[str, Any]


def _snapshot_state(figures: UpstreamStatus) -> _SnapshotState:
    age = figures.snapshot_age
    limit = settings.READY_MAX_STALE_SECONDS
    warming = False
    if age is None:
        check = "none yet: the first read of OpenCX is under way"
        warming = not figures.failing
    elif limit and age.total_seconds() > limit:
        check = f"stale: the last good read was {age.total_seconds():.0f} s ago (READY_MAX_STALE_SECONDS={limit})"
    else:
        check = "stale" if figures.failing else "ok"
    return _SnapshotState(
        check,
        warming,
        {
            "snapshot_age_seconds": None if age is None else round(age.total_seconds(), 1),
            "agents": figures.agents,
            "failing": figures.failing,
            "consecutive_failures": figures.consecutive_failures,
            "next_retry": figures.next_retry.isoformat() if figures.next_retry else None,
            "calls_last_minute": figures.calls_last_minute,
            "call_budget": figures.call_budget,
        },
    )


@login_not_required
@never_cache
@require_safe
def readyz(request: HttpRequest) -> JsonResponse:
    """Ready to serve: the database and the cache answer, and there is agent data no older than
    READY_MAX_STALE_SECONDS. 503 otherwise, naming what failed under `failed`. The figures (age,
    agents, failures, call budget, each organization's) only with METRICS_TOKEN.

    With no data yet (or data past the cache period) it starts a read in the background, so a
    fresh instance warms itself up; the 503 of a warming instance is not logged as an error.
    """
    checks: dict[str, str] = {}
    _check("database", checks, _query_database)
    body: dict[str, Any] = {"status": "unavailable", "checks": checks}
    warming = False
    if _check("cache", checks, lambda: cache.get(CACHE_PROBE_KEY)):
        warm_up()
        states = {org.slug: _snapshot_state(upstream_status(org)) for org in organizations()}
        usable = [state for state in states.values() if state.check in ("ok", "stale")]
        if not states:
            checks["snapshot"] = "no organization is configured"
        elif not usable:  # not one organization can be served
            checks["snapshot"] = next(iter(states.values())).check
            warming = all(state.warming for state in states.values())
        else:
            checks["snapshot"] = "ok" if all(state.check == "ok" for state in states.values()) else "stale"
        if len(states) == 1:
            body.update(next(iter(states.values())).figures)
        body["organizations"] = {slug: {"check": state.check, **state.figures} for slug, state in states.items()}
    else:
        checks["snapshot"] = "unknown: the cache holds it"
    failed = [name for name, state in checks.items() if state not in ("ok", "stale")]
    body["failed"] = failed
    if not failed:
        body["status"] = checks["snapshot"]
    if not holds_metrics_token(request):
        body = {name: body[name] for name in PUBLIC}
    response = JsonResponse(body, status=503 if failed else 200)
    if warming and failed == ["snapshot"]:
        # Expected while starting: not an error for Django's request log.
        response._has_been_logged = True  # type: ignore[attr-defined]
        logger.info("Not ready yet: warming up (the first read of OpenCX is under way)")
    return response
