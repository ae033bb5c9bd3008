"""Who may see which organization, and with which role there.

A person with organization roles (`OrgGrant`, given in the admin) sees exactly those organizations,
as Viewer or Operator in each; Staff see every organization. A person without any keeps the role
of their groups in every organization, as before there were several. An organization a person may
not see does not exist for them: every page, export, API answer and share link of it is a 404.
"""

from collections.abc import Callable
from typing import Any

from dashboard.orgs.registry import Org, organizations

from . import roles
from .models import OrgGrant

Allows = Callable[[str], bool]  # permission name -> whether it is granted


def _grants(user: Any) -> dict[str, str]:
    """slug -> role, read once per user object (one request)."""
    if not getattr(user, "is_authenticated", False):
        return {}
    found = getattr(user, "_switchboard_org_grants", None)
    if found is None:
        found = dict(OrgGrant.objects.filter(user=user).values_list("org", "role"))
        user._switchboard_org_grants = found
    return found


def role_permissions(role: str) -> frozenset[str]:
    """The permissions an organization role (Viewer, Operator) gives in its organization."""
    return frozenset(f"{app}.{codename}" for app, codenames in roles.ROLES.get(role, []) for codename in codenames)


def by_grants(user: Any) -> bool:
    """Whether the person's organizations are set by organization roles (not by their groups)."""
    return bool(_grants(user)) and not user.has_perm(roles.STAFF_TOOLS)


def may_see(user: Any, org: Org) -> bool:
    return not by_grants(user) or org.slug in _grants(user)


def visible_orgs(user: Any) -> list[Org]:
    """The organizations the person may see, in the configured order."""
    return [org for org in organizations() if may_see(user, org)]


def allows(user: Any, org: Org | None) -> Allows:
    """What the person may do in `org`; with None, in every organization they see at once (what a
    view across organizations allows: only what each of them allows)."""
    if not by_grants(user):
        return user.has_perm
    grants = _grants(user)
    if org is not None:
        granted = role_permissions(grants[org.slug]) if org.slug in grants else frozenset()
    else:
        shown = [grants[org.slug] for org in visible_orgs(user)]
        granted = frozenset.intersection(*(role_permissions(role) for role in shown)) if shown else frozenset()
    return granted.__contains__
