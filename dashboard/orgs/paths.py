"""Paths in and out of an organization's URL prefix (/o/<slug>/), wherever `reverse()` made them.

Under /o/<slug>/ the script prefix includes the organization (`access.middleware`), so every URL a
page makes stays in it; these move a path made there, or at the root, elsewhere.
"""

import re

from django.urls import get_script_prefix

from dashboard.environment import ORG_SLUG

from .registry import sole_org

_ORG_AT_END = re.compile(rf"o/{ORG_SLUG}/\Z")


def root_prefix() -> str:
    """The script prefix without any organization."""
    return _ORG_AT_END.sub("", get_script_prefix())


def outside_org(path: str) -> str:
    """A path `reverse()` made here, without the organization's prefix."""
    prefix, base = get_script_prefix(), root_prefix()
    return base + path[len(prefix) :] if prefix != base and path.startswith(prefix) else path


def within_org(path: str, slug: str) -> str:
    """A path `reverse()` made here, under organization `slug`'s prefix instead (with only one
    organization, a path at the root is its own already, and stays as it is)."""
    base = root_prefix()
    if get_script_prefix() == base and sole_org() is not None:
        return path
    return f"{base}o/{slug}/{outside_org(path)[len(base) :]}"
