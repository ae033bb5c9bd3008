from django.apps import AppConfig


class HistoryConfig(AppConfig):
    name = "dashboard.history"
    verbose_name = "Change history"

    def ready(self) -> None:
        from . import receivers  # noqa: F401 (subscribes to snapshot_refreshed)
