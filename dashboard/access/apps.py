from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate


class AccessConfig(AppConfig):
    name = "dashboard.access"
    verbose_name = "Access"

    def ready(self) -> None:
        from . import audit, checks, sessions  # noqa: F401 (connect the receivers, register the checks)

        post_migrate.connect(_sync_roles, sender=self, dispatch_uid="access-sync-roles")


def _sync_roles(**kwargs: Any) -> None:
    """Keeps the role groups and their permissions as `roles.ROLES` declares them, after every migrate
    (and after a test flushes the database)."""
    from .roles import ensure_roles

    ensure_roles()
