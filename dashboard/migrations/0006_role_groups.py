"""The three roles as groups, Viewer, Operator and Staff, with their permissions.

Frozen as it ran before the apps were split (the permissions still belonged to this app then);
migration 0007 hands them to `access`, and `dashboard/access/roles.py` keeps the groups since.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

_OPERATOR = ["view_sensitive", "refresh_agents", "export_agents", "share_views"]
ROLES = {
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


def create_roles(apps, schema_editor):
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


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dashboard", "0005_audit_and_share_links"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
