#!/usr/bin/env python
"""Django's command-line utility for administrative tasks.

Every command stops, naming the variables, while the environment is wrong (a value that makes
no sense, or DEBUG off without OPENCX_API_TOKEN or DEMO_MODE=1), including the commands that
skip Django's system checks; `check` lists the problems itself.
"""

import os
import sys

# Commands that report the environment's problems themselves, or need no settings.
REPORTING = {"check", "help", "version", "--help", "-h", "--version"}


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dashboard.settings")
    from django.core.management import execute_from_command_line

    command = sys.argv[1] if len(sys.argv) > 1 else "help"
    if command not in REPORTING:
        from django.conf import settings

        if settings.ENVIRONMENT_PROBLEMS:
            problems = "\n".join(f"  {problem}" for problem in settings.ENVIRONMENT_PROBLEMS)
            sys.exit(f"Switchboard cannot start:\n{problems}")
    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
