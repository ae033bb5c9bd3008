from django.apps import AppConfig


class OrgsConfig(AppConfig):
    name = "dashboard.orgs"
    verbose_name = "Organizations"

    def ready(self) -> None:
        from . import receivers  # noqa: F401  (forgets the cached list when the admin changes it)
