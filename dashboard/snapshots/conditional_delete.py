"""Deleting a key of the shared cache only while it still holds a given value, in one atomic step.

Django's cache API has no compare-and-delete: a `get` then a `delete` can delete a value another
process put there in between (a lock that expired and was taken by another worker). Each back end
the project runs on can do it in one step, on the value as that back end stores it (keys made with
the cache's prefix and version, values pickled):

* the database cache: one `DELETE ... WHERE cache_key = %s AND value = %s` on its table;
* Redis: a Lua script (`GET`, compare, `DEL`), which Redis runs without interleaving;
* the local-memory cache (tests, one process): under its own lock.
"""

import base64
import pickle
from typing import Any

from django.core.cache import BaseCache, caches
from django.core.cache.backends.db import DatabaseCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.cache.backends.redis import RedisCache
from django.db import connections, router

# KEYS[1] is deleted only while it holds ARGV[1]; 1 when it was.
DELETE_IF_EQUAL = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
    return redis.call('DEL', KEYS[1])
end
return 0
"""


def delete_if_equal(key: str, value: Any, alias: str = "default") -> bool:
    """Deletes `key` from the cache `alias` if, and only if, it holds `value`; whether it did."""
    cache = caches[alias]
    if isinstance(cache, DatabaseCache):
        return _from_table(cache, key, value)
    if isinstance(cache, RedisCache):
        return _from_redis(cache, key, value)
    if isinstance(cache, LocMemCache):
        return _from_memory(cache, key, value)
    return _not_atomic(cache, key, value)


def _from_table(cache: DatabaseCache, key: str, value: Any) -> bool:
    cache_key = cache.make_and_validate_key(key)
    # As DatabaseCache._base_set stores a value: pickled, then base64 as text.
    stored = base64.b64encode(pickle.dumps(value, cache.pickle_protocol)).decode("latin1")
    connection = connections[router.db_for_write(cache.cache_model_class)]
    table, column_key, column_value = map(connection.ops.quote_name, (cache._table, "cache_key", "value"))
    # Names from the settings, quoted as Django's own cache quotes them; the values are parameters.
    statement = f"DELETE FROM {table} WHERE {column_key} = %s AND {column_value} = %s"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(statement, [cache_key, stored])
        return bool(cursor.rowcount)


def _from_redis(cache: RedisCache, key: str, value: Any) -> bool:
    cache_key = cache.make_and_validate_key(key)
    client = cache._cache.get_client(cache_key, write=True)
    return bool(client.eval(DELETE_IF_EQUAL, 1, cache_key, cache._cache._serializer.dumps(value)))


def _from_memory(cache: LocMemCache, key: str, value: Any) -> bool:
    cache_key = cache.make_and_validate_key(key)
    stored = pickle.dumps(value, cache.pickle_protocol)
    with cache._lock:
        if cache._cache.get(cache_key) != stored:
            return False
        return cache._delete(cache_key)


def _not_atomic(cache: BaseCache, key: str, value: Any) -> bool:
    # A back end the project does not run on (file, memcached): the best its API allows.
    if cache.get(key) != value:
        return False
    return bool(cache.delete(key))
