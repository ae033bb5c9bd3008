"""JSON through orjson: fast for pages of 500 agents, and upstream NaN (which Python's reader accepts) as null."""

from typing import Any

import orjson
from rest_framework.renderers import JSONRenderer


class FastJSONRenderer(JSONRenderer):
    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        try:
            return orjson.dumps(data, default=str)
        except orjson.JSONEncodeError:  # integers beyond 64 bits: the standard encoder
            return super().render(data, accepted_media_type, renderer_context)
