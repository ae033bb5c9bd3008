"""The reader of a page: who is looking, what they may see and what they may do.

A signed-in person reads with their role; a share link's visitor reads as a viewer without an
account. Views build a `Reader` once and hand it to everything that draws agent data, so the
sensitive fields are hidden wherever that reader goes, and no view swaps `request.user`.
"""

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from dashboard.fields import active_registry

from . import roles
from .models import ShareLink


@dataclass(frozen=True, slots=True)
class Reader:
    user: Any  # the account; AnonymousUser for a share link's visitor
    # Field names (and upstream keys of fields the registry does not declare) shown as "hidden".
    hidden: frozenset[str]
    can_refresh: bool = False
    can_export: bool = False
    can_share: bool = False
    is_staff: bool = False  # the status page and the admin
    share: ShareLink | None = None  # the link this reader came through

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


def reader_for_user(user: Any) -> Reader:
    return Reader(
        user=user,
        hidden=frozenset() if user.has_perm(roles.VIEW_SENSITIVE) else sensitive_fields(),
        can_refresh=user.has_perm(roles.REFRESH),
        can_export=user.has_perm(roles.EXPORT),
        can_share=user.has_perm(roles.SHARE),
        is_staff=user.has_perm(roles.STAFF_TOOLS),
    )


def reader_for_share(link: ShareLink) -> Reader:
    """A share link's visitor: as a viewer without an account sees it, nothing to change."""
    return Reader(user=AnonymousUser(), hidden=sensitive_fields(), share=link)


def reader(request: HttpRequest) -> Reader:
    """The reader of this request, made once per request."""
    found = getattr(request, "_switchboard_reader", None)
    if found is None:
        found = reader_for_user(request.user)
        request._switchboard_reader = found  # type: ignore[attr-defined]
    return found
