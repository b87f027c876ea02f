"""System checks of the core app's settings."""

from django.core.checks import Warning, register


@register()
def pdf_font_check(app_configs, **kwargs):
    """The PDF reports need their CJK font file (a warning: the rest of the product works without it)."""
    from .pdf import font_missing

    problem = font_missing()
    return [Warning(problem, id="core.W001")] if problem else []
