from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo.opportunities import sales_demo_load

    return sales_demo_load


def _campaign_demo():
    from .demo.campaigns import campaign_deals_demo_load

    return campaign_deals_demo_load


def _default_pipeline(sender, using, **kwargs):
    from .defaults import ensure_default_pipeline

    ensure_default_pipeline(using=using)


def _partner_panel(user) -> dict:
    """A partner user's home: its pipeline and performance, with the way to its partner home."""
    from guanxi.accounts.enums import Role

    if getattr(user, "role", None) != Role.PARTNER:
        return {"show": False}
    from .views.partners import partner_home_context

    context = partner_home_context(user)
    return {"show": True, "open_count": context["open_count"], "performance": context["performance"]}


class SalesConfig(AppConfig):
    name = "guanxi.sales"
    label = "sales"
    verbose_name = _("Sales")

    def ready(self):
        from guanxi.core.navigation import register_home_panel
        from guanxi.customers.timeline import register_timeline_source

        from .timeline import OPPORTUNITY_EVENTS_IN, opportunity_events

        register_timeline_source(opportunity_events, present_in=OPPORTUNITY_EVENTS_IN)
        register_home_panel(_partner_panel, "sales/partials/_partner_panel.html")
        register_demo_step(DeferredStep(_demo))
        register_demo_step(DeferredStep(_campaign_demo))
        post_migrate.connect(_default_pipeline, sender=self)
