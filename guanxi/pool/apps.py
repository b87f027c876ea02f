from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from guanxi.core.demo import DeferredStep, register_demo_step


# The demo's module, imported only when the demo runs (see guanxi.core.demo).
def _demo():
    from .demo import pool_demo_load

    return pool_demo_load


class PoolConfig(AppConfig):
    name = "guanxi.pool"
    label = "pool"
    verbose_name = _("Public pool")

    def ready(self):
        from guanxi.customers.timeline import register_timeline_source

        from .timeline import POOL_EVENTS_IN, pool_events

        register_timeline_source(pool_events, present_in=POOL_EVENTS_IN)
        register_demo_step(DeferredStep(_demo))
