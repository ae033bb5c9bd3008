"""What the dashboard sends holds agent data for one reader: never kept by a cache, never shown in a
debug page to someone who may not see all of it."""

import logging
from collections.abc import Callable

from django.conf import settings
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

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
