"""/s/<token>/: a share link, opened without an account, read as a viewer would; and the pages of
the agents a shared list shows, under the same link (same redaction, same expiry)."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access.models import ShareLink
from dashboard.access.organizations import may_see
from dashboard.access.readers import Reader, reader_for_share
from dashboard.access.sharing import InvalidShare, open_share, share_url, shared_query
from dashboard.snapshots.service import get_snapshot

from ..listing import AGENT_LIST, lists_agent
from .detail import agent_page

SharedView = Callable[..., HttpResponse]


def through_share(view: SharedView) -> SharedView:
    """A view of a share link's content: opened without an account, read as the link's visitor;
    never any agent data for a link that does not open (tampered, unknown, revoked or expired), nor
    to a signed-in person who may not see the link's organization (for them it does not exist)."""

    @login_not_required
    @require_GET
    @wraps(view)
    def opened(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            link = open_share(token)
        except InvalidShare as problem:
            return render(request, "shares/invalid.html", {"problem": str(problem)}, status=404)
        visitor = reader_for_share(link)
        if request.user.is_authenticated and not may_see(request.user, visitor.org):
            return render(request, "404.html", status=404)
        return view(request, link, visitor, **kwargs)

    return opened


@through_share
def shared_view(request: HttpRequest, link: ShareLink, visitor: Reader) -> HttpResponse:
    """The shared list or agent."""
    if link.agent_id:
        return agent_page(request, visitor, link.agent_id, back=None)
    return AGENT_LIST.respond(request, visitor, shared_query(link, request.GET))


@through_share
def shared_agent(request: HttpRequest, link: ShareLink, visitor: Reader, agent_id: str) -> HttpResponse:
    """An agent's page under a share link: only an agent the shared view shows (the shared agent,
    or one the shared list's filters select now)."""
    if link.agent_id:
        shown = agent_id == link.agent_id
    else:
        shown = lists_agent(get_snapshot(visitor.org), visitor, shared_query(link, QueryDict()), agent_id)
    if not shown:
        problem = "This link shares another agent." if link.agent_id else "This agent is not part of the shared list."
        context = {"problem": problem, "reader": visitor, "back": share_url(link)}
        return render(request, "shares/invalid.html", context, status=404)
    return agent_page(request, visitor, agent_id, back=None if link.agent_id else share_url(link))
