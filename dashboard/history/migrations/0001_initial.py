"""Takes over the change-history tables that the `dashboard` app's migration 0003 made.

The tables exist already (on a new database too: the old migrations still run first), so this
changes Django's record of which app owns them and nothing in the database.
"""

import django.db.models.deletion
from django.db import migrations, models

import dashboard.history.encoding


class Migration(migrations.Migration):
    initial = True

    dependencies = [("dashboard", "0006_role_groups")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AgentState",
                    fields=[
                        ("agent_id", models.TextField(primary_key=True, serialize=False)),
                        ("content_hash", models.CharField(max_length=32)),
                        ("record", models.JSONField(encoder=dashboard.history.encoding.StorableJSON)),
                    ],
                    options={"db_table": "dashboard_agentstate"},
                ),
                migrations.CreateModel(
                    name="FleetRevision",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        (
                            "recorded_at",
                            models.DateTimeField(db_index=True, help_text="When the snapshot was read from OpenCX."),
                        ),
                        ("source", models.TextField()),
                        ("agents", models.PositiveIntegerField(help_text="Agents in the fleet at that moment.")),
                        ("added", models.PositiveIntegerField(default=0)),
                        ("removed", models.PositiveIntegerField(default=0)),
                        ("changed", models.PositiveIntegerField(default=0)),
                        ("baseline", models.BooleanField(default=False)),
                    ],
                    options={"db_table": "dashboard_fleetrevision", "ordering": ["-recorded_at", "-id"]},
                ),
                migrations.CreateModel(
                    name="AgentChange",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("recorded_at", models.DateTimeField()),
                        ("agent_id", models.TextField()),
                        ("name", models.TextField(blank=True, help_text="The agent's name at that moment.")),
                        (
                            "kind",
                            models.CharField(
                                choices=[("added", "Added"), ("removed", "Removed"), ("changed", "Changed")],
                                max_length=8,
                            ),
                        ),
                        ("fields", models.TextField(blank=True)),
                        ("before", models.JSONField(encoder=dashboard.history.encoding.StorableJSON, null=True)),
                        ("after", models.JSONField(encoder=dashboard.history.encoding.StorableJSON, null=True)),
                        (
                            "revision",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.CASCADE,
                                related_name="changes",
                                to="history.fleetrevision",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "dashboard_agentchange",
                        "ordering": ["-recorded_at", "-id"],
                        "indexes": [
                            models.Index(fields=["recorded_at"], name="change_recorded_at"),
                            models.Index(fields=["agent_id", "recorded_at"], name="change_agent"),
                        ],
                    },
                ),
            ],
            database_operations=[],
        )
    ]
