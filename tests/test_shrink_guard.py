"""The shrink guard: an empty or much shorter answer from OpenCX is held back, not taken for mass deletion."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from dashboard.access.models import AuditEvent
from dashboard.history.models import AgentChange
from dashboard.snapshots import service
from tests.conftest import agent_record, user_in

FLEET = [agent_record(id=f"a{n:03d}", name=f"Agent {n}") for n in range(150)]
OTHER_FLEET = [agent_record(id=f"other-{n:03d}", name=f"Other agent {n}") for n in range(150)]


@pytest.fixture
def guarded(settings, upstream, history, clock):
    """The default guard (50 %), after a good read of 150 agents recorded as the history's baseline."""
    settings.SHRINK_GUARD_PERCENT = 50
    upstream.set_agents(FLEET)
    service.get_snapshot()
    return upstream


def refresh() -> None:
    call_command("refresh_agents", stdout=StringIO())


@pytest.mark.parametrize("answer", [[], FLEET[:15]], ids=["empty", "15 of 150"])
def test_an_empty_or_shrunken_answer_is_held_back_and_the_fleet_stays(guarded, clock, answer, signed_in):
    guarded.set_agents(answer)
    clock.shift(600)

    with pytest.raises(CommandError, match="held back"):
        refresh()
    page = signed_in.get("/agents/").content.decode()

    assert len(service.get_snapshot().agents) == 150
    assert "Stale data" in page and "held back" in page
    assert not AgentChange.objects.filter(kind=AgentChange.REMOVED).exists()
    assert signed_in.get("/readyz").json()["status"] == "stale"


def test_staff_see_the_held_read_and_accepting_it_records_the_removals_once_audited(
    guarded, clock, client, django_user_model
):
    guarded.set_agents(FLEET[:15])
    clock.shift(600)
    with pytest.raises(CommandError):
        refresh()
    client.force_login(user_in(django_user_model, "admin", "Staff"))

    status = client.get("/status/").content.decode()
    accepted = client.post("/status/accept-held-read/", follow=True).content.decode()
    again = client.post("/status/accept-held-read/", follow=True).content.decode()

    assert "A read of OpenCX is held back" in status and "<strong>15</strong>" in status
    assert "Accepted: the 15 agents" in accepted
    assert "No read is held back" in again
    assert len(service.get_snapshot().agents) == 15
    assert AgentChange.objects.filter(kind=AgentChange.REMOVED).count() == 135
    assert AuditEvent.objects.filter(action=AuditEvent.HELD_READ_ACCEPTED, username="admin").count() == 1


def test_only_staff_accept_a_held_read(guarded, signed_in):
    assert signed_in.post("/status/accept-held-read/").status_code == 403


def test_the_same_shrunken_answer_read_for_long_enough_is_accepted_on_its_own(guarded, clock, settings):
    settings.SHRINK_GUARD_HOLD_MINUTES = 60
    guarded.set_agents(FLEET[:15])
    clock.shift(600)
    with pytest.raises(CommandError):
        refresh()

    clock.shift(30 * 60)
    with pytest.raises(CommandError):
        refresh()  # half an hour of the same answer: still held
    clock.shift(31 * 60)
    refresh()

    assert len(service.get_snapshot().agents) == 15
    assert AgentChange.objects.filter(kind=AgentChange.REMOVED).count() == 135


def test_a_different_shrunken_answer_starts_the_wait_again(guarded, clock):
    guarded.set_agents(FLEET[:15])
    clock.shift(600)
    with pytest.raises(CommandError):
        refresh()
    guarded.set_agents(FLEET[:20])
    clock.shift(61 * 60)

    with pytest.raises(CommandError, match="20 agents where there were 150"):
        refresh()


def test_agents_that_come_back_edited_get_a_before_and_after(guarded, clock):
    guarded.set_agents([])
    clock.shift(600)
    with pytest.raises(CommandError):
        refresh()
    edited = [agent_record(id="a007", name="Agent 7", model="oppie-vox-turbo"), *FLEET[:7], *FLEET[8:]]
    guarded.set_agents(edited)
    clock.shift(600)

    refresh()

    change = AgentChange.objects.get()
    assert (change.agent_id, change.kind) == ("a007", AgentChange.CHANGED)
    assert (change.before, change.after) == ({"model": "oppie-vox-2"}, {"model": "oppie-vox-turbo"})


def test_a_smaller_loss_is_read_as_usual(guarded, clock):
    guarded.set_agents(FLEET[:100])  # a third lost: under the 50 % guard
    clock.shift(600)

    refresh()

    assert len(service.get_snapshot().agents) == 100
    assert AgentChange.objects.filter(kind=AgentChange.REMOVED).count() == 50


def test_an_answer_of_the_same_size_with_other_agents_is_held_back(guarded, clock, client, django_user_model):
    guarded.set_agents(OTHER_FLEET)
    clock.shift(600)

    with pytest.raises(CommandError, match="not among them"):
        refresh()
    client.force_login(user_in(django_user_model, "admin", "Staff"))
    status = client.get("/status/").content.decode()

    assert {agent.id for agent in service.get_snapshot().agents} == {record["id"] for record in FLEET}
    assert not AgentChange.objects.exists()  # neither 150 removals nor 150 additions
    assert "another organization" in status and "<strong>100%</strong>" in status


def test_an_answer_that_keeps_most_agents_and_renames_the_rest_is_taken(guarded, clock):
    renamed = FLEET[:100] + [agent_record(id=f"new-{n:03d}", name=f"New {n}") for n in range(50)]
    guarded.set_agents(renamed)
    clock.shift(600)

    refresh()

    assert {agent.id for agent in service.get_snapshot().agents} == {record["id"] for record in renamed}
    assert AgentChange.objects.filter(kind=AgentChange.REMOVED).count() == 50


def test_accepting_the_other_fleet_records_the_replacement(guarded, clock, client, django_user_model):
    guarded.set_agents(OTHER_FLEET)
    clock.shift(600)
    with pytest.raises(CommandError):
        refresh()
    client.force_login(user_in(django_user_model, "admin", "Staff"))

    client.post("/status/accept-held-read/")

    assert {agent.id for agent in service.get_snapshot().agents} == {record["id"] for record in OTHER_FLEET}
    assert AgentChange.objects.filter(kind=AgentChange.REMOVED).count() == 150
    assert AgentChange.objects.filter(kind=AgentChange.ADDED).count() == 150
