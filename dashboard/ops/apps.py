from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "dashboard.ops"
    verbose_name = "Operations"
