from django import template

from guanxi.servicedesk.events import system_text as _system_text

register = template.Library()


@register.filter
def system_text(text: str) -> str:
    """A hand-over note or reason the system wrote, in the reader's language."""
    return _system_text(text)
