"""/s/<token>/: a share link, opened without an account, read as a viewer would."""

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from dashboard.access.readers import reader_for_share
from dashboard.access.sharing import InvalidShare, open_share, shared_query

from ..listing import AGENT_LIST
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
