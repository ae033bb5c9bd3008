"""Template filters for values; each one delegates to `dashboard.fields.display` (or, for paths,
to `dashboard.orgs.paths`)."""

from django import template

from dashboard.fields import display
from dashboard.orgs import paths

register = template.Library()

register.filter("dash", display.dash_or)
register.filter("yes_no", display.yes_no)
register.filter("moment", display.moment)
register.filter("severity_badge", display.severity_badge)
register.filter("change_badge", display.change_badge)


@register.filter
def text_list(values, empty: str = "none"):
    return display.text_list(values, empty=empty)


@register.filter
def outside_org(path: str) -> str:
    """A path `{% url %}` made here, without the organization's /o/<slug>/ (a page of no one organization)."""
    return paths.outside_org(path)
