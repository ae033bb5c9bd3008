"""The organizations listed from the admin are read again once one is saved or deleted."""

from typing import Any

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import Organization
from .registry import forget_admin_orgs


@receiver([post_save, post_delete], sender=Organization, dispatch_uid="orgs-forget-admin-orgs")
def organizations_changed(sender: Any, **kwargs: Any) -> None:
    forget_admin_orgs()
