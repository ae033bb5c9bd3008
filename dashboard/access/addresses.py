"""The client's address: REMOTE_ADDR, or what the reverse proxies in TRUSTED_PROXIES forwarded.

A proxy appends the address it received the request from to X-Forwarded-For, so the list is read
from the right: each address that belongs to a trusted proxy passed the request on, and the first
one that does not is the client. Anything further left was written by the client and is ignored.
With TRUSTED_PROXIES empty, or a request that did not come through a trusted proxy, the client
is REMOTE_ADDR. Used by the sign-in limits (django-axes) and the audit log.
"""

import functools
import ipaddress

from django.conf import settings
from django.http import HttpRequest

Address = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(proxy, strict=False) for proxy in proxies)


def _address(text: str) -> Address | None:
    """An address as a proxy writes it: bare, or with a port (`1.2.3.4:80`, `[::1]:80`)."""
    text = text.strip()
    if text.startswith("[") and "]" in text:
        text = text[1 : text.index("]")]
    elif text.count(":") == 1:
        text = text.split(":", 1)[0]
    try:
        address = ipaddress.ip_address(text)
    except ValueError:
        return None
    mapped = getattr(address, "ipv4_mapped", None)
    return mapped or address


def _trusted(address: Address) -> bool:
    return any(address in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_ip(request: HttpRequest | None) -> str | None:
    if request is None:
        return None
    remote = _address(request.META.get("REMOTE_ADDR", ""))
    if remote is None:
        return None
    client = remote
    if settings.TRUSTED_PROXIES and _trusted(remote):
        for hop in reversed(request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")):
            address = _address(hop)
            if address is None:
                break  # not written by a proxy of ours: the last address we can vouch for stands
            client = address
            if not _trusted(address):
                break
    return str(client)


# One IPv6 host is given a /64 to pick its addresses from: limits count that network as one client.
IPV6_CLIENT_PREFIX = 64


def limit_key(address: str | None) -> str:
    """What a per-address limit counts `address` (from `client_ip`) as: an IPv4 address itself, an
    IPv6 address its /64, so that stepping through one's own network is no way around a limit."""
    parsed = _address(address or "")
    if parsed is None:
        return "unknown"
    if parsed.version == 6:
        return str(ipaddress.ip_network(f"{parsed}/{IPV6_CLIENT_PREFIX}", strict=False))
    return str(parsed)
