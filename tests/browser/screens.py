"""The screens every page-wide browser check walks (accessibility, layout): a fleet with findings, a
recorded change, share links, and the way to each page, signed in as staff or as a share's visitor."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.contrib.auth.models import Group
from playwright.sync_api import Page, expect

from dashboard.access.sharing import create_share, share_url
from dashboard.demo.fleet import demo_fleet, demo_voices
from dashboard.snapshots.service import get_snapshot
from tests.browser.conftest import sign_in
from tests.conftest import expire_and_refresh


@dataclass
class Site:
    agent_id: str  # an agent with findings and a recorded change
    other_id: str
    shared_list: str
    shared_agent: str  # an agent's page under the shared list's link


@pytest.fixture
def site(history: None, upstream: Any, ops_user: Any, clock: Any) -> Site:
    """Thirty demo agents, one of them changed since the first read, and two share links."""
    fleet = demo_fleet(30)
    upstream.set_agents(fleet)
    upstream.set_voices(demo_voices())
    get_snapshot()  # the history's baseline
    fleet[0] = {**fleet[0], "speed": 1.3, "instructions": [*(fleet[0].get("instructions") or []), "Say goodbye."]}
    upstream.set_agents(fleet)
    expire_and_refresh(clock)
    ops_user.groups.add(Group.objects.get(name="Staff"))  # the status page too
    user = ops_user
    listed = create_share(user=user, query="type=inbound&sort=name", title="Agent list: inbound")
    create_share(user=user, agent_id=fleet[1]["id"], title="Agent: one")
    inbound = next(agent for agent in fleet if agent.get("type") == "inbound")
    return Site(
        fleet[0]["id"],
        fleet[2]["id"],
        share_url(listed),
        f"{share_url(listed)}agents/{inbound['id']}/",
    )


def open_menu(page: Page) -> None:
    """The Model filter menu, open with its values fetched (on a phone, behind "Filters")."""
    folded = page.locator('[data-bs-target="#facet-bar"]')
    if folded.is_visible():
        folded.click()
    page.locator("#filter-model").click()
    expect(page.locator('[aria-labelledby="filter-model"] .facet-count').first).to_be_visible()


@dataclass(frozen=True)
class Screen:
    name: str
    path: Callable[[Site], str]
    signed_in: bool = True
    then: Callable[[Page], None] | None = None


SCREENS = [
    Screen("overview", lambda site: "/"),
    Screen("list", lambda site: "/agents/"),
    Screen("list with a menu open", lambda site: "/agents/", then=open_menu),
    Screen("detail", lambda site: f"/agents/{site.agent_id}/"),
    Screen("findings", lambda site: "/findings/"),
    Screen("changes", lambda site: "/changes/?period=all"),
    Screen("compare", lambda site: f"/agents/compare/?id={site.agent_id}&id={site.other_id}"),
    Screen("shares", lambda site: "/shares/"),
    Screen("status", lambda site: "/status/"),
    Screen("sign-in", lambda site: "/login/", signed_in=False),
    Screen("shared list", lambda site: site.shared_list, signed_in=False),
    Screen("shared detail", lambda site: site.shared_agent, signed_in=False),
]


def visit_every_screen(page: Page, site: Site) -> Iterator[Screen]:
    """Opens each screen in turn (signing in first, and out before the ones seen without an account);
    yields each once it is drawn."""
    sign_in(page)
    page.wait_for_url(lambda url: urlsplit(url).path == "/")
    for screen in SCREENS:
        if not screen.signed_in and page.context.cookies():
            page.context.clear_cookies()
        response = page.goto(screen.path(site))
        assert response is not None and response.status == 200, f"{screen.name}: HTTP {response and response.status}"
        if screen.then:
            screen.then(page)
        yield screen
