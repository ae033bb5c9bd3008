from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dashboard.orgs"
    verbose_name = "Organizations"

    def ready(self) -> None:
        # Forget the cached list when the admin changes it; register the checks of stored tokens.
        from . import checks, receivers  # noqa: F401
