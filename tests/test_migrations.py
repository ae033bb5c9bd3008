"""Upgrading a database made before the models moved to the apps of their features keeps everything."""

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from dashboard.access.models import ShareLink
from dashboard.agents.models import ColumnPreference
from dashboard.history.models import AgentChange, AgentState, FleetRevision

BEFORE_THE_SPLIT = [("dashboard", "0006_role_groups"), ("history", None), ("access", None), ("agents", None)]


def migrate(targets):
    """Migrates to `targets` and returns the models as they were at that point."""
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    return executor.migrate(targets).apps


def latest():
    executor = MigrationExecutor(connection)
    return executor.loader.graph.leaf_nodes()


@pytest.mark.django_db(transaction=True)
def test_an_old_database_keeps_its_history_preferences_share_links_and_role_grants():
    old = migrate(BEFORE_THE_SPLIT)
    User = old.get_model("auth", "User")
    person = User.objects.create(username="ops")
    revision = old.get_model("dashboard", "FleetRevision").objects.create(
        recorded_at=timezone.now(), source="https://api.open.cx", agents=1, changed=1
    )
    old.get_model("dashboard", "AgentChange").objects.create(
        revision=revision,
        recorded_at=revision.recorded_at,
        agent_id="a1",
        name="Billing",
        kind="changed",
        fields=" model ",
        before={"model": "oppie-vox"},
        after={"model": "oppie-vox-2"},
    )
    old.get_model("dashboard", "AgentState").objects.create(agent_id="a1", content_hash="0" * 32, record={"id": "a1"})
    old.get_model("dashboard", "ColumnPreference").objects.create(user=person, columns=["name", "model"])
    old.get_model("dashboard", "ShareLink").objects.create(
        created_by=person, expires_at=timezone.now(), agent_id="a1", title="Agent: Billing"
    )

    migrate(latest())

    change = AgentChange.objects.get()
    assert (change.agent_id, change.before, change.after) == ("a1", {"model": "oppie-vox"}, {"model": "oppie-vox-2"})
    assert change.revision == FleetRevision.objects.get()
    assert AgentState.objects.get().record == {"id": "a1"}
    assert ColumnPreference.objects.get().columns == ["name", "model"]
    assert ShareLink.objects.get().title == "Agent: Billing"
    operator = {
        f"{p.content_type.app_label}.{p.codename}" for p in Group.objects.get(name="Operator").permissions.all()
    }
    assert operator == {
        "access.view_sensitive",
        "access.refresh_agents",
        "access.export_agents",
        "access.share_views",
    }
