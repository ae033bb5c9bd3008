"""The shared cache's keys of one organization's snapshot, refresh and upstream state.

Each organization has its own snapshot, lock, back-off, call budget and names (OpenCX's limits are
per key), so one failing or refreshing never holds up another.
"""


def key(org: str, name: str) -> str:
    return f"switchboard:org:{org}:{name}"
