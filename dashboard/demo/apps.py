from django.apps import AppConfig, apps
from django.db.models.signals import post_migrate


class DemoConfig(AppConfig):
    name = "dashboard.demo"
    verbose_name = "Demo mode"

    def ready(self) -> None:
        from dashboard.orgs import registry
        from dashboard.snapshots import upstream

        from . import checks  # noqa: F401 (registers the checks)
        from .accounts import sync_demo_account
        from .upstream import demo_orgs, demo_provider

        registry.provide(demo_orgs)
        upstream.provide(demo_provider)
        # After auth's own migrations, so the user table exists.
        post_migrate.connect(sync_demo_account, sender=apps.get_app_config("auth"), dispatch_uid="demo-account")
