from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import orders_demo_load

    return orders_demo_load


class OrdersConfig(AppConfig):
    name = "guanxi.orders"
    label = "orders"
    verbose_name = _("Orders and contracts")

    def ready(self):
        from guanxi.customers.timeline import register_timeline_source
        from guanxi.marketing.revenue import register_campaign_revenue_source
        from guanxi.pool.contracts import register_contract_end_source
        from guanxi.tasks.kinds import register_task_kind

        from .sources import customers_with_contracts_ended, payments_by_campaign
        from .timeline import SALES_EVENTS_IN, sales_events

        register_timeline_source(sales_events, present_in=SALES_EVENTS_IN)
        register_campaign_revenue_source("payments", _("Payments received on the deals it brought"),
                                         payments_by_campaign)
        register_contract_end_source(customers_with_contracts_ended)
        register_task_kind("contract_renewal", pgettext_lazy("task", "Contract renewal"), icon="file-earmark-text")
        register_demo_step(DeferredStep(_demo))
