"""Reading settings from environment variables, collecting what is wrong instead of failing at import.

The settings module reads every variable through an `Environment`; a value that makes no sense
gets the default and a sentence naming the variable, which the system check in
`dashboard/checks.py` reports (so `manage.py`, `runserver` and the WSGI start all stop with it).
"""

import os
from collections.abc import Mapping


class Environment:
    def __init__(self, environ: Mapping[str, str] = os.environ) -> None:
        self.environ = environ
        self.problems: list[str] = []

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

    def list(self, name: str) -> list[str]:
        return [item.strip() for item in self.str(name).split(",") if item.strip()]

    def require(self, name: str, value: object, why: str) -> None:
        """Notes that `name` must be set (`value` is empty), and why."""
        if not value:
            self.problems.append(f"{name} is not set. {why}")
