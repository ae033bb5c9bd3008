"""Template filters for agent values; each one delegates to `dashboard.presentation`."""

from django import template

from dashboard import presentation

register = template.Library()

register.filter("dash", presentation.dash_or)
register.filter("yes_no", presentation.yes_no)
register.filter("moment", presentation.moment)
register.filter("failover_badge", presentation.failover_badge)
register.filter("severity_badge", presentation.severity_badge)
register.filter("change_badge", presentation.change_badge)
register.filter("is_hidden", presentation.is_hidden)


@register.filter
def text_list(values, empty: str = "none"):
    return presentation.text_list(values, empty=empty)


@register.filter
def enum_badge(value, field: str):
    return presentation.enum_badge(field, value)


@register.filter
def voice(voice_id, name):
    return presentation.voice(voice_id, name)
