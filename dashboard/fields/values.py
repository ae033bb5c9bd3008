"""Reading raw JSON values from OpenCX: the parsers every field kind is built from.

Each parser takes what the upstream sent (never None: a null or missing value is the field's
default) and returns the value as this dashboard keeps it, or raises `FieldError` saying what
was wrong and, where something can still be kept, with that value.
"""

import math
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from sys import intern
from typing import Any

from dashboard.opencx.bulk import bulk_allocation

__all__ = ["bulk_allocation"]  # re-exported: parsing a fleet uses it too

NIL_UUID = "00000000-0000-0000-0000-000000000000"
MAX_UUID = "ffffffff-ffff-ffff-ffff-ffffffffffff"
UUID_PATTERN = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[1-8][0-9a-fA-F]{3}-[89abAB][0-9a-fA-F]{3}-[0-9a-fA-F]{12}"
    r"|00000000-0000-0000-0000-000000000000|ffffffff-ffff-ffff-ffff-ffffffffffff"
)


class FieldError(ValueError):
    """A field's value has the wrong shape; `value` is what can still be kept of it."""

    def __init__(self, message: str, value: Any = None) -> None:
        super().__init__(message)
        self.value = value


def describe(value: Any) -> str:
    """What a JSON value is, in words: "an object", "a list", "a number"."""
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    return "a string" if isinstance(value, str) else type(value).__name__


def text(value: Any) -> str:
    if type(value) is str:
        return value
    if isinstance(value, int | float):  # a scalar still says something: keep it as text
        raise FieldError(f"expected text, got {describe(value)}", str(value).lower())
    raise FieldError(f"expected text, got {describe(value)}")


def shared_text(value: Any) -> str:
    """Text that many agents repeat (a model, a voice, an organization): kept once in memory."""
    return intern(text(value))


def boolean(value: Any) -> bool:
    if type(value) is bool:
        return value
    raise FieldError(f"expected true or false, got {describe(value)}")


def number(value: Any) -> float:
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return value
    raise FieldError(f"expected a number, got {describe(value)}")


def integer(value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise FieldError(f"expected a whole number, got {describe(value)}")


def timestamp(value: Any) -> datetime:
    if type(value) is str:
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            raise FieldError(f"expected an ISO 8601 date-time, got {value[:40]!r}") from None
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    raise FieldError(f"expected an ISO 8601 date-time, got {describe(value)}")


def uuid_text(value: Any) -> str:
    value = text(value)
    if not UUID_PATTERN.fullmatch(value):
        raise FieldError("expected a UUID; the value is shown as it is", value)
    return value


def _strings(value: Iterable[Any]) -> tuple[str, ...]:
    # List entries (languages, key terms, instruction lines, action ids) repeat across agents.
    items = tuple(intern(item) if type(item) is str else item for item in value)
    if all(type(item) is str for item in items):
        return items
    kept = tuple(str(item) for item in items if isinstance(item, str | int | float))
    raise FieldError("expected a list of text; entries that are not text were converted or left out", kept)


def string_list(value: Any) -> tuple[str, ...]:
    if type(value) is list:
        return _strings(value)
    if type(value) is str:
        raise FieldError("expected a list of text, got a single string", (value,))
    raise FieldError(f"expected a list of text, got {describe(value)}")


def languages(value: Any) -> tuple[str, ...]:
    """Languages: a list now, a single string in older versions of the API."""
    if type(value) is str:
        return (intern(value),) if value else ()
    return string_list(value)


def any_json(value: Any) -> Any:
    return value
