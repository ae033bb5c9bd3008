"""Each organization's history is its own: an `org` column on revisions and changes, and the
agents' recorded state keyed by organization and agent.

Every row recorded so far belongs to organization "default", a single-organization deployment's
(`OPENCX_API_TOKEN`), so an upgraded database keeps its whole history. The state table was keyed
by agent id alone; it is copied into a new table keyed by (organization, agent id).
"""

from django.db import migrations, models

import dashboard.history.encoding

DEFAULT = "default"
CHUNK = 2000


def copy_states(apps, schema_editor):  # type: ignore[no-untyped-def]
    Legacy = apps.get_model("history", "LegacyAgentState")
    AgentState = apps.get_model("history", "AgentState")
    batch = []
    for row in Legacy.objects.all().iterator(chunk_size=CHUNK):
        batch.append(AgentState(org=DEFAULT, agent_id=row.agent_id, content_hash=row.content_hash, record=row.record))
        if len(batch) == CHUNK:
            AgentState.objects.bulk_create(batch)
            batch = []
    AgentState.objects.bulk_create(batch)


def copy_states_back(apps, schema_editor):  # type: ignore[no-untyped-def]
    Legacy = apps.get_model("history", "LegacyAgentState")
    AgentState = apps.get_model("history", "AgentState")
    Legacy.objects.bulk_create(
        [
            Legacy(agent_id=row.agent_id, content_hash=row.content_hash, record=row.record)
            for row in AgentState.objects.filter(org=DEFAULT).iterator(chunk_size=CHUNK)
        ],
        batch_size=CHUNK,
    )


class Migration(migrations.Migration):
    dependencies = [("history", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="fleetrevision",
            name="org",
            field=models.CharField(db_index=True, default=DEFAULT, max_length=50, verbose_name="organization"),
        ),
        migrations.AddField(
            model_name="agentchange",
            name="org",
            field=models.CharField(db_index=True, default=DEFAULT, max_length=50, verbose_name="organization"),
        ),
        migrations.RenameModel("AgentState", "LegacyAgentState"),
        migrations.CreateModel(
            name="AgentState",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("org", models.CharField(default=DEFAULT, max_length=50, verbose_name="organization")),
                ("agent_id", models.TextField()),
                ("content_hash", models.CharField(max_length=32)),
                ("record", models.JSONField(encoder=dashboard.history.encoding.StorableJSON)),
            ],
            options={
                "constraints": [models.UniqueConstraint(fields=("org", "agent_id"), name="one_state_per_org_agent")]
            },
        ),
        migrations.RunPython(copy_states, copy_states_back),
        migrations.DeleteModel("LegacyAgentState"),
    ]
