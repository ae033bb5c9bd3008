"""Which organizations there are: from `OPENCX_ORGS`, the `OPENCX_API_TOKEN` shorthand, the demo, and the admin.

Everything that reads OpenCX does it for one `Org`. The list is cheap to ask for on every
request: the environment's part is made once per configuration (per settings objects), the admin's part is read from
the database at most every `ADMIN_ORGS_SECONDS` per process (and at once in the process that
changed it).
"""

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import DatabaseError
from django.http import Http404

logger = logging.getLogger(__name__)

# The organization of a single-organization deployment (`OPENCX_API_TOKEN`), and of every row
# recorded before there were several: naming an organization of `OPENCX_ORGS` so keeps its history.
DEFAULT_SLUG = "default"
ADMIN_ORGS_SECONDS = 10


@dataclass(frozen=True, slots=True)
class Org:
    slug: str
    name: str
    url: str  # the API's base URL
    token: str = ""
    # Where it is configured: "environment", "admin" or "demo".
    origin: str = "environment"
    # Why it cannot be read as configured (a token that cannot be decrypted); empty when it can.
    problem: str = ""

    def __repr__(self) -> str:  # never the token, in a log line or a debug page
        return f"Org({self.slug!r}, {self.name!r}, {self.url!r}, origin={self.origin!r})"


class NoOrganization(Exception):
    """No organization is configured; `str()` says how to configure one."""


class OrganizationNeeded(Exception):
    """There are several organizations and no one was named (a page at a URL without /o/<slug>/)."""


_providers: list[Callable[[], list[Org] | None]] = []
_lock = threading.Lock()
_admin_orgs: tuple[float, list[Org]] | None = None
_environment_orgs: tuple[tuple[object, ...], list[Org]] | None = None


def provide(provider: Callable[[], list[Org] | None]) -> None:
    """Lets an app put its organizations in place of the configured ones (the demo's) whenever
    `provider` returns a list."""
    if provider not in _providers:
        _providers.append(provider)


def organizations() -> list[Org]:
    """Every organization, the environment's first, then the admin's by name."""
    for provider in _providers:
        provided = provider()
        if provided is not None:
            return provided
    configured = environment_orgs()
    taken = {org.slug for org in configured}
    return [*configured, *(org for org in _from_admin() if org.slug not in taken)]


def environment_orgs() -> list[Org]:
    """The organizations configured in the environment (`OPENCX_ORGS`, or `OPENCX_API_TOKEN` alone):
    configuration as code, which the admin shows but does not edit, and whose slugs it does not reuse."""
    global _environment_orgs
    configuration = (settings.OPENCX_ORGS, settings.OPENCX_API_TOKEN, settings.OPENCX_API_URL)
    cached = _environment_orgs
    # Asked for many times a request: made again only when the settings are other objects (as
    # tests' overrides make them); the cache holds them, so an object's identity cannot be reused.
    if cached is None or any(now is not then for now, then in zip(configuration, cached[0], strict=True)):
        cached = _environment_orgs = (configuration, _configured(*configuration))
    return list(cached[1])


def org_named(slug: str) -> Org:
    """The organization with this slug; Http404 when there is none."""
    for org in organizations():
        if org.slug == slug:
            return org
    raise Http404(f"No organization {slug!r}.")


def the_org(org: Org | None) -> Org:
    """`org`, or when None the only organization there is."""
    if org is not None:
        return org
    found = organizations()
    if len(found) == 1:
        return found[0]
    if not found:
        raise NoOrganization(
            "No OpenCX organization is configured: set OPENCX_API_TOKEN (or OPENCX_ORGS), or staff add one in "
            "the admin (Organizations)."
        )
    raise OrganizationNeeded(f"There are {len(found)} organizations: choose one.")


def sole_org() -> Org | None:
    """The organization, when there is exactly one (then the URLs without /o/<slug>/ are its own)."""
    found = organizations()
    return found[0] if len(found) == 1 else None


def org_names() -> dict[str, str]:
    """slug -> name of every organization (how pages name the organization of an agent)."""
    return {org.slug: org.name for org in organizations()}


def forget_admin_orgs() -> None:
    """The next `organizations()` reads the admin's organizations again."""
    global _admin_orgs
    with _lock:
        _admin_orgs = None


def _configured(orgs: list[dict] | None, token: str, url: str) -> list[Org]:
    if orgs is not None:
        return [_from_environment(entry, url) for entry in orgs]
    if token:
        return [Org(DEFAULT_SLUG, "Default", url, token)]
    return []


def _from_environment(entry: dict[str, str], url: str) -> Org:
    return Org(entry["slug"], entry.get("name") or entry["slug"], (entry.get("url") or url).rstrip("/"), entry["token"])


def _from_admin() -> list[Org]:
    """The organizations staff added in the admin: only with ORG_TOKEN_KEYS, which their tokens need."""
    global _admin_orgs
    if not settings.ORG_TOKEN_KEYS:
        return []
    now = time.monotonic()
    cached = _admin_orgs
    if cached is not None and now - cached[0] < ADMIN_ORGS_SECONDS:
        return cached[1]
    with _lock:
        found = _read_admin_orgs()
        _admin_orgs = (now, found)
        return found


def _read_admin_orgs() -> list[Org]:
    from .encryption import InvalidToken, TokenKeyMissing, decrypt
    from .models import Organization

    found = []
    try:
        rows = list(Organization.objects.all())
    except DatabaseError:  # before `migrate` made the table
        return []
    for row in rows:
        token, problem = "", ""
        if not row.token_ciphertext:
            problem = f"Organization {row.slug!r} has no API token: staff set one in the admin (Organizations)."
        else:
            try:
                token = decrypt(row.token_ciphertext)
            except TokenKeyMissing as error:
                problem = str(error)
            except InvalidToken:
                problem = (
                    f"The API token of organization {row.slug!r} cannot be decrypted with ORG_TOKEN_KEYS: put back "
                    "the key it was saved with, or enter the token again in the admin."
                )
        found.append(Org(row.slug, row.name, row.api_url.rstrip("/"), token, origin="admin", problem=problem))
    return found
