"""Log lines: plain or JSON, each carrying the id of the request it was written for, share-link
tokens masked.

`LOGGING` in the settings and `gunicorn.conf.py` are made of these pieces; this module imports
nothing from Django, so gunicorn's master process can use it before any app is loaded.

* The request id lives in a context variable that `dashboard.ops.middleware` sets for each
  request (from the proxy's `X-Request-ID`, or a new one); background jobs a request starts run
  in a copy of its context (`dashboard.snapshots.jobs`), so their lines carry it too. gunicorn's
  access lines take it from the response's `X-Request-ID` header.
* A share link's token opens its view to anyone who has it: paths `/s/<token>/` are logged as
  `/s/<hidden>/`, in every message and every field.
"""

import logging
import re
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import Any

from pythonjsonlogger.json import JsonFormatter as _JsonFormatter

request_id: ContextVar[str | None] = ContextVar("switchboard_request_id", default=None)

# A share link's path: `/s/` and a signed token (`<id>:<signature>`), also URL-encoded.
SHARE_TOKEN = re.compile(r"(/|%2F)s\1[^/\s?#\"'&]*?(?::|%3A)[^/\s?#\"'&]+", re.IGNORECASE)
HIDDEN_TOKEN = "<hidden>"  # noqa: S105 (what replaces a token, not one)
# gunicorn's access-log atom for the response's X-Request-ID header.
ACCESS_REQUEST_ID = "{x-request-id}o"


def mask_share_tokens(text: str) -> str:
    return SHARE_TOKEN.sub(lambda found: f"{found[1]}s{found[1]}{HIDDEN_TOKEN}", text)


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id`: the current request's, else the one an access line is about."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "request_id", None) is None:
            found = request_id.get()
            if found is None and isinstance(record.args, dict):
                found = record.args.get(ACCESS_REQUEST_ID)
                found = None if found in (None, "-") else found
            record.request_id = found
        return True


class MaskShareTokens(logging.Filter):
    """Writes share-link paths without their token, in the message and in any text field."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        masked = mask_share_tokens(message)
        if masked != message:
            record.msg, record.args = masked, None
        for name, value in vars(record).items():
            if name not in ("msg", "message") and isinstance(value, str) and SHARE_TOKEN.search(value):
                setattr(record, name, mask_share_tokens(value))
        return True


class NoTraceback(logging.Filter):
    """One warning line instead of an error with a traceback (a request for a host not served here)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _utc(record: logging.LogRecord) -> str:
    return datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def format(self, record: logging.LogRecord) -> str:
        if not hasattr(record, "request_id"):
            record.request_id = None
        return super().format(record)


class JsonFormatter(_JsonFormatter):
    """One JSON object a line: `time` (UTC, ISO 8601), `level`, `logger`, `message`, `request_id`,
    then whatever the line adds (`extra=`), and `exc_info` as text when there is a traceback."""

    def __init__(self) -> None:
        super().__init__(
            "%(asctime)s %(levelname)s %(name)s %(message)s %(request_id)s",
            rename_fields={"asctime": "time", "levelname": "level", "name": "logger"},
            json_ensure_ascii=False,
            # Objects a line carries (Django's `request`) as their text, share tokens masked.
            json_default=lambda value: mask_share_tokens(str(value)),
        )

    def formatTime(self, record: logging.LogRecord, datefmt: str | None = None) -> str:
        return _utc(record)

    def add_fields(self, log_data: dict[str, Any], record: logging.LogRecord, message_dict: dict[str, Any]) -> None:
        if not hasattr(record, "request_id"):
            record.request_id = None
        super().add_fields(log_data, record, message_dict)


def gunicorn_logconfig(log_format: str, level: str) -> dict[str, Any]:
    """gunicorn's own loggers (`gunicorn.error`, `gunicorn.access`) in the dashboard's format."""
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "request_id": {"()": RequestIdFilter},
            "mask_share_tokens": {"()": MaskShareTokens},
        },
        "formatters": {"plain": {"()": PlainFormatter}, "json": {"()": JsonFormatter}},
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": log_format,
                "filters": ["request_id", "mask_share_tokens"],
                "stream": "ext://sys.stderr",
            }
        },
        "loggers": {
            "gunicorn.error": {"handlers": ["console"], "level": level, "propagate": False},
            "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
        },
    }
