from django.apps import AppConfig


class AgentsConfig(AppConfig):
    name = "dashboard.agents"
    verbose_name = "Agents"
