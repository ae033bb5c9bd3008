"""Share links: a signed, expiring, revocable URL that shows one list view or one agent without an account.

The link carries the share's id, signed with the secret key (so it cannot be guessed or altered);
what it shows, until when, and whether it was revoked live in the database. It opens as a viewer
would see it: sensitive fields hidden, nothing to change.
"""

from datetime import timedelta
from typing import Any

from django.core import signing
from django.http import Http404, QueryDict
from django.urls import reverse
from django.utils import timezone

from dashboard.orgs.paths import outside_org
from dashboard.orgs.registry import Org, org_named, the_org
from dashboard.querystrings import without_empty

from . import roles
from .models import ShareLink
from .organizations import allows, may_see

SALT = "switchboard.share-link"
DEFAULT_DAYS, MAX_DAYS = 7, 90
# What a shared list may still change: moving through its pages and ordering its rows.
VIEWER_PARAMETERS = ("page", "sort")


class InvalidShare(Exception):
    """The link does not open: tampered, unknown, revoked or expired; `str()` says which."""


def share_token(link: ShareLink) -> str:
    return signing.Signer(salt=SALT).sign(str(link.pk))


def share_url(link: ShareLink) -> str:
    """The link's path, outside any /o/<slug>/ (the link names its organization itself)."""
    return outside_org(reverse("shared-view", args=[share_token(link)]))


def create_share(
    *, user, org: Org | None = None, agent_id: str = "", query: str = "", title: str, days: int = DEFAULT_DAYS
) -> ShareLink:
    """A link to one organization's list view or agent (`org`: the only organization, if None)."""
    days = max(1, min(days, MAX_DAYS))
    return ShareLink.objects.create(
        created_by=user,
        org=the_org(org).slug,
        agent_id=agent_id,
        query=_shareable(query) if not agent_id else "",
        title=title[:200],
        expires_at=timezone.now() + timedelta(days=days),
    )


def _shareable(query: str) -> str:
    """The list query as shared: from its first page, never an export, without the sharer's picks
    to compare or any empty parameter."""
    params = without_empty(QueryDict(query))
    for name in ("page", "_export", "pick"):
        params.pop(name, None)
    return params.urlencode()


def open_share(token: str) -> ShareLink:
    """The link a token names, if it may open now."""
    try:
        pk = int(signing.Signer(salt=SALT).unsign(token))
    except (signing.BadSignature, ValueError):
        raise InvalidShare("This link is not valid: it may be incomplete or mistyped.") from None
    link = ShareLink.objects.select_related("created_by").filter(pk=pk).first()
    if link is None:
        raise InvalidShare("This link no longer exists.")
    if link.revoked_at is not None:
        raise InvalidShare("This link was revoked by the person who shared it.")
    if link.expires_at <= timezone.now():
        raise InvalidShare("This link has expired.")
    try:
        org = org_named(link.org)
    except Http404:
        raise InvalidShare("This link's organization is no longer in this dashboard.") from None
    if not may_see(link.created_by, org):
        raise InvalidShare("The person who shared this link may no longer see its organization.")
    if not may_still_share(link.created_by, org):
        raise InvalidShare(
            "The person who shared this link no longer has access to share it "
            "(their account was deactivated or their role lowered), so it no longer opens."
        )
    return link


def may_still_share(user: Any, org: Org) -> bool:
    """Whether the link's creator may share this organization's views now. Checked each time a link
    opens, so deactivating or demoting them closes their links at once, whichever way it was done
    (the admin, a group, an organization role, the shell)."""
    return user.is_active and allows(user, org)(roles.SHARE)


def shared_query(link: ShareLink, asked: QueryDict) -> QueryDict:
    """The shared list's query, with only the page and order taken from the visitor's URL."""
    query = QueryDict(link.query, mutable=True)
    for name in VIEWER_PARAMETERS:
        if name in asked:
            query[name] = asked[name]
    return query
