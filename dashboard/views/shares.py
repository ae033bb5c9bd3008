"""Share links: creating, listing and revoking them, and opening one without an account."""

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.models import AnonymousUser
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.agents.service import get_snapshot
from dashboard.audit import record_event
from dashboard.models import AuditEvent, ShareLink
from dashboard.roles import SHARE, STAFF_TOOLS, require
from dashboard.sharing import DEFAULT_DAYS, MAX_DAYS, InvalidShare, create_share, open_share, share_url, shared_query
from dashboard.views import agents


@require_POST
def share_create(request: HttpRequest) -> HttpResponse:
    require(request.user, SHARE)
    try:
        days = int(request.POST.get("days", DEFAULT_DAYS))
    except ValueError:
        days = DEFAULT_DAYS
    agent_id = request.POST.get("agent_id", "").strip()
    if agent_id:
        agent = get_snapshot().get(agent_id)
        title = f"Agent: {agent.display_name if agent else agent_id}"
        link = create_share(user=request.user, agent_id=agent_id, title=title, days=days)
    else:
        query = request.POST.get("query", "")
        link = create_share(
            user=request.user, query=query, title=f"Agent list{': ' + query if query else ''}", days=days
        )
    url = request.build_absolute_uri(share_url(link))
    record_event(
        request, AuditEvent.SHARE_CREATED, f"#{link.pk} {link.title}, until {link.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    messages.success(request, f"Share link created, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC: {url}")
    return redirect("share-list")


@require_GET
def share_list(request: HttpRequest) -> HttpResponse:
    require(request.user, SHARE)
    links = ShareLink.objects.select_related("created_by", "revoked_by")
    if not request.user.has_perm(STAFF_TOOLS):
        links = links.filter(created_by=request.user)
    now = timezone.now()
    rows = [
        {
            "link": link,
            "url": request.build_absolute_uri(share_url(link)),
            "state": "revoked" if link.revoked_at else ("expired" if link.expires_at <= now else "active"),
        }
        for link in links[:500]
    ]
    return render(request, "shares/list.html", {"rows": rows, "max_days": MAX_DAYS})


@require_POST
def share_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    require(request.user, SHARE)
    link = get_object_or_404(ShareLink, pk=pk)
    if link.created_by_id != request.user.pk:
        require(request.user, STAFF_TOOLS)  # someone else's link: staff only
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), request.user
        link.save(update_fields=["revoked_at", "revoked_by"])
        record_event(request, AuditEvent.SHARE_REVOKED, f"#{link.pk} {link.title}")
        messages.success(request, f"Revoked: {link.title}. The link no longer opens.")
    return redirect("share-list")


@login_not_required
@require_GET
def shared_view(request: HttpRequest, token: str) -> HttpResponse:
    """The shared view, as a viewer without an account sees it; never any data for a bad link."""
    try:
        link = open_share(token)
    except InvalidShare as problem:
        return render(request, "shares/invalid.html", {"problem": str(problem)}, status=404)
    # Rendered by the ordinary views, as nobody in particular: no permissions, so sensitive fields
    # are hidden and nothing can be changed; `share_link` tells the templates to drop controls.
    request.user = AnonymousUser()
    request.share_link = link
    if link.agent_id:
        return agents.agent_detail(request, link.agent_id)
    request.GET = shared_query(link, request.GET)
    return agents.agent_list(request)
