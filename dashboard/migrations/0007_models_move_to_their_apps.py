"""The models move to the apps of their features: history, access and agents.

Nothing changes in the database tables, which keep their names; Django's record of which app
owns each model moves (the new apps' 0001 migrations take them over), and so do the content
types, so every permission and every role group's grants stay as they were.
"""

from django.db import migrations

MOVED = {
    "fleetrevision": "history",
    "agentchange": "history",
    "agentstate": "history",
    "dashboardaccess": "access",
    "auditevent": "access",
    "sharelink": "access",
    "columnpreference": "agents",
}


def move_content_types(apps, schema_editor, *, forward=True):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    db = schema_editor.connection.alias
    for model, app_label in MOVED.items():
        old_label, new_label = ("dashboard", app_label) if forward else (app_label, "dashboard")
        old = ContentType.objects.using(db).filter(app_label=old_label, model=model).first()
        if old is None:
            continue
        new = ContentType.objects.using(db).filter(app_label=new_label, model=model).first()
        if new is None:
            old.app_label = new_label
            old.save(update_fields=["app_label"])
            continue
        # Both exist (made by an earlier post-migrate): keep the new one, with the old one's grants.
        taken = set(Permission.objects.using(db).filter(content_type=new).values_list("codename", flat=True))
        Permission.objects.using(db).filter(content_type=old).exclude(codename__in=taken).update(content_type=new)
        old.delete()


def move_back(apps, schema_editor):
    move_content_types(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [
        ("dashboard", "0006_role_groups"),
        ("history", "0001_initial"),
        ("access", "0001_initial"),
        ("agents", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(move_content_types, move_back),
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel("AgentChange"),
                migrations.DeleteModel("FleetRevision"),
                migrations.DeleteModel("AgentState"),
                migrations.DeleteModel("ColumnPreference"),
                migrations.DeleteModel("AuditEvent"),
                migrations.DeleteModel("ShareLink"),
                migrations.DeleteModel("DashboardAccess"),
            ],
            database_operations=[],
        ),
    ]
