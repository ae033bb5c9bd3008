from django.conf import settings
from django.http import HttpRequest


def switchboard(request: HttpRequest) -> dict[str, object]:
    # `share_link` is set on requests opened through a share link (dashboard.views.shares).
    return {"demo_mode": settings.DEMO_MODE, "share_link": getattr(request, "share_link", None)}
