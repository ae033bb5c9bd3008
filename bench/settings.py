"""Settings for `make bench`: the dashboard's own, plus the bench-only admin app it is compared with."""

from dashboard.settings import *  # noqa: F403

INSTALLED_APPS = [*INSTALLED_APPS, "bench.adminbench"]  # noqa: F405
