"""Template filters for values; each one delegates to `dashboard.fields.display`."""

from django import template

from dashboard.fields import display

register = template.Library()

register.filter("dash", display.dash_or)
register.filter("yes_no", display.yes_no)
register.filter("moment", display.moment)
register.filter("severity_badge", display.severity_badge)
register.filter("change_badge", display.change_badge)


@register.filter
def text_list(values, empty: str = "none"):
    return display.text_list(values, empty=empty)
