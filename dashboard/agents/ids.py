"""Agent ids in URLs.

Ids are opaque upstream text and may hold `/`, `?`, `#`, `..`, spaces or any unicode, which
browsers and servers rewrite or split (`/agents/../` collapses, `%2F` is decoded before
routing). Plain ids stay readable in the URL; any other id travels as `~` + base64url of its
UTF-8, which survives every hop unchanged and cannot be mistaken for a plain id.
"""

import base64
import binascii
import re

PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]*")


def encode_agent_id(agent_id: str) -> str:
    if PLAIN_ID.fullmatch(agent_id):
        return agent_id
    return "~" + base64.urlsafe_b64encode(agent_id.encode()).decode().rstrip("=")


def decode_agent_id(ref: str) -> str:
    """The id behind a URL segment; `ValueError` unless the segment is exactly what `encode_agent_id` makes."""
    if not ref.startswith("~"):
        agent_id = ref
    else:
        try:
            agent_id = base64.urlsafe_b64decode(ref[1:] + "=" * (-len(ref[1:]) % 4)).decode()
        except (binascii.Error, UnicodeError, ValueError):
            agent_id = None
    # One URL per agent: anything but the canonical form (stray characters, padding) is refused.
    if agent_id is None or encode_agent_id(agent_id) != ref:
        raise ValueError(f"not an agent reference: {ref!r}")
    return agent_id


class AgentIdConverter:
    """`<agent_id:agent_id>` in URL patterns: views get the real id, `reverse()` encodes it."""

    regex = r"[A-Za-z0-9][A-Za-z0-9_.\-]*|~[A-Za-z0-9_\-]*"

    def to_python(self, value: str) -> str:
        return decode_agent_id(value)

    def to_url(self, value: str) -> str:
        return encode_agent_id(value)
