"""Where an outbound URL goes, read exactly as the HTTP client will read it.

requests hands every URL to urllib3's `parse_url`; `urllib.parse.urlsplit` reads some URLs
differently (`https://127.0.0.1:8080\\@hooks.slack.com/` is hooks.slack.com to urlsplit and
127.0.0.1:8080 to urllib3), so a host allowlist checked with urlsplit can be walked past. Every
check of an outbound URL goes through `parse_target`, which uses `parse_url`, and refuses what
parsers disagree on: backslashes, user names and passwords, spaces and control characters.
"""

import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

from urllib3.exceptions import LocationParseError
from urllib3.util import parse_url

LOOPBACK_NAMES = frozenset({"localhost"})
# A host name (letters, digits, dots and dashes, as IDNA leaves it) or an IP literal; anything else
# (a percent sign, say) is read differently by different parsers and resolvers.
HOST_NAME = re.compile(r"[a-z0-9](?:[a-z0-9.-]*[a-z0-9])?\.?")
UNSAFE_CHARACTER = re.compile(r"[\s\x00-\x1f\x7f]")


class UnsafeURL(ValueError):
    """A URL this server will not contact; `str()` says what is wrong with it and what to do."""


@dataclass(frozen=True, slots=True)
class Target:
    """What an outbound URL contacts: scheme, host (lower case, IPv6 without brackets) and port."""

    url: str  # as urllib3 normalized it: what to request
    scheme: str
    host: str
    port: int | None

    @property
    def loopback(self) -> bool:
        return is_loopback(self.host)

    def allowed_by(self, hosts: Iterable[str]) -> bool:
        """Whether the host is one of `hosts` (names compared without case or a final dot)."""
        return _comparable(self.host) in {_comparable(host) for host in hosts}


def is_loopback(host: str) -> bool:
    host = host.strip("[]").lower()
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def parse_target(url: str, *, what: str = "The address") -> Target:
    """The target of `url` as the HTTP client will contact it; raises `UnsafeURL` naming `what`.

    Refused: backslashes, spaces and control characters anywhere, a user name or password, a
    scheme other than http(s), no host or an unusual one, and plain http except to loopback (tests
    and the demo's fake API)."""
    if "\\" in url:
        raise UnsafeURL(f"{what} has a backslash, which HTTP clients read differently: write the URL with / only.")
    if UNSAFE_CHARACTER.search(url):
        raise UnsafeURL(f"{what} has a space or control character: paste the URL again without it.")
    try:
        parsed = parse_url(url)
    except LocationParseError:
        raise UnsafeURL(f"{what} is not a URL that can be read: check it, e.g. https://host/path.") from None
    if parsed.scheme not in ("http", "https"):
        raise UnsafeURL(f"{what} must start with https://.")
    if parsed.auth is not None:
        raise UnsafeURL(
            f"{what} has a user name or password before an @: leave it out (the host is what follows the @)."
        )
    host = (parsed.host or "").strip("[]")
    if not host or not (HOST_NAME.fullmatch(host) or _is_ip(host)):
        raise UnsafeURL(f"{what} has no usable host name: write it as https://host.example/path.")
    if parsed.scheme != "https" and not is_loopback(host):
        raise UnsafeURL(f"{what} must use https:// (plain http is allowed only to this machine).")
    return Target(url=parsed.url, scheme=parsed.scheme, host=host, port=parsed.port)


def host_of(url: str | None) -> str:
    """The host a URL names, for a message (never the URL itself, which may be a secret); "" when none."""
    try:
        return (parse_url(url or "").host or "").strip("[]")
    except LocationParseError:
        return ""


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _comparable(host: str) -> str:
    return host.strip("[]").lower().rstrip(".")
