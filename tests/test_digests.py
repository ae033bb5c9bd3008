"""Change digests: after a change, e-mail and a signed webhook name the changed agents and fields."""

import hashlib
import hmac
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from dashboard.digests.models import Delivery, Subscription
from tests.conftest import WEBHOOK_SECRET as SECRET
from tests.conftest import agent_record, expire_and_refresh, user_in


@pytest.fixture
def fleet(upstream):
    upstream.set_agents([agent_record(id="a", name="Billing"), agent_record(id="b", name="Support", model="oppie-vox")])
    return upstream


def subscribe(user, **fields):
    user.email = user.email or f"{user.username}@example.com"
    user.save()
    defaults = {"name": "Ops digest", "frequency": Subscription.AFTER_REFRESH, "covered_until": timezone.now()}
    return Subscription.objects.create(user=user, **{**defaults, **fields})


def change_billing(fleet, clock, **fields):
    fleet.set_agents(
        [agent_record(id="a", name="Billing", **fields), agent_record(id="b", name="Support", model="oppie-vox")]
    )
    expire_and_refresh(clock)


def test_after_a_change_an_email_and_a_signed_webhook_name_the_changed_agents_and_fields(
    signed_in, user, fleet, history, receiver, clock
):
    subscribe(user, webhook_url=receiver.url)
    signed_in.get("/agents/")  # the first read: the baseline, nothing to say
    assert mail.outbox == [] and receiver.received == []

    change_billing(fleet, clock, model="oppie-vox-turbo", stt_keyterms=["refund"])

    (email,) = mail.outbox
    assert email.to == ["ops@example.com"] and email.subject.startswith("Switchboard: 1 change since")
    assert "Changed: Billing [a]: Model: oppie-vox-2 → oppie-vox-turbo; Key terms" in email.body
    (request,) = receiver.received
    body = receiver.bodies()[0]
    assert body["text"] == email.body  # Slack shows `text`
    assert body["changes"][0]["agent_id"] == "a" and body["changes"][0]["fields"] == ["model", "stt_keyterms"]
    headers = request["headers"]
    expected = hmac.new(
        SECRET.encode(), headers["X-Switchboard-Timestamp"].encode() + b"." + request["body"], hashlib.sha256
    )
    assert headers["X-Switchboard-Signature"] == "v1=" + expected.hexdigest()
    assert set(Delivery.objects.values_list("state", flat=True)) == {Delivery.SENT}


def test_a_failing_webhook_is_retried_with_back_off_and_shown_to_staff(
    signed_in, user, fleet, history, receiver, clock, django_user_model
):
    subscribe(user, webhook_url=receiver.url, email=False)
    signed_in.get("/agents/")
    receiver.statuses = [500, 503]

    change_billing(fleet, clock, model="oppie-vox-turbo")
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts, delivery.last_error) == ("pending", 1, "127.0.0.1 answered HTTP 500")

    staff = user_in(django_user_model, "admin", "Staff")
    signed_in.force_login(staff)
    page = signed_in.get("/digests/").content.decode()
    assert 'id="failing-deliveries"' in page and "127.0.0.1 answered HTTP 500" in page and "retrying" in page
    assert receiver.url not in page and SECRET not in page
    assert 'href="/digests/#failing-deliveries" class="link-danger">1</a>' in signed_in.get("/status/").content.decode()

    with pytest.raises(CommandError, match="failing"):  # a minute later: the second attempt fails too
        clock.shift(61)
        call_command("send_digests", stdout=StringIO())
    clock.shift(5 * 60 + 1)
    call_command("send_digests", stdout=StringIO())  # the third goes through

    delivery.refresh_from_db()
    assert (delivery.state, delivery.attempts) == ("sent", 3)
    assert len(receiver.received) == 3


def test_a_delivery_that_keeps_failing_is_given_up(signed_in, user, fleet, history, receiver, clock):
    subscribe(user, webhook_url=receiver.url, email=False)
    signed_in.get("/agents/")
    receiver.statuses = [500] * 10

    change_billing(fleet, clock, model="oppie-vox-turbo")
    for _ in range(4):
        clock.shift(6 * 3600 + 1)
        with pytest.raises(CommandError):
            call_command("send_digests", stdout=StringIO())
    clock.shift(6 * 3600 + 1)
    call_command("send_digests", stdout=StringIO())  # given up: no longer retried, staff see it

    assert Delivery.objects.get().state == Delivery.FAILED
    assert len(receiver.received) == 6


def test_a_viewers_digest_names_hidden_fields_without_their_values(
    signed_in, fleet, history, receiver, clock, django_user_model
):
    subscribe(user_in(django_user_model, "stakeholder", "Viewer"), webhook_url=receiver.url)
    signed_in.get("/agents/")

    change_billing(fleet, clock, instructions=["The new secret plan."], custom_llm="https://llm.internal/v9")

    (email,) = mail.outbox
    assert "Instructions (hidden)" in email.body and "Custom LLM (hidden)" in email.body
    change = receiver.bodies()[0]["changes"][0]
    assert change["before"] == {} and change["after"] == {}
    assert "secret plan" not in email.body + str(receiver.received) and "llm.internal" not in str(receiver.received)


def test_a_digest_narrowed_to_a_saved_list_leaves_other_agents_out(signed_in, user, fleet, history, clock):
    subscribe(user, list_query="model=oppie-vox")
    signed_in.get("/agents/")

    fleet.set_agents(
        [
            agent_record(id="a", name="Billing", speed=2.0),
            agent_record(id="b", name="Support", model="oppie-vox", speed=2.0),
        ]
    )
    expire_and_refresh(clock)

    (email,) = mail.outbox
    assert "Support [b]" in email.body and "Billing" not in email.body


def test_new_findings_are_in_the_digest_once(signed_in, user, fleet, history, clock):
    subscribe(user)
    signed_in.get("/agents/")

    change_billing(fleet, clock, type="outbound", phone_number=None)
    expire_and_refresh(clock)  # nothing new: no second digest

    (email,) = mail.outbox
    assert "1 change and 1 new finding" in email.subject
    assert "New finding: error outbound-without-number: Billing [a]" in email.body


def test_a_daily_digest_goes_out_once_a_day(signed_in, user, fleet, history, clock):
    subscribe(user, frequency=Subscription.DAILY)
    signed_in.get("/agents/")
    change_billing(fleet, clock, model="oppie-vox-turbo")
    assert mail.outbox == []

    clock.shift(86400)
    call_command("send_digests", stdout=StringIO())
    call_command("send_digests", stdout=StringIO())

    assert len(mail.outbox) == 1 and "Billing [a]" in mail.outbox[0].body


def test_subscribing_on_the_page(signed_in, user, fleet, history, receiver):
    user.email = "ops@example.com"
    user.save()

    refused = signed_in.post(
        "/digests/", {"name": "Hook", "frequency": "refresh", "changes": "on", "webhook_url": "https://evil.example/x"}
    ).content.decode()
    response = signed_in.post(
        "/digests/",
        {
            "name": "Spanish agents",
            "frequency": "daily",
            "changes": "on",
            "findings": "on",
            "email": "on",
            "list_url": "http://127.0.0.1:8000/agents/?language=es&sort=name",
        },
        follow=True,
    )

    assert "may go to these hosts only" in refused
    subscription = Subscription.objects.get()
    assert subscription.list_query == "language=es&sort=name" and subscription.frequency == "daily"
    assert "Subscribed: “Spanish agents”." in response.content.decode()
    assert 'href="/digests/">Digests</a>' in response.content.decode()
