"""System checks of the customers app's settings."""

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured


@register()
def history_retention_check(app_configs, **kwargs):
    """History must be kept at least three years (SPEC A.4)."""
    from .services.retention import retention_years

    try:
        retention_years()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="customers.E001")]
    return []
