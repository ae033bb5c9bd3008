"""Who may do what: the role groups' permissions, and hiding sensitive fields from those without them.

Viewer, Operator and Staff are Django groups (made by a migration, managed in the admin). A
person with no group is treated as a viewer. Every view checks the permission it needs on the
server; the templates only hide what the person could not use anyway.
"""

from collections.abc import Iterable
from typing import Any

from django.apps import apps as django_apps
from django.conf import settings
from django.contrib.auth.management import create_permissions
from django.core.exceptions import PermissionDenied

from dashboard.opencx.schema import FIELDS, PhoneAgent

VIEW_SENSITIVE = "dashboard.view_sensitive"
REFRESH = "dashboard.refresh_agents"
EXPORT = "dashboard.export_agents"
SHARE = "dashboard.share_views"
STAFF_TOOLS = "dashboard.staff_tools"
_OPERATOR = ["view_sensitive", "refresh_agents", "export_agents", "share_views"]
# Role -> (app label, permission codenames). A person with no group is treated as a viewer.
ROLES: dict[str, list[tuple[str, list[str]]]] = {
    "Viewer": [],
    "Operator": [("dashboard", _OPERATOR)],
    "Staff": [
        ("dashboard", [*_OPERATOR, "staff_tools", "view_auditevent", "view_sharelink"]),
        (
            "auth",
            [f"{action}_{model}" for model in ("user", "group") for action in ("view", "add", "change", "delete")],
        ),
    ],
}

LIST_FIELDS = {"language", "action_ids", "instructions", "data_collection_fields", "stt_keyterms"}
# Upstream JSON key for each agent attribute (the history stores upstream keys).
UPSTREAM_KEYS = {attribute: key for key, (attribute, _) in FIELDS.items()}


class Hidden(str):
    """A sensitive value withheld from this reader; shown as a "hidden" badge."""


HIDDEN = Hidden("hidden")


def ensure_roles(apps: Any = django_apps) -> None:
    """Creates the role groups with their permissions (a migration runs it; so can tests)."""
    # Permissions are normally made after all migrations, and the groups need them now.
    for app_config in apps.get_app_configs():
        made_by_migration = getattr(app_config, "models_module", None) is None
        if made_by_migration:
            app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        if made_by_migration:
            app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grants in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        for app_label, codenames in grants:
            group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))


def require(user: Any, permission: str) -> None:
    """Raises PermissionDenied (HTTP 403) unless `user` has `permission`."""
    if not user.has_perm(permission):
        raise PermissionDenied


def hidden_fields(user: Any) -> frozenset[str]:
    """The agent attributes this user may not see (empty for those who may see sensitive fields)."""
    return frozenset() if user.has_perm(VIEW_SENSITIVE) else frozenset(settings.SENSITIVE_FIELDS)


def hidden_upstream_keys(hidden: Iterable[str]) -> frozenset[str]:
    return frozenset(UPSTREAM_KEYS.get(attribute, attribute) for attribute in hidden)


def is_hidden(value: Any) -> bool:
    return isinstance(value, Hidden) or (isinstance(value, tuple) and len(value) == 1 and isinstance(value[0], Hidden))


def redact(agent: PhoneAgent, hidden: frozenset[str]) -> PhoneAgent:
    """The agent with every hidden field replaced by HIDDEN (a one-item tuple for list fields)."""
    if not hidden:
        return agent
    return agent._replace(**{name: (HIDDEN,) if name in LIST_FIELDS else HIDDEN for name in hidden})
