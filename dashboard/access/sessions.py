"""Sessions follow the person: deactivating an account, or lowering its role (a group taken away,
an organization role lowered or removed, a first organization role that narrows what it sees),
ends every session it holds, at once, whichever way it was done (the admin, a command, the shell).

Django's session store is the database and keeps the account only inside each session's encoded
data, so ending one person's sessions reads the unexpired sessions once and deletes theirs in one
query. It runs only when access is taken away, never when a person signs in (which saves the
account's last sign-in) or is given more.
"""

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.sessions.models import Session
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from .models import OrgGrant

# Session keys deleted per query: well under every database's limit of bound parameters.
BATCH = 500


def end_sessions(user_ids: Iterable[Any]) -> int:
    """Ends every unexpired session of these accounts; how many were ended."""
    wanted = {str(pk) for pk in user_ids}
    if not wanted:
        return 0
    unexpired = Session.objects.filter(expire_date__gt=timezone.now()).only("session_key", "session_data")
    theirs = [
        session.session_key
        for session in unexpired.iterator(chunk_size=BATCH)
        if str(session.get_decoded().get("_auth_user_id")) in wanted
    ]
    for start in range(0, len(theirs), BATCH):
        Session.objects.filter(session_key__in=theirs[start : start + BATCH]).delete()
    return len(theirs)


@receiver(post_save, sender=get_user_model(), dispatch_uid="sessions-end-when-deactivated")
def _user_saved(sender: Any, instance: Any, created: bool, update_fields: Any = None, **kwargs: Any) -> None:
    # A sign-in saves only `last_login`: nothing to end then.
    if created or instance.is_active or (update_fields is not None and "is_active" not in update_fields):
        return
    end_sessions([instance.pk])


@receiver(m2m_changed, sender=get_user_model().groups.through, dispatch_uid="sessions-end-when-role-removed")
def _groups_changed(sender: Any, instance: Any, action: str, reverse: bool, pk_set: Any, **kwargs: Any) -> None:
    if action == "pre_clear" and isinstance(instance, Group):
        # A role cleared of its members: who they were is gone once it is done.
        instance._switchboard_members = list(instance.user_set.values_list("pk", flat=True))
    elif action == "post_clear":
        end_sessions(instance._switchboard_members if isinstance(instance, Group) else [instance.pk])
    elif action == "post_remove":
        end_sessions(pk_set if isinstance(instance, Group) else [instance.pk])


@receiver(pre_save, sender=OrgGrant, dispatch_uid="sessions-note-org-role")
def _org_grant_saving(sender: Any, instance: OrgGrant, **kwargs: Any) -> None:
    instance._switchboard_before = (
        OrgGrant.objects.filter(pk=instance.pk).values_list("org", "role").first() if instance.pk else None
    )


@receiver(post_save, sender=OrgGrant, dispatch_uid="sessions-end-when-org-role-lowered")
def _org_grant_saved(sender: Any, instance: OrgGrant, created: bool, **kwargs: Any) -> None:
    before = getattr(instance, "_switchboard_before", None)
    if created:
        # A first organization role narrows a person to that organization; another one only adds.
        lowered = not OrgGrant.objects.filter(user_id=instance.user_id).exclude(pk=instance.pk).exists()
    else:
        lowered = before is not None and (before[0] != instance.org or _rank(instance.role) < _rank(before[1]))
    if lowered:
        end_sessions([instance.user_id])


@receiver(post_delete, sender=OrgGrant, dispatch_uid="sessions-end-when-org-role-removed")
def _org_grant_deleted(sender: Any, instance: OrgGrant, **kwargs: Any) -> None:
    # With other organization roles left, they lost this organization; with none left they have
    # their groups' role everywhere again, which takes nothing away.
    if OrgGrant.objects.filter(user_id=instance.user_id).exists():
        end_sessions([instance.user_id])


def _rank(role: str) -> int:
    return [OrgGrant.VIEWER, OrgGrant.OPERATOR].index(role) if role in (OrgGrant.VIEWER, OrgGrant.OPERATOR) else -1
