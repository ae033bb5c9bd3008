"""Storing upstream JSON in the database."""

import json
import math
import re
from typing import Any

import orjson

_NUL_ESCAPE = re.compile(r"(?<!\\)((?:\\\\)*)\\u0000")


class StorableJSON(json.JSONEncoder):
    """Encodes upstream JSON so any database stores it, fast (this runs for a whole baseline).

    NaN and infinities, which Python's JSON reader accepts but PostgreSQL's jsonb refuses, become
    null (orjson's rule); NUL characters, which jsonb cannot hold, become U+FFFD.
    """

    def encode(self, o: Any) -> str:
        try:
            text = orjson.dumps(o).decode()
        except orjson.JSONEncodeError:  # integers beyond 64 bits: the standard encoder, same rules
            text = super().encode(_finite(o))
        return _NUL_ESCAPE.sub(r"\1\\ufffd", text) if "\\u0000" in text else text


def _finite(value: Any) -> Any:
    """`value` with NaN and infinities as None, as orjson writes them."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(item) for item in value]
    return value
