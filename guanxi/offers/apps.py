from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _offers_demo():
    from .demo import offers_demo_load

    return offers_demo_load


class OffersConfig(AppConfig):
    name = "guanxi.offers"
    label = "offers"
    verbose_name = _("Next-best offer")

    def ready(self):
        from guanxi.core.demo import DeferredStep, register_demo_step
        from guanxi.customers.offers import register_offer_source

        from .source import offers_for_customer

        register_offer_source(offers_for_customer)
        # After the customers app's steps, which make the holdings and the ledger it learns from.
        register_demo_step(DeferredStep(_offers_demo))
