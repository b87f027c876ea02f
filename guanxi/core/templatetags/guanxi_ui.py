"""Small helpers for the server-rendered pages."""

from django import template
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext

from guanxi.core.run_errors import run_error_text

register = template.Library()


def _join(base_query: str, **params) -> str:
    extra = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return "?" + "&".join(part for part in (base_query, extra) if part)


@register.simple_tag
def sort_url(base_query: str, field: str, current: str) -> str:
    """Link for a column header: ascending first, then toggles."""
    return _join(base_query, ordering=f"-{field}" if current == field else field)


@register.simple_tag
def sort_state(field: str, current: str) -> str:
    if current == field:
        return "asc"
    if current == f"-{field}":
        return "desc"
    return ""


@register.simple_tag
def page_url(base_query: str, ordering: str, page: int, param: str = "") -> str:
    """Link to page `page` of a list; `param` names the page's query parameter when a page holds
    two lists (default `page`)."""
    return _join(base_query, ordering=ordering, **{param or "page": page})


@register.filter
def widget(bound_field):
    """The field's widget, marked is-invalid when the field has errors."""
    if not bound_field.errors:
        return bound_field.as_widget()
    css = bound_field.field.widget.attrs.get("class", "")
    return bound_field.as_widget(attrs={"class": f"{css} is-invalid".strip(), "aria-invalid": "true"})


@register.filter
def phone(value: str) -> str:
    """Mainland numbers are shown as dialled at home (138 0013 8000 without +86)."""
    value = value or ""
    return value.removeprefix("+86") if value.startswith("+86") and len(value) > 11 else value


@register.simple_tag
def run_error(error: str) -> str:
    """A failed run's reason in the reader's language; an exception's text only behind a
    "technical details" disclosure."""
    reason, detail = run_error_text(error or "")
    if not detail:
        return reason
    return format_html('{} <details class="d-inline"><summary class="text-muted">{}</summary>'
                       '<code class="small text-break">{}</code></details>', reason, gettext("Technical details"),
                       detail[:500])
