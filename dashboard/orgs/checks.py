"""Checks of the organizations stored in the admin against ORG_TOKEN_KEYS.

They read the database, so (as Django asks of such checks) they run only when the check is given
databases: `migrate`, and `manage.py check --database default`. Messages name organizations by
slug; no token, nor any part of one, is ever in them.
"""

from collections.abc import Collection
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register
from django.db import DEFAULT_DB_ALIAS, DatabaseError

from .encryption import InvalidToken, decrypt
from .models import Organization


@register(Tags.database)
def check_stored_tokens(
    app_configs: Any = None, databases: Collection[str] | None = None, **kwargs: Any
) -> list[CheckMessage]:
    if not databases or DEFAULT_DB_ALIAS not in databases:
        return []
    try:
        stored = list(Organization.objects.values_list("slug", "token_ciphertext"))
    except DatabaseError:
        return []  # before `migrate` made the table
    if not stored:
        return []
    if not settings.ORG_TOKEN_KEYS:
        slugs = ", ".join(slug for slug, _ in stored)
        return [
            Warning(
                f"Organizations are stored in the admin ({slugs}) but ORG_TOKEN_KEYS is not set: they are not read.",
                hint="Set ORG_TOKEN_KEYS to the key their tokens were saved with (comma-separated keys, newest first).",
                id="switchboard.W030",
            )
        ]
    messages: list[CheckMessage] = []
    for slug, ciphertext in stored:
        if not ciphertext:
            continue  # no token yet: the organization says so on its pages
        try:
            decrypt(ciphertext)
        except InvalidToken:
            messages.append(
                # A warning, not an error: an error would stop `migrate`, and with it the deploy
                # that brings the old key back; the organization itself says on its pages and in
                # /readyz that it cannot be read.
                Warning(
                    f"The API token of organization {slug!r} cannot be decrypted with any key in ORG_TOKEN_KEYS: "
                    "it is not read.",
                    hint="Restore the old key it was saved with into ORG_TOKEN_KEYS (after the new one), or enter "
                    f"{slug}'s token again in the admin; then `manage.py rotate_org_tokens` re-encrypts every token "
                    "with the first key.",
                    id="switchboard.W031",
                )
            )
    return messages
