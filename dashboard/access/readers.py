"""The reader of a page: who is looking, in which organization, what they may see and what they may do.

A signed-in person reads with their role in the page's organization (`organizations.py`); a share
link's visitor reads as a viewer without an account, in the link's organization. Views build a
`Reader` once and hand it to everything that draws agent data, so the sensitive fields are hidden
wherever that reader goes, and no view swaps `request.user`.
"""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest

from dashboard.fields import active_registry
from dashboard.orgs.registry import Org, org_named, organizations

from . import roles
from .models import ShareLink
from .organizations import allows, may_see, visible_orgs


@dataclass(frozen=True, slots=True)
class Reader:
    user: Any  # the account; AnonymousUser for a share link's visitor
    # Field names (and upstream keys of fields the registry does not declare) shown as "hidden".
    hidden: frozenset[str]
    # Whether every organization there is is among those this reader sees: findings that compare
    # with another organization (drift) tell of it, so only such a reader sees them.
    sees_every_org: bool = False
    can_refresh: bool = False
    can_export: bool = False
    can_share: bool = False  # share this organization's views
    can_manage_shares: bool = False  # list and revoke one's share links (of any organization)
    is_staff: bool = False  # the status page and the admin
    share: ShareLink | None = None  # the link this reader came through
    # The organization read; None on a page across every organization in `orgs`.
    org: Org | None = None
    orgs: tuple[Org, ...] = ()  # the organizations this reader may see

    @property
    def is_shared(self) -> bool:
        return self.share is not None

    @property
    def org_id_hidden(self) -> bool:
        """Whether the organization's id, which the navigation bar shows, is hidden from this reader."""
        return "org_id" in self.hidden

    @property
    def hidden_keys(self) -> frozenset[str]:
        """The hidden fields by OpenCX's own keys (`actionIds`, not `action_ids`)."""
        registry = active_registry()
        return frozenset(registry.upstream_key(name) for name in self.hidden)

    def redacted(self, record: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
        """An upstream record without the fields this reader may not see, and the keys left out."""
        hidden = self.hidden_keys
        if not hidden:
            return record, []
        return {key: value for key, value in record.items() if key not in hidden}, sorted(hidden & record.keys())

    def require(self, allowed: bool) -> None:
        """Raises PermissionDenied (HTTP 403) unless `allowed`; a share link's visitor may do nothing."""
        if not allowed:
            raise PermissionDenied


def sensitive_fields() -> frozenset[str]:
    """SENSITIVE_FIELDS as field names (an upstream key names its field; undeclared keys stay as they are)."""
    registry = active_registry()
    return frozenset(registry.canonical(name) for name in settings.SENSITIVE_FIELDS)


def _sees_every_org(visible: Sequence[Org]) -> bool:
    """Whether no organization exists beyond `visible`."""
    seen = {org.slug for org in visible}
    return all(org.slug in seen for org in organizations())


# One answer for an organization that does not exist and one the reader may not see.
NO_SUCH_ORGANIZATION = "No such organization."


def reader_for_user(user: Any, org: Org | None = None) -> Reader:
    """The person reading `org` (None: every organization they see, at once); Http404 when they
    may not see it."""
    if org is not None and not may_see(user, org):
        raise Http404(NO_SUCH_ORGANIZATION)
    has = allows(user, org)
    across = org is None  # refreshing and share links are one organization's
    visible = tuple(visible_orgs(user))
    return Reader(
        user=user,
        hidden=frozenset() if has(roles.VIEW_SENSITIVE) else sensitive_fields(),
        sees_every_org=_sees_every_org(visible),
        can_refresh=has(roles.REFRESH) and not across,
        can_export=has(roles.EXPORT),
        can_share=has(roles.SHARE) and not across,
        can_manage_shares=any(allows(user, each)(roles.SHARE) for each in visible),
        is_staff=user.has_perm(roles.STAFF_TOOLS),
        org=org,
        orgs=visible,
    )


def reader_for_orgs(user: Any, orgs: Sequence[Org]) -> Reader:
    """The person reading several organizations side by side (the drift between two): Http404 unless
    they may see every one of them; a field hidden in any of them is hidden, and they may export only
    what each of them lets them export."""
    each = [reader_for_user(user, org) for org in orgs]
    return replace(
        reader_for_user(user, None),
        hidden=frozenset().union(*(one.hidden for one in each)),
        can_export=all(one.can_export for one in each),
    )


def reader_for_share(link: ShareLink) -> Reader:
    """A share link's visitor: as a viewer without an account sees it, nothing to change."""
    org = org_named(link.org)
    return Reader(
        user=AnonymousUser(),
        hidden=sensitive_fields(),
        sees_every_org=_sees_every_org((org,)),
        share=link,
        org=org,
        orgs=(org,),
    )


def reader(request: HttpRequest) -> Reader:
    """The reader of this request (in its organization, `request.org`), made once per request."""
    found = getattr(request, "_switchboard_reader", None)
    if found is None:
        if getattr(request, "org_refused", False):  # /o/<a slug that names no organization>/
            raise Http404(NO_SUCH_ORGANIZATION)
        org = getattr(request, "org", None)
        if org is None:  # no /o/<slug>/: the one organization this person sees, if it is one
            visible = visible_orgs(request.user)
            org = visible[0] if len(visible) == 1 else None
        found = reader_for_user(request.user, org)
        request._switchboard_reader = found  # type: ignore[attr-defined]
    return found
