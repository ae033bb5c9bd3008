from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class DashboardConfig(AppConfig):
    name = "dashboard"
    verbose_name = "Switchboard"

    def ready(self) -> None:
        from dashboard import audit  # noqa: F401 (connects its signal receivers)
        from dashboard.accounts import sync_demo_account

        # After auth's own migrations, so the user table exists (this app has no models yet).
        post_migrate.connect(sync_demo_account, sender=apps.get_app_config("auth"))
