"""Reading settings from environment variables, collecting what is wrong instead of failing at import.

The settings module reads every variable through an `Environment`; a value that makes no sense
gets the default and a sentence naming the variable, which the system check in
`dashboard/checks.py` reports (so `manage.py`, `runserver` and the WSGI start all stop with it).

`ENV_FILE` names a file of `KEY=value` lines in the format of systemd's `EnvironmentFile=`, so
the web server, cron and a systemd timer can share one file. A variable set in the process's
own environment wins over the file, so one command can override one value. gunicorn's
configuration (`gunicorn.conf.py`) reads the same file through this module; it imports nothing
from Django.
"""

import json
import os
import re
from collections.abc import Mapping
from pathlib import Path

from dashboard.outbound.addresses import UnsafeURL, parse_target

NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
DOUBLE_QUOTED_ESCAPES = {"\\": "\\", '"': '"', "$": "$", "`": "`"}


class EnvFileError(ValueError):
    """A line of an env file that cannot be read; `str()` names the line."""


def parse_env_file(text: str) -> dict[str, str]:
    """The assignments of an env file, as systemd's `EnvironmentFile=` reads them.

    Empty lines and lines starting with `#` or `;` are comments. Surrounding white space is
    dropped. An unquoted value keeps inner white space; a backslash keeps the character after it,
    and one at the end of a line joins the next line. A value in single quotes is taken as it
    is; in double quotes `\\\\`, `\\"`, `\\$` and `` \\` `` are escapes and a backslash before a
    line break joins the lines. Quoted values may span lines. Unlike a shell, nothing is expanded
    and `export` is not understood.
    """
    values: dict[str, str] = {}
    position, line_number = 0, 1
    while position < len(text):
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        line = text[position:end].strip(" \t\r")
        if not line or line[0] in "#;":
            position, line_number = end + 1, line_number + 1
            continue
        name, equals, _ = line.partition("=")
        name = name.strip(" \t")
        if not equals:
            raise EnvFileError(f"line {line_number} is not KEY=value")
        if not NAME.fullmatch(name):
            raise EnvFileError(f"line {line_number}: {name!r} is not a variable name (no `export`, no spaces)")
        start = text.index("=", position) + 1
        value, position, lines = _value(text, start, line_number)
        values[name] = value
        line_number += lines
    return values


def _value(text: str, start: int, line_number: int) -> tuple[str, int, int]:
    """The value starting at `start`: (value, the position after its line, lines consumed)."""
    position = start
    while position < len(text) and text[position] in " \t":
        position += 1
    quote = text[position] if position < len(text) and text[position] in "'\"" else None
    chars: list[str] = []
    lines = 1
    if quote is not None:
        position += 1
        while True:
            if position >= len(text):
                raise EnvFileError(f"line {line_number}: the {quote} quote is never closed")
            char = text[position]
            if char == quote:
                position += 1
                break
            if quote == '"' and char == "\\" and position + 1 < len(text):
                following = text[position + 1]
                if following == "\n":
                    position, lines = position + 2, lines + 1
                    continue
                if following in DOUBLE_QUOTED_ESCAPES:
                    chars.append(DOUBLE_QUOTED_ESCAPES[following])
                    position += 2
                    continue
            if char == "\n":
                lines += 1
            chars.append(char)
            position += 1
        end = text.find("\n", position)
        end = len(text) if end < 0 else end
        if text[position:end].strip(" \t\r"):
            raise EnvFileError(f"line {line_number + lines - 1}: text after the closing {quote} quote")
        return "".join(chars), end + 1, lines
    while position < len(text) and text[position] != "\n":
        char = text[position]
        if char == "\\" and position + 1 < len(text):
            if text[position + 1] == "\n":
                position, lines = position + 2, lines + 1
                continue
            chars.append(text[position + 1])
            position += 2
            continue
        chars.append(char)
        position += 1
    return "".join(chars).strip(" \t\r"), position + 1, lines


class Environment:
    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        self.environ = environ
        self.problems: list[str] = []

    @classmethod
    def with_env_file(cls, environ: Mapping[str, str] = os.environ) -> "Environment":
        """The process's environment over the variables of the file `ENV_FILE` names, if any."""
        path = environ.get("ENV_FILE", "").strip()
        if not path:
            return cls(environ)
        try:
            from_file = parse_env_file(Path(path).read_text(encoding="utf-8"))
        except OSError as error:
            env = cls(environ)
            env.problems.append(f"ENV_FILE={path!r} cannot be read: {error.strerror or error}.")
            return env
        except (EnvFileError, UnicodeDecodeError) as error:
            env = cls(environ)
            env.problems.append(f"ENV_FILE={path!r}: {error}.")
            return env
        return cls({**from_file, **environ})

    def str(self, name: str, default: str = "") -> str:
        return self.environ.get(name, default).strip()

    def bool(self, name: str, default: bool) -> bool:
        raw = self.str(name)
        if not raw:
            return default
        if raw.lower() in {"1", "true", "yes", "on"}:
            return True
        if raw.lower() in {"0", "false", "no", "off"}:
            return False
        self.problems.append(f"{name}={raw!r} is not a boolean: use 1/0, true/false, yes/no or on/off.")
        return default

    def number(self, name: str, default: float, *, minimum: float) -> float:
        raw = self.str(name)
        if not raw:
            return default
        try:
            value = float(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r} is not a number.")
            return default
        if not value >= minimum:  # also refuses nan
            self.problems.append(f"{name}={raw!r} must be at least {minimum:g}.")
            return default
        return value

    def integer(self, name: str, default: int, *, minimum: int) -> int:
        raw = self.str(name)
        if not raw:
            return default
        try:
            value = int(raw)
        except ValueError:
            self.problems.append(f"{name}={raw!r} is not a whole number.")
            return default
        if value < minimum:
            self.problems.append(f"{name}={raw!r} must be at least {minimum}.")
            return default
        return value

    def choice(self, name: str, default: str, choices: tuple[str, ...]) -> str:
        raw = self.str(name).lower()
        if not raw:
            return default
        if raw not in choices:
            self.problems.append(f"{name}={raw!r} is not one of {', '.join(choices)}.")
            return default
        return raw

    def url(self, name: str, default: str) -> str:
        """An outbound URL (`outbound.addresses.parse_target`), without a final slash."""
        raw = self.str(name, default)
        try:
            return parse_target(raw, what=name).url.rstrip("/")
        except UnsafeURL as error:
            self.problems.append(str(error))
            return default

    def list(self, name: str) -> list[str]:
        return [item.strip() for item in self.str(name).split(",") if item.strip()]

    def organizations(self, name: str) -> "list[dict[str, str]] | None":
        """A JSON list of organizations (`slug`, `name`, `token`, optional `url`); None when unset."""
        raw = self.str(name)
        if not raw:
            return None
        try:
            entries = json.loads(raw)
        except ValueError as error:
            self.problems.append(f"{name} is not JSON ({error}): write a list of objects with slug, name and token.")
            return None
        if not isinstance(entries, list):
            self.problems.append(f"{name} must be a JSON list of objects with slug, name, token and optional url.")
            return None
        found: list[dict[str, str]] = []
        for number, entry in enumerate(entries, 1):
            problem = _organization_problem(entry, {org["slug"] for org in found})
            if problem:
                self.problems.append(f"{name}, organization {number}: {problem}")
            else:
                found.append({key: entry[key].strip() for key in ("slug", "name", "token", "url") if key in entry})
        return found

    def require(self, name: str, value: object, why: str) -> None:
        """Notes that `name` must be set (`value` is empty), and why."""
        if not value:
            self.problems.append(f"{name} is not set. {why}")


# An organization's slug: its part of the URL (/o/<slug>/).
ORG_SLUG = r"[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?"


def _organization_problem(entry: object, taken: set[str]) -> str:
    if not isinstance(entry, dict):
        return "not an object."
    unknown = set(entry) - {"slug", "name", "token", "url"}
    if unknown:
        return f"unknown keys {', '.join(sorted(map(str, unknown)))} (slug, name, token and url are read)."
    if not all(isinstance(value, str) for value in entry.values()):
        return "every value must be text."
    slug = entry.get("slug", "").strip()
    if not re.fullmatch(ORG_SLUG, slug):
        return f"slug {slug!r} must be lower-case letters, digits and dashes (it goes in the URL)."
    if slug in taken:
        return f"slug {slug!r} is used twice."
    if not entry.get("token", "").strip():
        return f"{slug} has no token."
    url = entry.get("url", "").strip()
    if url:
        try:
            parse_target(url, what=f"{slug}'s url")
        except UnsafeURL as error:
            return str(error)
    return ""
