"""The refresh lock is given up only by its holder, in one step, on every cache back end the project
runs on: a holder whose lock expired and was taken by another worker leaves the other's lock in place.

The local-memory and database caches run here; Redis in the back-end run of `make test`
(`python -m tests.servers`, which sets REDIS_URL).
"""

import os
from typing import Any

import pytest
from django.core.cache import cache, caches
from django.core.management import call_command

from dashboard.snapshots import single_flight
from dashboard.snapshots.conditional_delete import delete_if_equal

BACKENDS = {
    "locmem": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "single-flight-tests"},
    "database": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "switchboard_cache"},
    "redis": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": os.environ.get("REDIS_URL", ""),
        "KEY_PREFIX": "switchboard",
    },
}


@pytest.fixture(params=list(BACKENDS))
def backend(request: Any, settings: Any) -> str:
    if request.param == "redis" and not os.environ.get("REDIS_URL"):
        pytest.skip("needs the Redis of `python -m tests.servers` (make test runs it)")
    before = settings.CACHES
    settings.CACHES = {"default": {**BACKENDS[request.param], "TIMEOUT": None}}
    if request.param == "database":
        request.getfixturevalue("db")
        call_command("createcachetable", verbosity=0)  # the test database was made with another cache
    cache.clear()
    yield request.param
    cache.clear()
    settings.CACHES = before  # while the database is still there for the suite's own clean-up


def lock_of(org: str = "default") -> Any:
    return cache.get(single_flight.lock_key(org))


def taken_over(org: str = "default") -> str:
    """The lock expired (as its expiry would end it) and another worker took it: that worker's token."""
    cache.delete(single_flight.lock_key(org))
    theirs = single_flight.acquire(org)
    assert theirs is not None
    return theirs


def test_it_gives_the_lock_up_for_its_holder(backend):
    mine = single_flight.acquire("default")

    single_flight.release("default", mine)

    assert lock_of() is None
    assert single_flight.acquire("default") is not None  # the next refresh may take it at once


def test_it_leaves_the_lock_of_the_worker_that_took_it_after_it_expired(backend):
    mine = single_flight.acquire("default")
    theirs = taken_over()

    single_flight.release("default", mine)

    assert lock_of() == theirs


def test_it_leaves_the_lock_taken_over_between_a_look_and_a_delete(backend, monkeypatch):
    # A release that looks before it deletes deletes the other's lock if it changes hands in between.
    mine = single_flight.acquire("default")
    handed_over: list[str] = []
    real_get = caches["default"].get

    def get_then_expire(key: str, *args: Any, **kwargs: Any) -> Any:
        value = real_get(key, *args, **kwargs)
        if key == single_flight.lock_key("default") and value == mine and not handed_over:
            handed_over.append(taken_over())
        return value

    monkeypatch.setattr(caches["default"], "get", get_then_expire)

    single_flight.release("default", mine)

    monkeypatch.undo()
    assert lock_of() == (handed_over[0] if handed_over else None)  # theirs if it changed hands, else gone


def test_it_leaves_a_lock_that_expired_by_time_and_was_taken_again(backend, clock, settings):
    if backend == "redis":
        pytest.skip("Redis expires keys by its own clock, which the test's clock does not move")
    mine = single_flight.acquire("default")
    clock.shift(
        settings.OPENCX_TIMEOUT * single_flight.REQUESTS_PER_REFRESH + single_flight.MARGIN + 1
    )  # past its hold
    theirs = single_flight.acquire("default")
    assert theirs is not None

    single_flight.release("default", mine)

    assert lock_of() == theirs


def test_it_releases_one_organizations_lock_and_not_anothers(backend):
    mine, others = single_flight.acquire("a"), single_flight.acquire("b")

    single_flight.release("a", mine)
    single_flight.release("a", others)  # not a's token: nothing happens

    assert lock_of("a") is None and lock_of("b") == others


def test_it_deletes_only_a_key_holding_the_value_named(backend):
    cache.set("held", "token-1", timeout=60)

    assert delete_if_equal("held", "token-2") is False and cache.get("held") == "token-1"
    assert delete_if_equal("held", "token-1") is True and cache.get("held") is None
    assert delete_if_equal("held", "token-1") is False
