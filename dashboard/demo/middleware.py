"""The public demo (DEMO_MODE=1, DEBUG=0): every visitor signs in as the one demo account, so
anything it changes, every other visitor gets. It may browse everything (the admin and the status
page included) and read OpenCX again; every other change is refused with a 403 saying why:
accounts, groups, organizations and their roles, passwords, sign-in lockouts, the demo fault,
API tokens, share links, digests, saved columns and drift pairs. Nor may it read what tells one
visitor about the others (the audit log's and django-axes' rows: addresses, times, browsers).
`make run` (DEBUG=1) is a developer's own demo and keeps every feature.
"""

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from .accounts import is_public_demo, is_shared_demo_account

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")
# What the shared account may still post: signing out, and reading OpenCX again (which changes
# nothing a visitor chose; the call budget bounds it).
ALLOWED = frozenset({"logout", "admin:logout", "refresh", "login"})
# Admin pages (view names start so) that list the visitors themselves: addresses, times, browsers.
ABOUT_VISITORS = ("admin:access_auditevent_", "admin:axes_")
PRIVATE = (
    "This is the public demo: every visitor shares its account, so the pages that record visits "
    "(who signed in, from where, with which browser) are not shown here."
)
REFUSAL = (
    "This is the public demo: every visitor shares its account, so changes here are turned off "
    "to keep one visitor's choices from reaching the others. Browse anything; to try changing "
    "things, run your own copy (`make run`)."
)


class PublicDemoGuard:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view: Any, args: Any, kwargs: Any) -> None:
        if not is_public_demo() or not is_shared_demo_account(getattr(request, "user", None)):
            return
        name = request.resolver_match.view_name if request.resolver_match is not None else ""
        if name.startswith(ABOUT_VISITORS):
            raise PermissionDenied(PRIVATE)
        if request.method in SAFE_METHODS or name in ALLOWED:
            return
        raise PermissionDenied(REFUSAL)
