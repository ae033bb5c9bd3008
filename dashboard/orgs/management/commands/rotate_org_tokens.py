"""`manage.py rotate_org_tokens`: every token stored in the admin encrypted again with the first key.

Rotating a key: put the new key first in ORG_TOKEN_KEYS (keep the old one after it), restart, run
this, then drop the old key. All or nothing: when one token cannot be decrypted, none is changed.
"""

from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from dashboard.orgs.encryption import InvalidToken, TokenKeyMissing, rotate
from dashboard.orgs.models import Organization
from dashboard.orgs.registry import forget_admin_orgs
from dashboard.orgs.signals import organization_edited


class Command(BaseCommand):
    help = "Re-encrypts the API token of every organization stored in the admin with the first key of ORG_TOKEN_KEYS."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            stored = list(Organization.objects.select_for_update().exclude(token_ciphertext="").order_by("slug"))
            rotated, unreadable = {}, []
            for organization in stored:
                try:
                    rotated[organization.pk] = rotate(organization.token_ciphertext)
                except TokenKeyMissing as error:
                    raise CommandError(str(error)) from None
                except InvalidToken:
                    unreadable.append(organization.slug)
            if unreadable:
                raise CommandError(
                    f"The API token of {', '.join(unreadable)} cannot be decrypted with any key in ORG_TOKEN_KEYS: "
                    "restore the key it was saved with into ORG_TOKEN_KEYS (after the new one) and run this again, "
                    "or enter the token again in the admin. No token was changed."
                )
            for organization in stored:
                # An update, not save(): the organization itself did not change (updated_at stays).
                Organization.objects.filter(pk=organization.pk).update(token_ciphertext=rotated[organization.pk])
        forget_admin_orgs()
        for organization in stored:
            organization_edited.send(
                Organization,
                request=None,
                action="changed",
                detail=f"{organization.slug} ({organization.name}): API token re-encrypted (rotate_org_tokens)",
            )
        self.stdout.write(f"Re-encrypted {len(stored)} organization token(s) with the first key of ORG_TOKEN_KEYS.")
