"""Takes over the access tables that the `dashboard` app's migrations 0004 and 0005 made.

The tables exist already (on a new database too: the old migrations still run first), so this
changes Django's record of which app owns them and nothing in the database.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        ("dashboard", "0006_role_groups"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="DashboardAccess",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                    ],
                    options={
                        "permissions": [
                            ("view_sensitive", "See fields marked sensitive"),
                            ("refresh_agents", "Read OpenCX now (Refresh)"),
                            ("export_agents", "Export agent lists"),
                            ("share_views", "Create and revoke share links"),
                            ("staff_tools", "Use the admin and see the upstream status"),
                        ],
                        "managed": False,
                        "default_permissions": (),
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("at", models.DateTimeField(auto_now_add=True, db_index=True)),
                        (
                            "action",
                            models.CharField(
                                choices=[
                                    ("sign-in", "Signed in"),
                                    ("sign-in-failed", "Sign-in failed"),
                                    ("sign-in-refused", "Sign-in refused (locked out)"),
                                    ("share-created", "Share link created"),
                                    ("share-revoked", "Share link revoked"),
                                    ("export", "Export"),
                                ],
                                db_index=True,
                                max_length=20,
                            ),
                        ),
                        ("username", models.CharField(blank=True, db_index=True, max_length=150)),
                        ("ip_address", models.GenericIPAddressField(blank=True, null=True)),
                        ("detail", models.TextField(blank=True)),
                    ],
                    options={"db_table": "dashboard_auditevent", "ordering": ["-at", "-id"]},
                ),
                migrations.CreateModel(
                    name="ShareLink",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("created_at", models.DateTimeField(auto_now_add=True)),
                        ("expires_at", models.DateTimeField()),
                        ("revoked_at", models.DateTimeField(blank=True, null=True)),
                        ("agent_id", models.TextField(blank=True)),
                        ("query", models.TextField(blank=True)),
                        ("title", models.CharField(max_length=200)),
                        (
                            "created_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="share_links",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "revoked_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.SET_NULL,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                    ],
                    options={"db_table": "dashboard_sharelink", "ordering": ["-created_at", "-id"]},
                ),
            ],
            database_operations=[],
        )
    ]
