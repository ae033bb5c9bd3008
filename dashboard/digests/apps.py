from django.apps import AppConfig


class DigestsConfig(AppConfig):
    name = "dashboard.digests"
    label = "digests"
    verbose_name = "Change digests"

    def ready(self) -> None:
        # Connected after the change history's receiver (HistoryConfig comes first in INSTALLED_APPS, and
        # receivers run in the order they were connected), so a refresh's changes are recorded before
        # the digests that follow it are put together.
        from . import receivers  # noqa: F401
