from django.conf import settings
from django.http import HttpRequest


def switchboard(request: HttpRequest) -> dict[str, object]:
    return {"demo_mode": settings.DEMO_MODE}
