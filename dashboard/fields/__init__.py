"""What an OpenCX phone agent is: its fields, declared once, and the record parsed from them.

Plain Python and Django's HTML utilities only: no models, views or caches.
"""

from typing import Any

from dashboard.opencx.payload import ParseProblem

from .kinds import ValueContext
from .registry import OPENCX_FIELDS, Column, Field, FieldRegistry, active_registry, override_registry

# The record type of OpenCX's fields, for type hints; records of another registry have its fields.
PhoneAgent = OPENCX_FIELDS.record_type


def parse_agents(payload: list[Any]) -> tuple[list[Any], list[ParseProblem]]:
    """Every usable agent of a `GET /phone` list, by the registry in force, and what could not be read."""
    return active_registry().parse(payload)


__all__ = [
    "OPENCX_FIELDS",
    "Column",
    "Field",
    "FieldRegistry",
    "ParseProblem",
    "PhoneAgent",
    "ValueContext",
    "active_registry",
    "override_registry",
    "parse_agents",
]
