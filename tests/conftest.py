"""Shared fixtures: a real loopback HTTP server stands in for OpenCX in every test."""

import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest

from dashboard.demo.fleet import demo_fleet
from dashboard.demo.server import FAULT_ACTIONS, FakeOpenCX
from dashboard.demo.upstream import stop_demo_upstream
from dashboard.orgs.registry import organizations
from dashboard.snapshots import jobs, service

TEST_TOKEN = "ocx_live_test_SECRET_token_4f9a"
WEBHOOK_SECRET = "digest-shared-secret"


@pytest.fixture(autouse=True)
def isolated_cache(settings: Any) -> Iterator[None]:
    """Each test starts with an empty cache of its own and no parsed snapshot in memory."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast, tests only
    settings.HISTORY_RETENTION_DAYS = 0  # tests of the change history turn it on (`history`)
    settings.REFRESH_IN_BACKGROUND = False  # refreshes run inline; `background_refreshes` turns threads on
    # Tests swap whole fleets between reads: the shrink guard holds back only empty answers here;
    # its own tests (test_shrink_guard.py) put the default back.
    settings.SHRINK_GUARD_PERCENT = 100
    if not settings.REDIS_URL:  # the back-end run keeps its real Redis (emptied for every test)
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "switchboard-tests"}
        }
    from django.core.cache import cache

    cache.clear()
    service.forget_local_state()
    yield
    cache.clear()
    service.forget_local_state()
    stop_demo_upstream()  # a demo-mode test's fake API ends with it


@pytest.fixture
def upstream(settings: Any) -> Iterator[FakeOpenCX]:
    """A fake OpenCX API on loopback serving 30 sample agents; the dashboard is pointed at it."""
    with FakeOpenCX(demo_fleet(30), token=TEST_TOKEN) as fake:
        fake.slow_seconds = 3
        settings.DEMO_MODE = False
        settings.OPENCX_API_URL = fake.url
        settings.OPENCX_API_TOKEN = TEST_TOKEN
        settings.OPENCX_TIMEOUT = 1
        settings.OPENCX_CACHE_TTL = 60
        yield fake


@dataclass
class HeldAnswers:
    """A fake's agent list held back until the test lets it go (`release`): a test of what does not
    wait for OpenCX waits on this instead of on the clock."""

    arrived: threading.Event = field(default_factory=threading.Event)  # a held request came in
    released: threading.Event = field(default_factory=threading.Event)

    def answer(self, handler: Any, fake: FakeOpenCX) -> None:
        self.arrived.set()
        while not self.released.wait(0.05):
            if fake.stopping.is_set():  # the fake stops: no answer
                handler.close_connection = True
                return
        handler._send(200, fake._bodies["/phone"])

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def hold(monkeypatch: Any) -> Iterator[Callable[[FakeOpenCX], HeldAnswers]]:
    """`hold(fake)`: the fake's next agent lists wait until `.release()` (every one, at the test's end)."""
    made: list[HeldAnswers] = []

    def held(fake: FakeOpenCX) -> HeldAnswers:
        answers = HeldAnswers()
        made.append(answers)
        monkeypatch.setitem(FAULT_ACTIONS, f"held-{len(made)}", answers.answer)
        fake.fault = f"held-{len(made)}"
        return answers

    yield held
    for answers in made:
        answers.release()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_teardown(item: pytest.Item) -> None:
    """A background job a test started (a refresh, what subscribers do after it) ends with that
    test, before its fixtures (the database among them) are torn down."""
    if not jobs.wait_for_jobs(timeout=30):
        raise RuntimeError(f"Background jobs still running after the test: {', '.join(jobs.running_jobs())}")


@pytest.fixture
def receiver(settings: Any) -> Iterator[Any]:
    """A webhook receiver on loopback that digests may post to, signed with WEBHOOK_SECRET."""
    from tests.webhooks import WebhookReceiver

    settings.DIGEST_WEBHOOK_SECRET = WEBHOOK_SECRET
    settings.DIGEST_WEBHOOK_HOSTS = ["127.0.0.1"]
    with WebhookReceiver() as running:
        yield running


@pytest.fixture
def background_refreshes(settings: Any) -> None:
    """Refreshes in threads of their own, as in production (pages never wait for them)."""
    settings.REFRESH_IN_BACKGROUND = True


@pytest.fixture
def history(settings: Any, db: None) -> None:
    """Change history recorded on every refresh."""
    settings.HISTORY_RETENTION_DAYS = 90


@pytest.fixture
def clock(time_machine: Any) -> Any:
    """The time, which a test moves forward with `clock.shift(seconds)`; it goes on ticking."""
    from django.utils import timezone

    time_machine.move_to(timezone.now(), tick=True)
    return time_machine


def expire_and_refresh(clock: Any, seconds: float = 600) -> None:
    """Moves time past the cache period and lets the refresh the next page view starts finish."""
    clock.shift(seconds)
    for org in organizations():
        service.get_snapshot(org)
    service.wait_for_refresh()


def user_in(django_user_model: Any, username: str, *roles: str) -> Any:
    """A user in the given role groups (made by the migrations, and again here: a transactional
    test empties every table when it ends)."""
    from django.contrib.auth.models import Group

    from dashboard.access.roles import ensure_roles

    ensure_roles()
    user = django_user_model.objects.create_user(username=username, password="correct horse battery")
    user.groups.add(*Group.objects.filter(name__in=roles))
    return user


@pytest.fixture
def user(django_user_model: Any) -> Any:
    """An operator: sees everything, refreshes, exports, shares."""
    return user_in(django_user_model, "ops", "Operator")


@pytest.fixture
def signed_in(client: Any, user: Any) -> Any:
    """The Django test client, signed in as an operator."""
    client.force_login(user)
    return client


@pytest.fixture
def viewer_client(client: Any, django_user_model: Any) -> Any:
    """The Django test client, signed in as a viewer."""
    client.force_login(user_in(django_user_model, "stakeholder", "Viewer"))
    return client


def agent_record(**fields: Any) -> dict[str, Any]:
    """A complete agent record in the newest schema; keyword arguments override fields."""
    record: dict[str, Any] = {
        "id": "agent-1",
        "org_id": "org_1",
        "phone_number": "+14155550123",
        "name": "Billing EN",
        "type": "inbound",
        "language": ["en", "es"],
        "accent": "american",
        "handoff_phone_number": "+14155550199",
        "speed": 1.1,
        "interruptible": True,
        "actionIds": ["act_1"],
        "instructions": ["Be brief.", "Confirm the caller's name."],
        "data_collection_fields": ["email"],
        "data_collection_webhook_url": "https://hooks.example.com/a",
        "model": "oppie-vox-2",
        "voice_id": "vx_aria",
        "first_message": "Hello!",
        "created_at": "2023-11-07T05:31:56Z",
        "updated_at": "2024-02-01T10:00:00Z",
        "provider_external_id": "prov_1",
        "flow": None,
        "manual_mode": False,
        "custom_llm": None,
        "use_org_knowledgebase": True,
        "background_noise_preset": "office",
        "recording_enabled": True,
        "stt_keyterms": ["Northwind"],
        "stt_model": "deepgram/nova-3",
        "tts_speed_pct": 10,
        "failover_transfer_destination_id": "3c90c3cc-0d44-4b50-8888-8dd25736052a",
    }
    record.update(fields)
    return record


# --- several organizations ----------------------------------------------------------------------

TOKEN_A = "ocx_live_alpha_SECRET_token_1b2c"
TOKEN_B = "ocx_live_bravo_SECRET_token_9d8e"


def org_fleet(mark: str, label: str, model: str, count: int = 3, **fields: Any) -> list[dict[str, Any]]:
    """An organization's agents: every one carries `mark` (in its id, org id, greeting and webhook URL),
    so a page that shows any of them can be told by it; and one agent, "shared-1", whose id the
    other organizations' fleets use too."""
    area = 200 + sum(map(ord, mark)) % 700  # each organization's agents have numbers of their own

    def agent(agent_id: str, name: str, n: int) -> dict[str, Any]:
        return agent_record(
            id=agent_id,
            name=name,
            org_id=f"org_{mark}",
            phone_number=f"+1{area}555{n:04d}",
            first_message=f"Welcome to {mark}",
            data_collection_webhook_url=f"https://hooks.{mark}.example/{n}",
            model=model,
            **fields,
        )

    return [
        *(agent(f"{mark}-agent-{n}", f"{label} agent {n}", n) for n in range(1, count + 1)),
        agent("shared-1", f"{label} shared", 99),
    ]


@dataclass
class TwoOrgs:
    """Organization "a" (Alpha Org) and "b" (Bravo Org), each read from a fake OpenCX of its own."""

    a: FakeOpenCX
    b: FakeOpenCX

    def fake(self, slug: str) -> FakeOpenCX:
        return {"a": self.a, "b": self.b}[slug]


@pytest.fixture
def two_orgs(settings: Any) -> Iterator[TwoOrgs]:
    """Two organizations in OPENCX_ORGS, each with its own token and fleet on its own loopback server:
    a's agents carry "alphamark" (model oppie-vox-2, four agents), b's "bravomark" (oppie-vox, three)."""
    with (
        FakeOpenCX(org_fleet("alphamark", "Alpha", "oppie-vox-2", 3), token=TOKEN_A) as fake_a,
        FakeOpenCX(org_fleet("bravomark", "Bravo", "oppie-vox", 2), token=TOKEN_B) as fake_b,
    ):
        for fake in (fake_a, fake_b):
            fake.slow_seconds = 3
        settings.DEMO_MODE = False
        settings.OPENCX_API_TOKEN = ""
        settings.OPENCX_ORGS = [
            {"slug": "a", "name": "Alpha Org", "token": TOKEN_A, "url": fake_a.url},
            {"slug": "b", "name": "Bravo Org", "token": TOKEN_B, "url": fake_b.url},
        ]
        settings.OPENCX_TIMEOUT = 1
        settings.OPENCX_CACHE_TTL = 60
        yield TwoOrgs(fake_a, fake_b)


def grant(user: Any, **roles: str) -> Any:
    """Organization roles for `user`: grant(user, a="Viewer", b="Operator")."""
    from dashboard.access.models import OrgGrant

    for slug, role in roles.items():
        OrgGrant.objects.update_or_create(user=user, org=slug, defaults={"role": role})
    return user
