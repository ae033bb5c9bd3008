"""Storing upstream JSON in the database."""

import json
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
        except orjson.JSONEncodeError:  # integers beyond 64 bits
            text = super().encode(o)
        return _NUL_ESCAPE.sub(r"\1\\ufffd", text) if "\\u0000" in text else text
