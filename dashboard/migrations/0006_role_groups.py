"""The three roles as groups, Viewer, Operator and Staff, with their permissions (dashboard/roles.py)."""

from django.db import migrations


def create_roles(apps, schema_editor):
    from dashboard.roles import ensure_roles

    ensure_roles(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("dashboard", "0005_audit_and_share_links"),
    ]

    operations = [migrations.RunPython(create_roles, migrations.RunPython.noop)]
