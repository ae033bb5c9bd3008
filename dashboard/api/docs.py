"""The OpenAPI schema and the browsable docs (Swagger UI from drf-spectacular-sidecar: no CDN).

The docs page is Swagger UI's split view: its setup script is a separate same-origin file and its
page has no inline style, so it runs under the site's CSP (scripts and styles from 'self' only)
without an exception. The docs need a signed-in session; the schema a session or a token.
"""

from typing import Any

from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authentication import SessionAuthentication
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request

from dashboard.access.readers import reader

from .authentication import BearerTokenAuthentication


class SchemaView(SpectacularAPIView):
    authentication_classes = [BearerTokenAuthentication, SessionAuthentication]
    permission_classes = [IsAuthenticated]

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        super().initial(request, *args, **kwargs)
        reader(request._request)  # under /o/<slug>/ of an organization the token's owner may not see: a 404


class DocsView(SpectacularSwaggerSplitView):
    authentication_classes = [SessionAuthentication]
    permission_classes = [IsAuthenticated]
    template_name = "api/docs.html"
    url_name = "api-schema"
    title = "Switchboard API"
