from django.apps import AppConfig


class ProjectConfig(AppConfig):
    """The project itself: its start-up checks, template tags, and the schema history (migrations
    0001 to 0007) from before the models moved to the apps of their features."""

    name = "dashboard"
    label = "dashboard"
    verbose_name = "Switchboard"

    def ready(self) -> None:
        from . import checks  # noqa: F401 (registers the checks)
