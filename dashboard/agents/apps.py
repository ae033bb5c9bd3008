from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "dashboard.agents"
    verbose_name = "Agents"

    def ready(self) -> None:
        # Marking a pair, or a refresh, makes the drift finding's facts stale (`pairs.py`).
        from . import pairs  # noqa: F401
