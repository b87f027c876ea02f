"""System checks of the core app's settings."""

from django.core.checks import Warning, register


@register()
def pdf_font_check(app_configs, **kwargs):
    """The PDF reports need their CJK font file (a warning: the rest of the product works without it)."""
    from .pdf import font_missing

    problem = font_missing()
    return [Warning(problem, id="core.W001")] if problem else []


@register()
def task_retry_check(app_configs, **kwargs):
    """A retry waiting longer than the broker's visibility timeout would be delivered a second time."""
    from django.conf import settings
    from django.core.checks import Error

    timeout = (getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", None) or {}).get("visibility_timeout", 3600)
    backoff_max = getattr(settings, "TASK_RETRY_BACKOFF_MAX", 600)
    if backoff_max >= timeout:
        return [Error(f"TASK_RETRY_BACKOFF_MAX ({backoff_max}s) must be below the broker's visibility timeout "
                      f"({timeout}s, CELERY_VISIBILITY_TIMEOUT)", id="core.E001")]
    return []
