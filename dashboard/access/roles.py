"""The roles: Viewer, Operator and Staff, as Django groups of the dashboard's permissions.

Viewer, Operator and Staff are made by a migration and managed in the admin; a permission added
to `ROLES` reaches the groups at the next `migrate` (`apps._sync_roles`), so it needs no migration
of its own. A person with no group is treated as a viewer. Every view checks the permission it
needs on the server (through the page's `Reader`, `readers.py`); the templates only hide what the
person could not use anyway.
"""

from typing import Any

from django.apps import apps as django_apps
from django.contrib.auth.management import create_permissions
from django.core.exceptions import PermissionDenied

VIEW_SENSITIVE = "access.view_sensitive"
REFRESH = "access.refresh_agents"
EXPORT = "access.export_agents"
SHARE = "access.share_views"
STAFF_TOOLS = "access.staff_tools"
_OPERATOR = ["view_sensitive", "refresh_agents", "export_agents", "share_views"]


def _manage(model: str) -> list[str]:
    """The admin's permissions to see, add, change and delete one model."""
    return [f"{action}_{model}" for action in ("view", "add", "change", "delete")]


# Role -> (app label, permission codenames). A person with no group is treated as a viewer.
ROLES: dict[str, list[tuple[str, list[str]]]] = {
    "Viewer": [],
    "Operator": [("access", _OPERATOR)],
    "Staff": [
        ("access", [*_OPERATOR, "staff_tools", "view_auditevent", "view_sharelink", *_manage("orggrant")]),
        ("auth", [*_manage("user"), *_manage("group")]),
        # The organizations staff add in the admin (those of the environment are shown read-only).
        ("orgs", _manage("organization")),
        # Sign-in lockouts (django-axes): see them, and lift one by deleting its attempts.
        ("axes", ["view_accessattempt", "delete_accessattempt", "view_accessfailurelog", "view_accesslog"]),
    ],
}


def ensure_roles(apps: Any = django_apps) -> None:
    """Creates the role groups with their permissions (tests, since a transactional test empties the tables)."""
    for app_config in apps.get_app_configs():
        create_permissions(app_config, apps=apps, verbosity=0)
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
