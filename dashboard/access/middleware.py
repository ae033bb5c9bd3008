"""Which organization a request reads (`/o/<slug>/…`), and what the dashboard sends holds agent data
for one reader: never kept by a cache, never shown in a debug page to someone who may not see all of it."""

import logging
import re
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import get_script_prefix, set_script_prefix
from django.utils.cache import patch_cache_control

from dashboard.environment import ORG_SLUG
from dashboard.orgs.registry import Org, OrganizationNeeded, org_named, sole_org

from .organizations import may_see, visible_orgs
from .readers import reader

logger = logging.getLogger("django.request")

# Exceptions Django itself turns into their own pages (400, 403, 404), which show no agent data.
HANDLED_BY_DJANGO = (Http404, PermissionDenied, SuspiciousOperation, BadRequest)


class PrivateResponseMiddleware:
    """`Cache-Control: no-store` on every page, shared page and export: no proxy or browser cache
    keeps agent data (static files are answered before this, by whitenoise, and keep theirs)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """With DEBUG on, Django's error page shows the failing code's variables (agents among them):
        only staff, who may see every field, get it; everyone else gets the plain error page."""
        if not settings.DEBUG or isinstance(exception, HANDLED_BY_DJANGO):
            return None
        if getattr(request, "user", None) is not None and reader(request).is_staff and not _shared(request):
            return None
        logger.error("Internal Server Error: %s", request.path, exc_info=exception)
        return HttpResponse(render_to_string("500.html"), status=500)


def _shared(request: HttpRequest) -> bool:
    match = getattr(request, "resolver_match", None)
    return match is not None and match.url_name == "shared-view"


ORG_PREFIX = re.compile(rf"/o/({ORG_SLUG})(/.*)\Z", re.DOTALL)


def _existing(slug: str) -> Org | None:
    try:
        return org_named(slug)
    except Http404:
        return None


class OrganizationMiddleware:
    """Reads `/o/<slug>/<page>` as <page> of that organization: `request.org` is it, and every URL
    the page makes (`reverse`, `{% url %}`) stays under the same prefix. Without a prefix the
    request reads the only organization, or, when there are several, every organization the person
    may see (the overview, the list, its search and findings; other pages ask which one).

    An organization that does not exist, or that the signed-in person may not see, is a 404 before
    any view runs, the same page either way. Without a session nobody can tell the two apart
    either: an unknown organization goes on like a real one (to the sign-in page, or to the API's
    401), and a token's `Reader` refuses it with the 404 it gives an organization it may not see.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        base = get_script_prefix()
        matched = ORG_PREFIX.match(request.path_info)
        if matched is None:
            request.org = sole_org()  # type: ignore[attr-defined]
            return self.get_response(request)
        slug, rest = matched.groups()
        org = _existing(slug)
        if request.user.is_authenticated and (org is None or not may_see(request.user, org)):
            return self._not_found(request)
        request.org = org  # type: ignore[attr-defined]
        request.org_refused = org is None  # type: ignore[attr-defined]
        request.path_info = rest
        set_script_prefix(f"{base}o/{slug}/")
        try:
            return self.get_response(request)
        finally:
            set_script_prefix(base)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        """A page of one organization asked for without naming it, when there are several: which one?"""
        if not isinstance(exception, OrganizationNeeded):
            return None
        orgs = visible_orgs(request.user) if request.user.is_authenticated else []
        choices = [(org, f"/o/{org.slug}{request.get_full_path()}") for org in orgs]
        if request.path_info.startswith("/api/"):
            return JsonResponse(
                {
                    "detail": "There are several organizations: ask under /o/<slug>/.",
                    "organizations": [{"slug": org.slug, "name": org.name, "url": url} for org, url in choices],
                },
                status=404,
            )
        return render(request, "orgs/choose.html", {"choices": choices})

    @staticmethod
    def _not_found(request: HttpRequest) -> HttpResponse:
        # One answer for an unknown organization and one the person may not see.
        if request.path_info.startswith("/o/") and "/api/" in request.path_info:
            return JsonResponse({"detail": "Not found."}, status=404)
        return render(request, "404.html", status=404)
