"""/s/<token>/: a share link, opened without an account, read as a viewer would; and the pages of
the agents a shared list shows, under the same link (same redaction, same expiry)."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader_for_share
from dashboard.access.sharing import InvalidShare, open_share, share_url, shared_query
from dashboard.snapshots.service import get_snapshot

from ..listing import AGENT_LIST, lists_agent
from .detail import agent_page


@login_not_required
@require_GET
def shared_view(request: HttpRequest, token: str) -> HttpResponse:
    """The shared list or agent; never any agent data for a link that does not open."""
    try:
        link = open_share(token)
    except InvalidShare as problem:
        return render(request, "shares/invalid.html", {"problem": str(problem)}, status=404)
    visitor = reader_for_share(link)
    if link.agent_id:
        return agent_page(request, visitor, link.agent_id, back=None)
    return AGENT_LIST.respond(request, visitor, shared_query(link, request.GET))


@login_not_required
@require_GET
def shared_agent(request: HttpRequest, token: str, agent_id: str) -> HttpResponse:
    """An agent's page under a share link: only an agent the shared view shows (the shared agent,
    or one the shared list's filters select now), read as the link's visitor."""
    try:
        link = open_share(token)
    except InvalidShare as problem:
        return render(request, "shares/invalid.html", {"problem": str(problem)}, status=404)
    visitor = reader_for_share(link)
    if link.agent_id:
        shown = agent_id == link.agent_id
    else:
        shown = lists_agent(get_snapshot(), visitor, shared_query(link, QueryDict()), agent_id)
    if not shown:
        problem = "This link shares another agent." if link.agent_id else "This agent is not part of the shared list."
        context = {"problem": problem, "reader": visitor, "back": share_url(link)}
        return render(request, "shares/invalid.html", context, status=404)
    return agent_page(request, visitor, agent_id, back=None if link.agent_id else share_url(link))
