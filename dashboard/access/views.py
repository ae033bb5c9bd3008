"""Share links: creating, listing and revoking them. Opening one is an agent page (`dashboard.agents`)."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from dashboard.snapshots.service import get_snapshot

from .audit import record_event
from .models import AuditEvent, ShareLink
from .readers import reader
from .sharing import DEFAULT_DAYS, MAX_DAYS, create_share, share_url


@require_POST
def share_create(request: HttpRequest) -> HttpResponse:
    me = reader(request)
    me.require(me.can_share)
    try:
        days = int(request.POST.get("days", DEFAULT_DAYS))
    except ValueError:
        days = DEFAULT_DAYS
    agent_id = request.POST.get("agent_id", "").strip()
    if agent_id:
        agent = get_snapshot(me.org).get(agent_id)
        if agent is None:
            messages.error(request, "No link was made: there is no such agent in this organization's data.")
            return redirect("share-list")
        title = f"Agent: {agent.display_name}"
        link = create_share(user=request.user, org=me.org, agent_id=agent.id, title=title, days=days)
    else:
        query = request.POST.get("query", "").replace("\x00", "")  # no database's text holds a NUL
        title = f"Agent list{': ' + query if query else ''}"
        link = create_share(user=request.user, org=me.org, query=query, title=title, days=days)
    url = request.build_absolute_uri(share_url(link))
    record_event(
        request, AuditEvent.SHARE_CREATED, f"#{link.pk} {link.title}, until {link.expires_at:%Y-%m-%d %H:%M} UTC"
    )
    messages.success(request, f"Share link created, valid until {link.expires_at:%Y-%m-%d %H:%M} UTC: {url}")
    return redirect("share-list")


@require_GET
def share_list(request: HttpRequest) -> HttpResponse:
    me = reader(request)
    me.require(me.can_manage_shares)
    links = ShareLink.objects.select_related("created_by", "revoked_by")
    if not me.is_staff:
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
    me = reader(request)
    me.require(me.can_manage_shares)
    link = get_object_or_404(ShareLink, pk=pk)
    if link.created_by_id != request.user.pk:
        me.require(me.is_staff)  # someone else's link: staff only
    if link.revoked_at is None:
        link.revoked_at, link.revoked_by = timezone.now(), request.user
        link.save(update_fields=["revoked_at", "revoked_by"])
        record_event(request, AuditEvent.SHARE_REVOKED, f"#{link.pk} {link.title}")
        messages.success(request, f"Revoked: {link.title}. The link no longer opens.")
    return redirect("share-list")
