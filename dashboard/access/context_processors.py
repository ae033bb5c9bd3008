from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from dashboard.orgs.paths import root_prefix

from .readers import Reader, reader

# Pages that exist in every organization, so switching keeps the page (and its query); and those
# of them that also show every organization at once.
SAME_PAGE_ELSEWHERE = {"overview", "agent-list", "finding-list", "change-list", "problem-list", "status"}
ACROSS_ORGANIZATIONS = {"overview", "agent-list", "finding-list", "status"}


@dataclass(frozen=True, slots=True)
class OrgLink:
    label: str
    url: str
    active: bool


def switchboard(request: HttpRequest) -> dict[str, Any]:
    """`reader` (views of a share link put theirs in the context instead), `demo_mode`, and the
    organization switcher's links."""
    me = reader(request)
    links = org_links(request, me)
    return {"reader": me, "demo_mode": settings.DEMO_MODE, "org_links": links, "org_menu": org_menu(links)}


def org_links(request: HttpRequest, me: Reader) -> list[OrgLink]:
    """ "All organizations" and each organization the person sees, each at this page where it has one."""
    if len(me.orgs) < 2 or me.is_shared or not request.user.is_authenticated:
        return []
    match = getattr(request, "resolver_match", None)
    name = match.url_name if match is not None else None
    here = request.path_info[1:] + (f"?{request.META['QUERY_STRING']}" if request.META.get("QUERY_STRING") else "")
    base = root_prefix()
    in_each = here if name in SAME_PAGE_ELSEWHERE else ""
    links = [OrgLink("All organizations", base + (here if name in ACROSS_ORGANIZATIONS else ""), me.org is None)]
    links += [
        OrgLink(org.name, f"{base}o/{org.slug}/{in_each}", me.org is not None and org.slug == me.org.slug)
        for org in me.orgs
    ]
    return links


_ITEM = '<li><a class="dropdown-item" href="{}">{}</a></li>'
_ACTIVE_ITEM = '<li><a class="dropdown-item active" aria-current="page" href="{}">{}</a></li>'


def org_menu(links: list[OrgLink]) -> SafeString:
    """The switcher's items, drawn here rather than by a template loop: on every page, with ten
    organizations the loop cost more than one organization's whole list page differs from a
    single-organization dashboard's."""
    if not links:
        return SafeString()
    first, *others = [format_html(_ACTIVE_ITEM if link.active else _ITEM, link.url, link.label) for link in links]
    return format_html(
        '{}<li><hr class="dropdown-divider"></li>{}', first, format_html_join("", "{}", ((item,) for item in others))
    )
